import { DATA_ACCESS_LOG_TYPES, GCP_LOCATION, GCP_SERVICE_ACCOUNT, GCP_PROJECT_ID, GKE_CLUSTER_NAME, MAX_PUBSUB_RETENTION_DAYS } from "../config/gke";
import type { GkeAuditLoggingArgs } from "./audit-logging";

/** Problems with the plain args, one line each (config is validated before; this guards direct use). */
export function gkeAuditLoggingProblems(name: string, args: GkeAuditLoggingArgs): string[] {
    const where = `GkeAuditLogging ${JSON.stringify(name)}`;
    const problems: string[] = [];
    if (!GCP_PROJECT_ID.test(args.project))
        problems.push(
            `${where}: field project: got ${JSON.stringify(args.project)}; allowed: a GCP project id: 6-30 lowercase letters, digits and '-'`,
        );
    if (!GCP_LOCATION.test(args.location))
        problems.push(
            `${where}: field location: got ${JSON.stringify(args.location)}; allowed: a GCP region or zone such as europe-west1 or europe-west1-b`,
        );
    if (!GKE_CLUSTER_NAME.test(args.clusterName))
        problems.push(
            `${where}: field clusterName: got ${JSON.stringify(args.clusterName)}; allowed: a GKE cluster name: lowercase letters, digits and '-', at most 40 characters`,
        );
    for (const t of args.dataAccessLogTypes ?? []) {
        if (!(DATA_ACCESS_LOG_TYPES as readonly string[]).includes(t))
            problems.push(`${where}: field dataAccessLogTypes: got ${JSON.stringify(t)}; allowed: ${DATA_ACCESS_LOG_TYPES.join(" | ")}`);
    }
    const days = args.subscriptionRetentionDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_PUBSUB_RETENTION_DAYS)) {
        problems.push(
            `${where}: field subscriptionRetentionDays: got ${JSON.stringify(days)}; allowed: a whole number of days from 1 to ${MAX_PUBSUB_RETENTION_DAYS}`,
        );
    }
    const attempts = args.maxDeliveryAttempts;
    if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 5 || attempts > 100)) {
        problems.push(`${where}: field maxDeliveryAttempts: got ${JSON.stringify(attempts)}; allowed: a whole number of attempts from 5 to 100`);
    }
    const email = args.subscriberServiceAccountEmail;
    if (email !== undefined && !GCP_SERVICE_ACCOUNT.test(email)) {
        problems.push(
            `${where}: field subscriberServiceAccountEmail: got ${JSON.stringify(email)}; allowed: a service account email such as alloy-audit@my-project.iam.gserviceaccount.com`,
        );
    }
    return problems;
}

export function checkGkeAuditLoggingArgs(name: string, args: GkeAuditLoggingArgs): void {
    const problems = gkeAuditLoggingProblems(name, args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
