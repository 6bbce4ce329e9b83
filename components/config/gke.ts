import { z } from "zod";
import { allowAuditOff, allowed, clusterName, previousNames, intInRange, oneOf, strictObject } from "./fields";
import type { KindRules } from "./kind-rules";

export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** A region (europe-west1) or a zone (europe-west1-b). */
export const GCP_LOCATION = /^[a-z]+-[a-z]+\d+(-[a-z])?$/;
export const GKE_CLUSTER_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
export const DATA_ACCESS_LOG_TYPES = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"] as const;
export type DataAccessLogType = (typeof DATA_ACCESS_LOG_TYPES)[number];
export const DEFAULT_DATA_ACCESS_LOG_TYPES: DataAccessLogType[] = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"];
/** Pub/Sub keeps unacknowledged messages at most 31 days. */
export const MAX_PUBSUB_RETENTION_DAYS = 31;
export const DEFAULT_SUBSCRIPTION_RETENTION_DAYS = 7;
export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;
/** A user-managed service account: <id>@<project>.iam.gserviceaccount.com. */
export const GCP_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

export const GkeClusterSchema = strictObject({
    name: clusterName,
    /** Earlier names of this cluster: renaming keeps its resources (aliases). Default none. */
    previousNames,
    kind: z.literal("gke"),
    /** GCP project id of the cluster. */
    project: z
        .string(allowed("a GCP project id: 6-30 lowercase letters, digits and '-'"))
        .regex(GCP_PROJECT_ID, allowed("a GCP project id: 6-30 lowercase letters, digits and '-'")),
    /** Region or zone of the cluster, e.g. europe-west1 or europe-west1-b. */
    location: z
        .string(allowed("a GCP region or zone such as europe-west1 or europe-west1-b"))
        .regex(GCP_LOCATION, allowed("a GCP region or zone such as europe-west1 or europe-west1-b")),
    /** The existing GKE cluster's name. */
    clusterName: z
        .string(allowed("a GKE cluster name: lowercase letters, digits and '-', at most 40 characters"))
        .regex(GKE_CLUSTER_NAME, allowed("a GKE cluster name: lowercase letters, digits and '-', at most 40 characters")),
    /** Data Access audit log types for the Kubernetes Engine API. Default ADMIN_READ, DATA_READ, DATA_WRITE. */
    dataAccessLogTypes: z
        .array(oneOf(DATA_ACCESS_LOG_TYPES), allowed(`a list of ${DATA_ACCESS_LOG_TYPES.join(" | ")}`))
        .refine((l) => new Set(l).size === l.length, allowed("a list without repeats"))
        .default(DEFAULT_DATA_ACCESS_LOG_TYPES),
    /** Turn on the API_SERVER component logs (the runbook's --logging=...,API_SERVER). Default true. */
    apiServerComponentLogs: z.boolean(allowed("true or false")).default(true),
    /** Days the Pub/Sub subscription keeps events Alloy has not acknowledged (1-31). Default 7. */
    subscriptionRetentionDays: intInRange(1, MAX_PUBSUB_RETENTION_DAYS, "days").default(DEFAULT_SUBSCRIPTION_RETENTION_DAYS),
    /** Deliveries before an event goes to the dead-letter topic (5-100). Default 10. */
    maxDeliveryAttempts: intInRange(5, 100, "attempts").default(DEFAULT_MAX_DELIVERY_ATTEMPTS),
    /**
     * Existing service account the central Alloy pulls with (the one behind logs.receivers.gcpCredentialsSecret);
     * it gets subscriber on this cluster's subscription only. Default: with gcpCredentialsSecret, a dedicated
     * account alloy-<name>; without, the first GKE cluster's alloy-<name> account (its key is made for Alloy).
     */
    alloyServiceAccountEmail: z
        .string(allowed("a service account email such as alloy-audit@my-project.iam.gserviceaccount.com"))
        .regex(GCP_SERVICE_ACCOUNT, allowed("a service account email such as alloy-audit@my-project.iam.gserviceaccount.com"))
        .optional(),
    /**
     * Service account to impersonate for this cluster's project: every resource and GKE API call acts as it.
     * Default: the stack's GCP identity (gcp:impersonateServiceAccount, or the environment's credentials).
     */
    impersonateServiceAccount: z
        .string(allowed("a service account email such as akko-audit-deployer@my-project.iam.gserviceaccount.com"))
        .regex(GCP_SERVICE_ACCOUNT, allowed("a service account email such as akko-audit-deployer@my-project.iam.gserviceaccount.com"))
        .optional(),
    allowAuditOff,
});

export type GkeCluster = z.infer<typeof GkeClusterSchema>;

/** The fleet rules of a GKE cluster (KIND_RULES). */
export const gkeRules: KindRules<GkeCluster> = {
    secretRefs: () => [],
    bufferRetention: (c) => ({ field: "subscriptionRetentionDays", days: c.subscriptionRetentionDays }),
    identity: (c) => ({ id: `gke/${c.project}/${c.location}/${c.clusterName}`, field: "clusterName", value: c.clusterName }),
    problems: (c, { where, index, place, fleet }) => {
        // Data Access logs are a project setting: every cluster of a project must ask for the same.
        const first = [...fleet].find(([, o]) => o.kind === "gke" && o.project === c.project);
        if (first && first[0] !== index && [...(first[1].dataAccessLogTypes ?? [])].sort().join() !== [...c.dataAccessLogTypes].sort().join()) {
            return [
                `${where}: field dataAccessLogTypes: got ${JSON.stringify(c.dataAccessLogTypes)}; allowed: ${JSON.stringify(first[1].dataAccessLogTypes)} as on ${place?.(first[0]) ?? `clusters[${first[0]}]`} (Data Access logs are set per project, ${c.project})`,
            ];
        }
        return [];
    },
};
