import { firstName } from "../config/fields";

/** Lease renewals by controllers: most of the volume, no audit value. */
export const LEASE_UPDATE_METHOD = "io.k8s.coordination.v1.leases.update";

/**
 * The Log Router filter for one cluster's Kubernetes audit entries: Admin Activity and Data Access logs of
 * the k8s.io service (the Kubernetes API, not the GKE control API), without lease renewals.
 */
export function gkeAuditSinkFilter(project: string, location: string, clusterName: string): string {
    return [
        `logName=("projects/${project}/logs/cloudaudit.googleapis.com%2Factivity" OR "projects/${project}/logs/cloudaudit.googleapis.com%2Fdata_access")`,
        `protoPayload.serviceName="k8s.io"`,
        `resource.type="k8s_cluster"`,
        `resource.labels.project_id="${project}"`,
        `resource.labels.location="${location}"`,
        `resource.labels.cluster_name="${clusterName}"`,
        `NOT protoPayload.methodName="${LEASE_UPDATE_METHOD}"`,
    ].join("\nAND ");
}

/** The topic and subscription name the logs side expects by default (projects/<p>/subscriptions/akko-audit-<cluster>). */
export function gkePubsubName(name: string): string {
    return `akko-audit-${name}`;
}

/** The pull subscription this stack creates for a cluster (named after its first name: renames keep it). */
export function gkeSubscriptionPath(c: { project: string; name: string; previousNames: readonly string[] }): string {
    return `projects/${c.project}/subscriptions/${gkePubsubName(firstName(c))}`;
}

/** A service account id (6-30 chars, [a-z][a-z0-9-]*[a-z0-9]) from a component name. */
export function alloyServiceAccountId(name: string): string {
    const id = `alloy-${name}`.slice(0, 30).replace(/-+$/, "");
    // Short names would be valid, but a suffix makes the account's purpose plain in the IAM console.
    return id.length >= 8 ? id : `${id}-audit`;
}

/** The Pub/Sub service agent, which moves undeliverable messages to the dead-letter topic. */
export function pubsubServiceAgent(projectNumber: string): string {
    return `serviceAccount:service-${projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
}
