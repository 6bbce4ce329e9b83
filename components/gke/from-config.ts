import { firstName } from "../config/fields";
import type { GkeCluster } from "../config/gke";
import type { GkeAuditLoggingArgs } from "./audit-logging";
import { alloyServiceAccountId, gkePubsubName } from "./filter";

/**
 * Component args from a validated cluster config. `fleet` (the validated clusters) decides which cluster of a
 * project owns the project's Data Access config: the first one listed.
 */
export function gkeArgsFromConfig(c: GkeCluster, fleet: readonly { kind: string; name: string; project?: string }[] = [c]): GkeAuditLoggingArgs {
    const owner = fleet.find((o) => o.kind === "gke" && o.project === c.project);
    return {
        manageDataAccessLogs: owner === undefined || owner.name === c.name,
        project: c.project,
        location: c.location,
        clusterName: c.clusterName,
        dataAccessLogTypes: c.dataAccessLogTypes,
        apiServerComponentLogs: c.apiServerComponentLogs,
        subscriptionRetentionDays: c.subscriptionRetentionDays,
        maxDeliveryAttempts: c.maxDeliveryAttempts,
        alloyServiceAccountEmail: c.alloyServiceAccountEmail,
        allowAuditOff: c.allowAuditOff,
        // Named after the cluster's first name: a rename must not replace the subscription (and its backlog).
        pubsubName: gkePubsubName(firstName(c)),
        serviceAccountId: alloyServiceAccountId(firstName(c)),
    };
}
