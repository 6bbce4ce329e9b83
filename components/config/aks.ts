import { z } from "zod";
import { allowAuditOff, allowed, clusterName, previousNames, intInRange, strictObject } from "./fields";
import type { KindRules } from "./kind-rules";

export const AKS_AUDIT_CATEGORIES = ["kube-audit", "kube-audit-admin"] as const;
export type AksAuditCategory = (typeof AKS_AUDIT_CATEGORIES)[number];
export const DEFAULT_AKS_CATEGORIES: AksAuditCategory[] = ["kube-audit"];

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const RG = "[-\\w._()]{1,90}";
export const AKS_CLUSTER_ID = new RegExp(
    `^/subscriptions/${UUID}/resourceGroups/${RG}/providers/Microsoft\\.ContainerService/managedClusters/[A-Za-z0-9][-_A-Za-z0-9]{0,62}$`,
    "i",
);
export const WORKSPACE_ID = new RegExp(
    `^/subscriptions/${UUID}/resourceGroups/${RG}/providers/Microsoft\\.OperationalInsights/workspaces/[A-Za-z0-9][-A-Za-z0-9]{2,62}$`,
    "i",
);

/** Azure region names as ARM spells them: francecentral, westeurope, eastus2, australiacentral2. */
export const AZURE_SUBSCRIPTION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const AZURE_REGION = /^[a-z]{4,}[0-9]?$/;
/** Resource group names (1-90 characters of letters, digits, '.', '_', '-', '(', ')'; not ending in '.'). */
export const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
/** Standard tier keeps events up to 7 days. */
export const MAX_EVENT_HUB_RETENTION_DAYS = 7;
export const DEFAULT_EVENT_HUB_RETENTION_DAYS = 7;

const CLUSTER_ID_TEXT =
    "an AKS resource id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>";
const WORKSPACE_TEXT =
    "a Log Analytics workspace id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>";

export const AksClusterSchema = strictObject({
    name: clusterName,
    /** Earlier names of this cluster: renaming keeps its resources (aliases). Default none. */
    previousNames,
    kind: z.literal("aks"),
    /** Resource id of the existing AKS cluster. */
    clusterResourceId: z.string(allowed(CLUSTER_ID_TEXT)).regex(AKS_CLUSTER_ID, allowed(CLUSTER_ID_TEXT)),
    /** Resource id of the Log Analytics workspace the diagnostic setting writes to. */
    workspaceResourceId: z.string(allowed(WORKSPACE_TEXT)).regex(WORKSPACE_ID, allowed(WORKSPACE_TEXT)),
    /**
     * Audit categories: kube-audit (every event, needed for Secret reads) or kube-audit-admin (no get/list,
     * much cheaper). Default [kube-audit]. Both only with allowBothAuditCategories.
     */
    categories: z
        .array(z.enum(AKS_AUDIT_CATEGORIES, allowed(AKS_AUDIT_CATEGORIES.join(" | "))), allowed(`a list of ${AKS_AUDIT_CATEGORIES.join(" | ")}`))
        .min(1, allowed(`one of ${AKS_AUDIT_CATEGORIES.join(" | ")}`))
        .refine((l) => new Set(l).size === l.length, allowed("a list without repeats"))
        .default(DEFAULT_AKS_CATEGORIES),
    /** Allow both categories at once: every write is then stored twice, at twice the cost. Default false. */
    allowBothAuditCategories: z.boolean(allowed("true or false")).default(false),
    /**
     * Region of the Event Hub that streams the audit log toward Alloy; must be the cluster's region (Azure
     * Monitor streams within a region). Default: none — the audit log stays in Log Analytics, not in Loki.
     */
    eventHubLocation: z
        .string(allowed("an Azure region name such as francecentral or westeurope"))
        .regex(AZURE_REGION, allowed("an Azure region name such as francecentral or westeurope"))
        .optional(),
    /** Resource group of the Event Hubs namespace. Default: the cluster's resource group. */
    eventHubResourceGroup: z
        .string(allowed("an Azure resource group name (1-90 letters, digits, '.', '_', '-', '(', ')')"))
        .regex(RESOURCE_GROUP, allowed("an Azure resource group name (1-90 letters, digits, '.', '_', '-', '(', ')')"))
        .optional(),
    /** Days the Event Hub keeps events Alloy has not read (1-7, Standard tier). Default 7. */
    eventHubRetentionDays: intInRange(1, MAX_EVENT_HUB_RETENTION_DAYS, "days").default(DEFAULT_EVENT_HUB_RETENTION_DAYS),
    /**
     * Subscription of the Event Hubs namespace (with eventHubResourceGroup). Default: the cluster's own
     * subscription, read from clusterResourceId, whatever subscription the stack's Azure credentials default to.
     */
    eventHubSubscriptionId: z
        .string(allowed("an Azure subscription id (a UUID)"))
        .regex(AZURE_SUBSCRIPTION_ID, allowed("an Azure subscription id (a UUID)"))
        .optional(),
    allowAuditOff,
});

export type AksCluster = z.infer<typeof AksClusterSchema>;

/** The fleet rules of an AKS cluster (KIND_RULES). */
export const aksRules: KindRules<AksCluster> = {
    secretRefs: () => [],
    bufferRetention: (c) => (c.eventHubLocation ? { field: "eventHubRetentionDays", days: c.eventHubRetentionDays } : undefined),
    // Azure resource ids are case-insensitive.
    identity: (c) => ({ id: `aks/${c.clusterResourceId.toLowerCase()}`, field: "clusterResourceId", value: c.clusterResourceId }),
    problems: (c, { where }) => {
        const problems: string[] = [];
        if (c.categories.length > 1 && !c.allowBothAuditCategories) {
            problems.push(
                `${where}: field categories: got ${JSON.stringify(c.categories)}; allowed: one of kube-audit | kube-audit-admin, or both with allowBothAuditCategories: true (every write is then stored and billed twice)`,
            );
        }
        const clusterSubscription = c.clusterResourceId.split("/")[2].toLowerCase();
        if (
            c.eventHubSubscriptionId !== undefined &&
            c.eventHubSubscriptionId.toLowerCase() !== clusterSubscription &&
            c.eventHubResourceGroup === undefined
        ) {
            problems.push(
                `${where}: field eventHubResourceGroup: missing; allowed: a resource group of subscription ${c.eventHubSubscriptionId} (required when eventHubSubscriptionId is not the cluster's subscription ${clusterSubscription})`,
            );
        }
        return problems;
    },
};
