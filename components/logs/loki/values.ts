import { DEFAULT_LOKI_VOLUME_SIZE, DEFAULT_SCALABLE_REPLICAS, LogsConfig, usesObjectStorage } from "../../config/logs";
import { type GatewayAccess, gatewayNginxSnippets, LEGACY_TENANT, lokiNetworkPolicies } from "./access";
import { ALERTMANAGER_PASSWORD_ENV, ALERTMANAGER_SECRET, RULE_FILE, RULER_SCRATCH_DIR, RULES_CONFIGMAP, RULES_DIR } from "./ruler";

/** Loki's default line limit (256 KB): longer audit lines are truncated, not dropped. */
export const MAX_LINE_SIZE_BYTES = 262144;
/** Schema start date: the first day any akko-audit Loki can hold (v13 + tsdb from the start). */
export const SCHEMA_FROM = "2024-04-01";
/** Secret (in the logs namespace) holding the gateway's `.htpasswd` (every user's line); created by LokiStack. */
export const GATEWAY_SECRET = "akko-audit-loki-gateway";
/** Secret holding object-storage credentials as environment variables (Distributed, SimpleScalable). */
export const STORAGE_SECRET = "akko-audit-loki-storage";
/** How long the compactor waits before deleting marked chunks (lets in-flight queries finish). */
export const RETENTION_DELETE_DELAY = "2h";

/**
 * No persistentVolumeClaimRetentionPolicy on Loki's StatefulSets, so Kubernetes keeps their claims (and the
 * audit events on them) when `destroy` uninstalls the release or they scale down. Chart 18.11.0 already
 * leaves it off for singleBinary, write and the Distributed StatefulSets (ingester, index-gateway,
 * compactor), but turns it on with whenDeleted: Delete for backend; pinned on every one of them so a chart
 * bump cannot change it.
 */
export const KEEP_CLAIMS = { enableStatefulSetAutoDeletePVC: false } as const;

/** The chart's name for SingleBinary (the chart calls it Monolithic; "SingleBinary" is its deprecated alias). */
export function chartDeploymentMode(mode: LogsConfig["mode"]): string {
    return mode === "SingleBinary" ? "Monolithic" : mode;
}

/**
 * The Distributed components (chart 18.11.0 needs all of them: the querier reaches the index through the
 * index gateway and the frontend through the query scheduler, by addresses the chart writes in Loki's
 * config). Ingesters are one StatefulSet with the chart's hard anti-affinity (one per node), not its default
 * three zone StatefulSets: without the rollout operator (off, one image less to mirror) a chart upgrade would
 * restart all three zones at once and stop every push; one StatefulSet rolls one ingester at a time, and
 * with replication factor 3 the other two keep taking writes. Each ingester keeps its write-ahead log on a
 * volume, so a restart replays what was not flushed yet. One compactor (Loki runs a single one).
 */
function distributedValues(logs: LogsConfig): Record<string, unknown> {
    const d = logs.distributed;
    return {
        ingester: {
            replicas: d.ingester,
            zoneAwareReplication: { enabled: false },
            persistence: {
                enabled: true,
                claims: [
                    { name: "data", accessModes: ["ReadWriteOnce"], size: d.ingesterVolumeSize, storageClass: logs.volume?.storageClass ?? null },
                ],
                ...KEEP_CLAIMS,
            },
        },
        distributor: { replicas: d.distributor },
        querier: { replicas: d.querier },
        queryFrontend: { replicas: d.queryFrontend },
        queryScheduler: { replicas: d.queryScheduler },
        indexGateway: { replicas: d.indexGateway, persistence: KEEP_CLAIMS },
        compactor: { replicas: 1, persistence: KEEP_CLAIMS },
    };
}

/** A tenant's rule file (ruleFiles in ./ruler). */
export interface TenantRules {
    tenant: string;
    content: string;
}

/**
 * The ruler's part of Loki's config: rules read from local files (RULES_DIR/<tenant>/), scratch on the data
 * volume, the rules API on (Grafana reads alert state through it; local storage makes it read-only), no
 * remote_write (the alerts are the only output), and the Alertmanager when logs.alerting names one (its
 * password expanded from the environment, never in the values).
 */
function rulerConfig(logs: LogsConfig): Record<string, unknown> {
    const a = logs.alerting;
    return {
        storage: { type: "local", local: { directory: RULES_DIR } },
        rule_path: RULER_SCRATCH_DIR,
        wal: { dir: "/var/loki/ruler-wal" },
        enable_api: true,
        evaluation_interval: "1m",
        ...(a?.alertmanagerUrl ? { alertmanager_url: a.alertmanagerUrl } : {}),
        ...(a?.alertmanagerUrl && a.passwordSecret
            ? { alertmanager_client: { basic_auth_username: a.username ?? "", basic_auth_password: `\${${ALERTMANAGER_PASSWORD_ENV}}` } }
            : {}),
    };
}

/**
 * What the pods that run the ruler (SingleBinary's, SimpleScalable's backend, Distributed's ruler) add: our
 * rules ConfigMap, each tenant's key mapped to <tenant>/RULE_FILE, mounted at RULES_DIR, and the Alertmanager
 * password. Not the chart's ruler.directories: chart 18.11.0 renders that ConfigMap only in Distributed mode,
 * while SingleBinary and backend pods mount it anyway (a pod that never starts).
 */
