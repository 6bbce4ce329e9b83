import type { AksCluster } from "../config/aks";
import { aksSummary } from "./summary";

/** `render`'s review file for an AKS cluster: the summary and the diagnostic setting. */
export function renderAksArtifacts(c: AksCluster): { path: string; content: string; description: string }[] {
    const doc = {
        summary: aksSummary(c),
        diagnosticSetting: {
            name: "akko-audit",
            resourceUri: c.clusterResourceId,
            workspaceId: c.workspaceResourceId,
            logAnalyticsDestinationType: "Dedicated",
            logs: c.categories.map((category) => ({ category, enabled: true })),
            eventHub: c.eventHubLocation ? { location: c.eventHubLocation, name: "kube-audit", retentionDays: c.eventHubRetentionDays, consumerGroup: "akko-audit" } : null,
        },
    };
    return [{ path: `managed/${c.name}.json`, content: JSON.stringify(doc, null, 2) + "\n", description: `AKS diagnostic setting: ${c.categories.join(", ")}` }];
}
