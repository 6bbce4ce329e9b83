import type { AksCluster } from "../config/aks";
import { ALLOY_CONSUMER_GROUP, DIAGNOSTIC_SETTING_NAME, EVENT_HUB_NAME } from "./ids";
import { aksSummary } from "./summary";

/** `render`'s review file for an AKS cluster: the summary and the diagnostic setting. */
export function renderAksArtifacts(c: AksCluster): { path: string; content: string; description: string }[] {
    const doc = {
        summary: aksSummary(c),
        diagnosticSetting: {
            name: DIAGNOSTIC_SETTING_NAME,
            resourceUri: c.clusterResourceId,
            workspaceId: c.workspaceResourceId,
            logAnalyticsDestinationType: "Dedicated",
            logs: c.categories.map((category) => ({ category, enabled: true })),
            eventHub: c.eventHubLocation
                ? { location: c.eventHubLocation, name: EVENT_HUB_NAME, retentionDays: c.eventHubRetentionDays, consumerGroup: ALLOY_CONSUMER_GROUP }
                : null,
        },
    };
    return [
        {
            path: `managed/${c.name}.json`,
            content: JSON.stringify(doc, null, 2) + "\n",
            description: `AKS diagnostic setting: ${c.categories.join(", ")}`,
        },
    ];
}
