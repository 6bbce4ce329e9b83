import { AKS_AUDIT_CATEGORIES, AKS_CLUSTER_ID, AZURE_REGION, MAX_EVENT_HUB_RETENTION_DAYS, WORKSPACE_ID } from "../config/aks";
import type { AksAuditLoggingArgs } from "./audit-logging";

const CLUSTER_ID_TEXT =
    "an AKS resource id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>";
const WORKSPACE_TEXT =
    "a Log Analytics workspace id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>";

/** Problems with the plain args, one line each (config is validated before; this guards direct use). */
export function aksAuditLoggingProblems(name: string, args: AksAuditLoggingArgs): string[] {
    const where = `AksAuditLogging ${JSON.stringify(name)}`;
    const problems: string[] = [];
    if (!AKS_CLUSTER_ID.test(args.clusterResourceId))
        problems.push(`${where}: field clusterResourceId: got ${JSON.stringify(args.clusterResourceId)}; allowed: ${CLUSTER_ID_TEXT}`);
    if (!WORKSPACE_ID.test(args.workspaceResourceId))
        problems.push(`${where}: field workspaceResourceId: got ${JSON.stringify(args.workspaceResourceId)}; allowed: ${WORKSPACE_TEXT}`);
    const categories = args.categories ?? [];
    for (const c of categories) {
        if (!(AKS_AUDIT_CATEGORIES as readonly string[]).includes(c))
            problems.push(`${where}: field categories: got ${JSON.stringify(c)}; allowed: ${AKS_AUDIT_CATEGORIES.join(" | ")}`);
    }
    if (new Set(categories).size > 1 && !args.allowBothAuditCategories) {
        problems.push(
            `${where}: field categories: got ${JSON.stringify(categories)}; allowed: one of kube-audit | kube-audit-admin, or both with allowBothAuditCategories: true (every write is then stored and billed twice)`,
        );
    }
    if (args.eventHubLocation !== undefined && !AZURE_REGION.test(args.eventHubLocation)) {
        problems.push(
            `${where}: field eventHubLocation: got ${JSON.stringify(args.eventHubLocation)}; allowed: an Azure region name such as francecentral or westeurope`,
        );
    }
    const days = args.eventHubRetentionDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_EVENT_HUB_RETENTION_DAYS)) {
        problems.push(
            `${where}: field eventHubRetentionDays: got ${JSON.stringify(days)}; allowed: a whole number of days from 1 to ${MAX_EVENT_HUB_RETENTION_DAYS}`,
        );
    }
    return problems;
}

export function checkAksAuditLoggingArgs(name: string, args: AksAuditLoggingArgs): void {
    const problems = aksAuditLoggingProblems(name, args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
