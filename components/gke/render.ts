import type { GkeCluster } from "../config/gke";
import { gkeAuditSinkFilter, gkeSubscriptionPath } from "./filter";
import { gkeSummary } from "./summary";

/** `render`'s review file for a GKE cluster: the summary and the exact sink filter. */
export function renderGkeArtifacts(c: GkeCluster): { path: string; content: string; description: string }[] {
    const doc = {
        summary: gkeSummary(c),
        dataAccess: { service: "container.googleapis.com", logTypes: c.dataAccessLogTypes },
        apiServerComponentLogs: c.apiServerComponentLogs,
        sinkFilter: gkeAuditSinkFilter(c.project, c.location, c.clusterName).split("\n"),
        subscription: gkeSubscriptionPath(c),
    };
    return [
        {
            path: `managed/${c.name}.json`,
            content: JSON.stringify(doc, null, 2) + "\n",
            description: `GKE ${c.clusterName}: Data Access logs, sink filter, subscription`,
        },
    ];
}
