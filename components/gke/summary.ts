import { gkeSubscriptionPath } from "./filter";
import type { GkeCluster } from "../config/gke";
import type { ClusterSummary } from "../platform";

/** The summary of a GKE cluster's audit logging (pure: for status outputs and the coverage report). */
export function gkeSummary(c: GkeCluster): ClusterSummary {
    const gaps: string[] = [];
    if (!c.dataAccessLogTypes.includes("DATA_READ"))
        gaps.push("no reads: without DATA_READ Data Access logs, Secret gets and lists are not recorded");
    gaps.push("GKE's audit policy is fixed by Google and cannot be changed; lease renewals are filtered out");
    return {
        cluster: c.name,
        kind: "gke",
        enabled: [
            "Admin Activity audit logs (always on)",
            ...(c.dataAccessLogTypes.length > 0
                ? [`Data Access audit logs ${c.dataAccessLogTypes.join(", ")} for container.googleapis.com (whole project)`]
                : []),
            ...(c.apiServerComponentLogs ? ["API_SERVER component logs"] : []),
        ],
        cloudCopy: `Cloud Logging in ${c.project} (the _Required and _Default buckets' own retention)`,
        toLoki: `Log Router sink -> Pub/Sub topic -> pull subscription ${gkeSubscriptionPath(c)} (${c.subscriptionRetentionDays} days, dead-letter after ${c.maxDeliveryAttempts} attempts) -> Alloy loki.source.gcplog`,
        cloudRetentionDays: c.subscriptionRetentionDays,
        gaps,
    };
}
