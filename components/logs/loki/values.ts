import { DEFAULT_LOKI_VOLUME_SIZE, DEFAULT_SCALABLE_REPLICAS, LogsConfig } from "../../config/logs";

/** Loki's default line limit (256 KB): longer audit lines are truncated, not dropped. */
export const MAX_LINE_SIZE_BYTES = 262144;
/** Schema start date: the first day any akko-audit Loki can hold (v13 + tsdb from the start). */
export const SCHEMA_FROM = "2024-04-01";
/** Secret (in the logs namespace) holding the gateway's `.htpasswd`; created by LokiStack. */
export const GATEWAY_SECRET = "akko-audit-loki-gateway";
/** Secret holding object-storage credentials as environment variables (SimpleScalable). */
export const STORAGE_SECRET = "akko-audit-loki-storage";
/** How long the compactor waits before deleting marked chunks (lets in-flight queries finish). */
export const RETENTION_DELETE_DELAY = "2h";

/**
 * No persistentVolumeClaimRetentionPolicy on Loki's StatefulSets, so Kubernetes keeps their claims (and the
 * audit events on them) when `destroy` uninstalls the release or they scale down. Chart 18.11.0 already
 * leaves it off for singleBinary and write, but turns it on with whenDeleted: Delete for backend; pinned here
 * so a chart bump cannot change it.
 */
export const KEEP_CLAIMS = { enableStatefulSetAutoDeletePVC: false } as const;

/** The chart's name for SingleBinary (the chart calls it Monolithic; "SingleBinary" is its deprecated alias). */
export function chartDeploymentMode(mode: LogsConfig["mode"]): string {
    return mode === "SingleBinary" ? "Monolithic" : "SimpleScalable";
}

function image(registry: string | undefined, override: { repository?: string; tag?: string } | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    if (registry) out.registry = registry;
    if (override?.repository) out.repository = override.repository;
    if (override?.tag) out.tag = override.tag;
    return out;
}

function storage(logs: LogsConfig): Record<string, unknown> {
    const s = logs.objectStorage;
    if (logs.mode === "SingleBinary" || !s) return { type: "filesystem" };
    const buckets = { chunks: s.bucket, ruler: s.bucket, admin: s.bucket };
    switch (s.type) {
        case "s3":
            return {
                type: "s3",
                bucketNames: buckets,
                s3: {
                    region: s.region ?? null,
                    endpoint: s.endpoint ?? null,
                    // MinIO, Ceph and most S3-compatible stores serve buckets by path, not as a subdomain.
                    s3ForcePathStyle: s.pathStyle ?? Boolean(s.endpoint),
                    // Expanded by Loki (-config.expand-env) from the storage Secret: never in the values.
                    ...(s.credentialsSecret ? { accessKeyId: "${S3_ACCESS_KEY_ID}", secretAccessKey: "${S3_SECRET_ACCESS_KEY}" } : {}),
                },
            };
        case "gcs":
            return { type: "gcs", bucketNames: buckets };
        case "azure":
            return {
                type: "azure",
                bucketNames: buckets,
                azure: {
                    accountName: s.accountName ?? null,
                    ...(s.credentialsSecret ? { accountKey: "${AZURE_ACCOUNT_KEY}" } : { useManagedIdentity: true }),
                },
            };
    }
}

/** Where Loki finds the GCS service-account key (mounted from the storage Secret). */
export const GCS_KEY_DIR = "/etc/loki/gcs";

/**
 * How Loki's pods get object-storage credentials from the storage Secret: S3 keys and the Azure account key
 * as environment variables expanded in the config (-config.expand-env), the GCS key as a mounted file.
 */
export function storageCredentialDefaults(type: "s3" | "gcs" | "azure"): Record<string, unknown> {
    if (type === "gcs") {
        return {
            extraEnv: [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: `${GCS_KEY_DIR}/key.json` }],
            extraVolumes: [{ name: "gcs-key", secret: { secretName: STORAGE_SECRET } }],
            extraVolumeMounts: [{ name: "gcs-key", mountPath: GCS_KEY_DIR, readOnly: true }],
        };
    }
    return { extraArgs: ["-config.expand-env=true"], extraEnvFrom: [{ secretRef: { name: STORAGE_SECRET } }] };
}