export function rulerPodValues(logs: LogsConfig, rules: readonly TenantRules[]): Record<string, unknown> {
    const withPassword = Boolean(logs.alerting?.alertmanagerUrl && logs.alerting.passwordSecret);
    return {
        extraVolumes: [
            {
                name: "akko-audit-rules",
                configMap: { name: RULES_CONFIGMAP, items: rules.map((r) => ({ key: `${r.tenant}.yaml`, path: `${r.tenant}/${RULE_FILE}` })) },
            },
        ],
        extraVolumeMounts: [{ name: "akko-audit-rules", mountPath: RULES_DIR, readOnly: true }],
        ...(withPassword
            ? { extraEnv: [{ name: ALERTMANAGER_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: ALERTMANAGER_SECRET, key: "password" } } }] }
            : {}),
    };
}

/**
 * Our rules ConfigMap, part of the release (extraObjects). binaryData, base64: the chart passes extraObjects
 * through `tpl`, which would read the alert templates ({{ $labels.x }}) and any "{{" in a pattern as its own.
 */
export function rulesConfigMap(rules: readonly TenantRules[]): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: RULES_CONFIGMAP, namespace: "{{ .Release.Namespace }}" },
        binaryData: Object.fromEntries(rules.map((r) => [`${r.tenant}.yaml`, Buffer.from(r.content, "utf8").toString("base64")])),
    };
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
    if (!usesObjectStorage(logs.mode) || !s) return { type: "filesystem" };
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
 * TLS ingress when a public host is configured, and every image from the mirror when one is set. Access: one
 * tenant per cluster (auth_enabled), the gateway mapping each user to its tenants and paths (`access`, see
 * gatewayAccess; default: only the read user), cross-tenant queries for the read user, the delete API off
 * unless logs.deleteApi.enabled, and a NetworkPolicy keeping every pod but the gateway away from Loki.
 */
export function lokiValues(
    logs: LogsConfig,
    access: GatewayAccess = { readUser: logs.gatewayUser, readTenants: [LEGACY_TENANT], pushers: [], forwarders: [] },
    rules: readonly TenantRules[] = [],
): Record<string, unknown> {
    const scalable = logs.mode === "SimpleScalable";
    const objectStorage = usesObjectStorage(logs.mode) ? logs.objectStorage : undefined;
    const objectStore = objectStorage ? objectStorage.type : "filesystem";
    const registry = logs.mirrors.imageRegistry;
    const withCredentials = Boolean(objectStorage?.credentialsSecret);
    const host = logs.ingress?.lokiHost;
    const replicas = scalable ? DEFAULT_SCALABLE_REPLICAS : 0;
    // The pods that evaluate rules: SingleBinary's (target all), SimpleScalable's backend, Distributed's ruler.
    const ruler = rulerPodValues(logs, rules);

    return {
        deploymentMode: chartDeploymentMode(logs.mode),
        ...(registry ? { global: { imageRegistry: registry } } : {}),
        loki: {
            // One tenant per cluster: the gateway sets X-Scope-OrgID from the user (gatewayNginxSnippets).
            auth_enabled: true,
            // The read user's "a|b|c" header queries every cluster at once (push and tail refuse it).
            querier: { multi_tenant_queries_enabled: true },
            // No usage reports to stats.grafana.org: audit sites (often air-gapped) send nothing out.
            analytics: { reporting_enabled: false },
            image: image(registry, logs.images?.loki),
            commonConfig: { replication_factor: usesObjectStorage(logs.mode) ? 3 : 1 },
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
                // Audit events leave by retention only, unless the delete API is turned on (its own user).
                deletion_mode: logs.deleteApi?.enabled ? "filter-and-delete" : "disabled",
            },
            rulerConfig: rulerConfig(logs),
            compactor: {
                retention_enabled: true,
                delete_request_store: objectStore,
                retention_delete_delay: RETENTION_DELETE_DELAY,
                compaction_interval: "10m",
                working_directory: "/var/loki/compactor",
            },
        },
        singleBinary: usesObjectStorage(logs.mode)
            ? { replicas: 0 }
            : {
                  replicas: 1,
                  ...ruler,
                  persistence: {
                      enabled: true,
                      size: logs.volume?.size ?? DEFAULT_LOKI_VOLUME_SIZE,
                      storageClass: logs.volume?.storageClass ?? null,
                      ...KEEP_CLAIMS,
                  },
              },
        write: { replicas, persistence: KEEP_CLAIMS },
        read: { replicas },
        backend: { replicas, persistence: KEEP_CLAIMS, ...(scalable ? ruler : {}) },
        // One ruler (Distributed): it evaluates every tenant's groups; its ring (memberlist, the chart's common
        // config) would spread them over more replicas, but alerts are few and a restart only delays them.
        ruler: { enabled: true, ...(logs.mode === "Distributed" ? { replicas: 1, ...ruler } : {}) },
        ...(logs.mode === "Distributed" ? distributedValues(logs) : {}),
        ...(withCredentials ? { defaults: storageCredentialDefaults(objectStorage!.type) } : {}),
        gateway: {
            enabled: true,
            image: image(registry, logs.images?.gateway),
            basicAuth: { enabled: true, existingSecret: GATEWAY_SECRET },
            nginxConfig: gatewayNginxSnippets(access),
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
        // Ours instead (lokiNetworkPolicies): the chart's admits every pod on 3100 and cuts object storage.
        networkPolicy: { enabled: false },
        extraObjects: [...lokiNetworkPolicies(), rulesConfigMap(rules)],
        // Small installs: no memcached, no canary, no test pod, no bundled MinIO (nothing else to pull).
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        minio: { enabled: false },
        // The rules sidecar loads alerting rules from ConfigMaps and Secrets of every namespace, through a ClusterRole
        // that reads every Secret in the cluster; our rules come from our own ConfigMap (rulerPodValues), so it stays off.
        sidecar: { image: image(registry, logs.images?.sidecar), rules: { enabled: false } },
    };
}
