import type { AksCluster } from "../config/aks";
import type { ClusterSummary } from "../platform";
import { ALLOY_CONSUMER_GROUP, EVENT_HUB_NAME, parseAksClusterId } from "./ids";

/** The summary of an AKS cluster's audit logging (pure: for status outputs and the coverage report). */
export function aksSummary(c: AksCluster): ClusterSummary {
    const { clusterName } = parseAksClusterId(c.clusterResourceId);
    const workspace = c.workspaceResourceId.split("/").pop();
    const gaps: string[] = [];
    if (!c.eventHubLocation) gaps.push("nothing reaches Loki: no eventHubLocation (events stay in Log Analytics)");
    if (!c.categories.includes("kube-audit")) gaps.push("no reads: kube-audit-admin drops get/list/watch, so Secret reads are not shown");
    gaps.push("AKS's audit policy is fixed by Microsoft and cannot be changed");
    return {
        cluster: c.name,
        kind: "aks",
        enabled: c.categories.map((cat) => `diagnostic category ${cat} of ${clusterName}`),
        cloudCopy: `Log Analytics workspace ${workspace} (resource-specific tables ${c.categories.map((cat) => (cat === "kube-audit" ? "AKSAudit" : "AKSAuditAdmin")).join(", ")}), the workspace's retention`,
        toLoki: c.eventHubLocation
            ? `Event Hub ${EVENT_HUB_NAME} (Standard, ${c.eventHubLocation}, ${c.eventHubRetentionDays} days) -> Alloy loki.source.azure_event_hubs (consumer group ${ALLOY_CONSUMER_GROUP})`
            : undefined,
        cloudRetentionDays: c.eventHubLocation ? c.eventHubRetentionDays : undefined,
        gaps,
    };
}