/**
 * Values of the grafana-community Loki chart, a pure function of the logs config. Retention is enforced
 * (compactor retention + delete_request_store + 24h index period), schema v13 on tsdb, structured metadata
 * allowed, long lines truncated, the gateway behind basic auth (htpasswd from a Secret this program makes),
 * TLS ingress when a public host is configured, and every image from the mirror when one is set.
 */
export function lokiValues(logs: LogsConfig): Record<string, unknown> {
    const scalable = logs.mode === "SimpleScalable";
    const objectStore = scalable && logs.objectStorage ? logs.objectStorage.type : "filesystem";
    const registry = logs.mirrors.imageRegistry;
    const withCredentials = scalable && Boolean(logs.objectStorage?.credentialsSecret);
    const host = logs.ingress?.lokiHost;
    const replicas = scalable ? DEFAULT_SCALABLE_REPLICAS : 0;

    return {
        deploymentMode: chartDeploymentMode(logs.mode),
        ...(registry ? { global: { imageRegistry: registry } } : {}),
        loki: {
            // One tenant: the gateway authenticates; Loki's own multi-tenancy is not used.
            auth_enabled: false,
            // No usage reports to stats.grafana.org: audit sites (often air-gapped) send nothing out.
            analytics: { reporting_enabled: false },
            image: image(registry, logs.images?.loki),
            commonConfig: { replication_factor: scalable ? 3 : 1 },
            storage: storage(logs),
            schemaConfig: {
                configs: [{ from: SCHEMA_FROM, store: "tsdb", object_store: objectStore, schema: "v13", index: { prefix: "index_", period: "24h" } }],
            },
            limits_config: {
                retention_period: `${logs.retentionDays * 24}h`,
                allow_structured_metadata: true,
                max_line_size: MAX_LINE_SIZE_BYTES,
                max_line_size_truncate: true,
                // Buffered events (k3s rotation, cloud retention) never outlive Loki's retention, so anything
                // younger than the retention is accepted however late it arrives.
                reject_old_samples: true,
                reject_old_samples_max_age: `${logs.retentionDays * 24}h`,
                volume_enabled: true,
            },
            compactor: {
                retention_enabled: true,
                delete_request_store: objectStore,
                retention_delete_delay: RETENTION_DELETE_DELAY,
                compaction_interval: "10m",
                working_directory: "/var/loki/compactor",
            },
        },
        singleBinary: scalable
            ? { replicas: 0 }
            : {
                  replicas: 1,
                  persistence: {
                      enabled: true,
                      size: logs.volume?.size ?? DEFAULT_LOKI_VOLUME_SIZE,
                      storageClass: logs.volume?.storageClass ?? null,
                      ...KEEP_CLAIMS,
                  },
              },
        write: { replicas, persistence: KEEP_CLAIMS },
        read: { replicas },
        backend: { replicas, persistence: KEEP_CLAIMS },
        ...(withCredentials ? { defaults: storageCredentialDefaults(logs.objectStorage!.type) } : {}),
        gateway: {
            enabled: true,
            image: image(registry, logs.images?.gateway),
            basicAuth: { enabled: true, existingSecret: GATEWAY_SECRET },
            // The access-log exporter sidecar (jkroepke/access-log-exporter) serves metrics nothing here scrapes:
            // one image fewer to mirror and run.
            metrics: { enabled: false },
            ingress: host
                ? {
                      enabled: true,
                      ingressClassName: logs.ingress?.className ?? "",
                      annotations: { "cert-manager.io/cluster-issuer": logs.ingress?.clusterIssuer ?? "" },
                      hosts: [{ host, paths: [{ path: "/", pathType: "Prefix" }] }],
                      tls: [{ secretName: "akko-audit-loki-tls", hosts: [host] }],
                  }
                : { enabled: false },
        },
        // Small installs: no memcached, no canary, no test pod, no bundled MinIO (nothing else to pull).
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        minio: { enabled: false },
        // The rules sidecar loads alerting rules from ConfigMaps and Secrets of every namespace, through a ClusterRole
        // that reads every Secret in the cluster; this layer ships no Loki rules, so it stays off.
        sidecar: { image: image(registry, logs.images?.sidecar), rules: { enabled: false } },
    };
}
