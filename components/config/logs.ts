import { openSync, readSync, closeSync, statSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { DetectionsSchema } from "./detections";
import { EvidenceSchema, evidenceSecretRefs } from "./evidence";
import { allowed, clusterName, DNS_LABEL, intInRange, oneOf, secretRef, strictObject } from "./fields";

export const LOKI_MODES = ["SingleBinary", "Distributed", "SimpleScalable"] as const;
export type LokiMode = (typeof LOKI_MODES)[number];
export const DEFAULT_LOKI_MODE: LokiMode = "SingleBinary";
/** Modes still accepted but on their way out, with why (shown as a warning by every command that reads the stack). */
export const DEPRECATED_LOKI_MODES: Partial<Record<LokiMode, string>> = {
    SimpleScalable: "deprecated by the Loki chart (removed in Loki 4); use Distributed for scale-out",
};
export const DEFAULT_LOKI_RETENTION_DAYS = 30;

/** Namespace of Loki, the central Alloy and (optionally) Grafana in the logs cluster. */
export const DEFAULT_LOGS_NAMESPACE = "akko-audit-logs";
/** Since March 2026 the open-source Loki chart is published by grafana-community. */
export const DEFAULT_LOKI_CHART = { repository: "oci://ghcr.io/grafana-community/helm-charts", version: "18.11.0" } as const;
export const DEFAULT_ALLOY_CHART = { repository: "https://grafana.github.io/helm-charts", version: "1.11.1" } as const;
export const DEFAULT_GRAFANA_CHART = { repository: "https://grafana-community.github.io/helm-charts", version: "12.11.1" } as const;
/** Size of Loki's persistent volume in SingleBinary mode (filesystem storage). */
export const DEFAULT_LOKI_VOLUME_SIZE = "50Gi";
/** Replicas of each SimpleScalable target (read, write, backend). */
export const DEFAULT_SCALABLE_REPLICAS = 3;
/**
 * Replicas of each Distributed component. Ingesters: 3, the replication factor (every stream is written to 3).
 * The others: 2, so one can be down (a rollout, a node drain) without stopping push or query. The compactor
 * is not here: Loki runs exactly one (its sizing guide: "1 (Singleton)").
 */
export const DEFAULT_DISTRIBUTED_REPLICAS = {
    ingester: 3,
    distributor: 2,
    querier: 2,
    queryFrontend: 2,
    queryScheduler: 2,
    indexGateway: 2,
} as const;
/** Each ingester's volume (its write-ahead log, replayed after a restart). The chart's own default claim size. */
export const DEFAULT_INGESTER_VOLUME_SIZE = "10Gi";
/** User the gateway's basic auth knows (the password comes from secret config). */
export const DEFAULT_GATEWAY_USER = "akko-audit";
export const OBJECT_STORAGE_TYPES = ["s3", "gcs", "azure"] as const;
/** How OpenShift clusters ship: an Alloy DaemonSet on the masters, or the Logging operator's ClusterLogForwarder. */
export const OPENSHIFT_FORWARDERS = ["alloy", "clusterLogForwarder"] as const;
export type OpenShiftForwarder = (typeof OPENSHIFT_FORWARDERS)[number];
export const DEFAULT_OPENSHIFT_FORWARDER: OpenShiftForwarder = "alloy";
export type ObjectStorageType = (typeof OBJECT_STORAGE_TYPES)[number];

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9._-]+)*$/;
const CHART_REPO = /^(oci|https?):\/\/[^\s]+$/;
/** One or more PEM certificates and nothing else. */
const PEM_CERTS = /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;
/** A relative path inside the project (no leading /, no ..) to a .tgz. */
const CHART_FILE = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+\.tgz$/;
/** Largest chart archive a k3s HelmChart may carry: base64 makes it 4/3 larger, and helm-controller keeps it in a ConfigMap (1 MiB at most). */
export const MAX_K3S_CHART_BYTES = 768 * 1024;
const CHART_VERSION = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const IMAGE_REPOSITORY = /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const QUANTITY = /^\d+(Ki|Mi|Gi|Ti)$/;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const EVENT_HUB_NAMESPACE = /^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]\.servicebus\.windows\.net$/;
const EVENT_HUB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;
const PUBSUB_SUBSCRIPTION = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/subscriptions\/[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/;

const hostName = z.string(allowed("a DNS name such as loki.example.net")).regex(HOST_NAME, allowed("a DNS name such as loki.example.net"));

export const MirrorsSchema = strictObject({
    /** Registry that serves every image (air-gapped sites), e.g. registry.internal:5000/mirror. Default: upstream. */
    imageRegistry: z
        .string(allowed("a registry host[:port][/path] such as registry.internal:5000/mirror"))
        .regex(REGISTRY, allowed("a registry host[:port][/path] such as registry.internal:5000/mirror"))
        .optional(),
    /** Helm chart repository that serves every chart, oci:// or https://. Default: upstream (see charts). */
    chartRepository: z
        .string(allowed("an oci:// or https:// chart repository URL"))
        .regex(CHART_REPO, allowed("an oci:// or https:// chart repository URL"))
        .optional(),
    /**
     * PEM of the CA that signs the chart repositories' TLS certificates (a private CA), one or more
     * certificates. A CA certificate is public: plain config. Default: the system's trust store.
     */
    chartRepositoryCa: z
        .string(allowed("PEM text of one or more CA certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)"))
        .regex(PEM_CERTS, allowed("PEM text of one or more CA certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)"))
        .optional(),
    /** Secret config key with that CA's PEM, for sites that keep it out of plain config (not both). Default: none. */
    chartRepositoryCaSecret: secretRef.optional(),
    /** Secret config key with the chart repository's basic-auth credentials as "USER:PASSWORD". Default: none (anonymous). */
    chartRepositoryAuthSecret: secretRef.optional(),
    /**
     * The oci:// chart registry speaks plain HTTP (k3s HelmChart `plainHTTP`). Only for oci:// (an http://
     * repository URL already says so). Default false.
     */
    chartRepositoryPlainHttp: z.boolean(allowed("true or false")).optional(),
    /**
     * Path of the Alloy chart's .tgz (from `helm pull`), relative to the project directory, packed into each
     * k3s HelmChart (`chartContent`): k3s servers then fetch no chart at all. At most 768 KiB (base64 makes it
     * 1 MiB, what helm-controller's ConfigMap for it can hold). Default: k3s fetches the chart from the repository.
     */
    k3sAlloyChartFile: z
        .string(allowed("a relative path to a .tgz file such as charts/alloy-1.11.1.tgz"))
        .regex(CHART_FILE, allowed("a relative path to a .tgz file such as charts/alloy-1.11.1.tgz"))
        .optional(),
});

export const ChartSchema = strictObject({
    /**
     * Where it comes from. Charts: an oci:// or https:// repository (default: upstream, or
     * mirrors.chartRepository). Images: the repository path without the registry, e.g. grafana/loki (default:
     * the chart's; the registry is mirrors.imageRegistry).
     */
    repository: z
        .string(allowed("an oci:// or https:// chart repository URL"))
        .regex(CHART_REPO, allowed("an oci:// or https:// chart repository URL"))
        .optional(),
    /** Chart version (pinned, so a second `pulumi up` changes nothing). Default: DEFAULT_*_CHART.version. */
    version: z.string(allowed("a chart version such as 18.11.0")).regex(CHART_VERSION, allowed("a chart version such as 18.11.0")).optional(),
});

export const ImageSchema = strictObject({
    repository: z
        .string(allowed("an image repository such as grafana/loki"))
        .regex(IMAGE_REPOSITORY, allowed("an image repository such as grafana/loki"))
        .optional(),
    /** Image tag. Default: the chart's appVersion. */
    tag: z.string(allowed("an image tag such as 3.7.6")).regex(IMAGE_TAG, allowed("an image tag such as 3.7.6")).optional(),
});

export const ObjectStorageSchema = strictObject({
    /** s3, gcs or azure. Required for Distributed and SimpleScalable. */
    type: oneOf(OBJECT_STORAGE_TYPES),
    /** Bucket (S3/GCS) or container (Azure) for chunks and index. */
    bucket: z
        .string(allowed("a bucket name: 3-63 lowercase letters, digits, '.', '_', '-'"))
        .regex(BUCKET, allowed("a bucket name: 3-63 lowercase letters, digits, '.', '_', '-'")),
    /** S3 region, e.g. eu-west-3 (s3 only). */
    region: z
        .string(allowed("an S3 region such as eu-west-3"))
        .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, allowed("an S3 region such as eu-west-3"))
        .optional(),
    /** S3-compatible endpoint (MinIO, Ceph...). Default: AWS. */
    endpoint: z
        .string(allowed("an https:// or http:// URL"))
        .regex(/^https?:\/\/[^\s]+$/, allowed("an https:// or http:// URL"))
        .optional(),
    /**
     * Address buckets by path (endpoint/bucket) rather than as a subdomain (bucket.endpoint), as MinIO and Ceph
     * need (s3 only). Default: true with a custom endpoint, false on AWS.
     */
    pathStyle: z.boolean(allowed("true or false")).optional(),
    /** Azure storage account name (azure only). */
    accountName: z
        .string(allowed("a storage account name: 3-24 lowercase letters and digits"))
        .regex(/^[a-z0-9]{3,24}$/, allowed("a storage account name: 3-24 lowercase letters and digits"))
        .optional(),
    /**
     * Secret config key with the credentials: S3 "ACCESS_KEY_ID:SECRET_ACCESS_KEY", GCS the service-account
     * key JSON, Azure the account key. Default: none (workload identity / instance role).
     */
    credentialsSecret: secretRef.optional(),
});

const replicas = (min: number, what: string, dflt: number) => intInRange(min, 100, what).default(dflt);

export const DistributedSchema = strictObject({
    /** Ingesters (write path: hold recent events, flush chunks to object storage). Default 3; at least 3, the replication factor. */
    ingester: replicas(3, "ingesters", DEFAULT_DISTRIBUTED_REPLICAS.ingester),
    /** Distributors (write path: validate pushes, hand each stream to 3 ingesters). Default 2. */
    distributor: replicas(1, "distributors", DEFAULT_DISTRIBUTED_REPLICAS.distributor),
    /** Queriers (read path: run LogQL over ingesters and object storage). Default 2. */
    querier: replicas(1, "queriers", DEFAULT_DISTRIBUTED_REPLICAS.querier),
    /** Query frontends (read path: split and queue queries). Default 2. */
    queryFrontend: replicas(1, "query frontends", DEFAULT_DISTRIBUTED_REPLICAS.queryFrontend),
    /** Query schedulers (read path: the queue between frontends and queriers). Default 2. */
    queryScheduler: replicas(1, "query schedulers", DEFAULT_DISTRIBUTED_REPLICAS.queryScheduler),
    /** Index gateways (read path: serve the tsdb index from object storage). Default 2. */
    indexGateway: replicas(1, "index gateways", DEFAULT_DISTRIBUTED_REPLICAS.indexGateway),
    /** Size of each ingester's volume (write-ahead log). Default 10Gi; StorageClass: volume.storageClass. */
    ingesterVolumeSize: z
        .string(allowed("a size such as 10Gi"))
        .regex(QUANTITY, allowed("a size such as 10Gi"))
        .default(DEFAULT_INGESTER_VOLUME_SIZE),
});
export type DistributedConfig = z.infer<typeof DistributedSchema>;

export const IngressSchema = strictObject({
    /** IngressClass of the controller that exposes Loki and the receivers. Default: the cluster's default class. */
    className: z.string(allowed("an IngressClass name such as nginx")).regex(DNS_LABEL, allowed("an IngressClass name such as nginx")).optional(),
    /** cert-manager ClusterIssuer that signs the TLS certificates. Required when any host is set. */
    clusterIssuer: z
        .string(allowed("a ClusterIssuer name such as letsencrypt-prod"))
        .regex(DNS_LABEL, allowed("a ClusterIssuer name such as letsencrypt-prod"))
        .optional(),
    /** Public name of Loki's gateway (push and query, basic auth, TLS). Needed by k3s and OpenShift clusters. Default: not exposed. */
    lokiHost: hostName.optional(),
    /** Public name of the central Alloy's OTLP receivers (OpenShift ClusterLogForwarder mode). Default: not exposed. */
    receiversHost: hostName.optional(),
});

export const DeleteApiSchema = strictObject({
    /** Turn the delete API on (Loki deletion_mode filter-and-delete). Default false (deletion_mode disabled). */
    enabled: z.boolean(allowed("true or false")).default(false),
    /** Secret config key with the delete user's password. Required when enabled. */
    passwordSecret: secretRef.optional(),
});

export const EventHubSchema = strictObject({
    /** Event Hubs namespace FQDN, e.g. evhns-audit.servicebus.windows.net (the AKS component's output). */
    eventHubNamespace: z
        .string(allowed("an Event Hubs namespace such as evhns-audit.servicebus.windows.net"))
        .regex(EVENT_HUB_NAMESPACE, allowed("an Event Hubs namespace such as evhns-audit.servicebus.windows.net")),
    /** Event Hub name inside the namespace. */
    eventHub: z.string(allowed("an Event Hub name")).regex(EVENT_HUB_NAME, allowed("an Event Hub name")),
    /** Secret config key with the listen-only connection string. */
    connectionStringSecret: secretRef,
    /** Kafka consumer group Alloy reads with. Default akko-audit. */
    consumerGroup: z.string(allowed("a consumer group name")).regex(EVENT_HUB_NAME, allowed("a consumer group name")).optional(),
});

export const ReceiversSchema = strictObject({
    /**
     * Secret config key with the GCP service-account key JSON Alloy pulls every GKE subscription with (an
     * account managed elsewhere). Default: none — the first GKE cluster's Alloy account gets a key in the same
     * `pulumi up`, and every GKE cluster grants that account on its subscription.
     */
    gcpCredentialsSecret: secretRef.optional(),
    /**
     * Pub/Sub subscription per GKE cluster (by cluster name). Default
     * projects/<project>/subscriptions/akko-audit-<cluster name>.
     */
    gcpSubscriptions: z
        .record(
            clusterName,
            z.string(allowed("projects/<project>/subscriptions/<id>")).regex(PUBSUB_SUBSCRIPTION, allowed("projects/<project>/subscriptions/<id>")),
            allowed("a mapping of GKE cluster name to subscription path"),
        )
        .optional(),
    /**
     * Event Hub per AKS cluster managed elsewhere (by cluster name). Default: none — an AKS cluster with
     * eventHubLocation gets its hub from this stack, wired into the central Alloy in the same `pulumi up`.
     */
    eventHubs: z
        .record(clusterName, EventHubSchema, allowed("a mapping of AKS cluster name to {eventHubNamespace, eventHub, connectionStringSecret}"))
        .optional(),
});

export const LogsImagesSchema = strictObject({
    /** Loki: its image (under images) or its chart (under charts, default DEFAULT_LOKI_CHART). */
    loki: ImageSchema.optional(),
    /** nginx image of Loki's gateway. */
    gateway: ImageSchema.optional(),
    /** Alloy: its image (under images) or its chart (under charts, default DEFAULT_ALLOY_CHART). */
    alloy: ImageSchema.optional(),
    /** Alloy's config-reloader image. */
    configReloader: ImageSchema.optional(),
    /** Grafana: its image (under images) or its chart (under charts, default DEFAULT_GRAFANA_CHART). */
    grafana: ImageSchema.optional(),
    /** k8s-sidecar image (Grafana's dashboard sidecar). */
    sidecar: ImageSchema.optional(),
});

/** Where the Loki ruler sends alerts (logs.alerting). */
export const AlertingSchema = strictObject({
    /**
     * Alertmanager the Loki ruler posts firing alerts to (its base URL, e.g. http://alertmanager.monitoring:9093).
     * Default: none; rules still evaluate and their state shows in Grafana (Alerting, the Loki data source's rules).
     */
    alertmanagerUrl: z
        .string(allowed("an http(s) URL such as http://alertmanager.monitoring:9093"))
        .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, allowed("an http(s) URL such as http://alertmanager.monitoring:9093"))
        .optional(),
    /** Basic-auth user for the Alertmanager (with passwordSecret). Default: none. */
    username: z
        .string(allowed("a user name of letters, digits, '.', '_', '@', '-'"))
        .regex(/^[A-Za-z0-9._@-]{1,128}$/, allowed("a user name of letters, digits, '.', '_', '@', '-'"))
        .optional(),
    /** Secret config key with the Alertmanager basic-auth password (with username). Default: none. */
    passwordSecret: secretRef.optional(),
});

export const LogsSchema = strictObject({
    /** Days Loki keeps audit events (compactor-enforced). Default 30. */
    retentionDays: intInRange(1, 3650, "days").default(DEFAULT_LOKI_RETENTION_DAYS),
    /**
     * SingleBinary (one pod, filesystem volume, no object store), Distributed (Loki's microservices on object
     * storage: the scale-out) or SimpleScalable (read/write/backend on object storage; deprecated by the chart,
     * removed in Loki 4). Default SingleBinary.
     */
    mode: oneOf(LOKI_MODES).default(DEFAULT_LOKI_MODE),
    /** Replicas of each Distributed component (ignored by the other modes). Default: each field's default. */
    distributed: DistributedSchema.prefault({}),
    /** Image and chart mirrors for air-gapped sites. Default: none (upstream). */
    mirrors: MirrorsSchema.default({}),
    /** Secret config key with the kubeconfig of the logs cluster. Required unless useAmbientKubeconfig. */
    kubeconfigSecret: secretRef.optional(),
    /**
     * Install the logs layer into the current context of the ambient kubeconfig (KUBECONFIG or ~/.kube/config
     * of whoever runs `pulumi up`) instead of kubeconfigSecret. Default false: whatever context is current on
     * a laptop (or none, in CI) must not decide where Loki and its data go.
     */
    useAmbientKubeconfig: z.boolean(allowed("true or false")).default(false),
    /** Namespace in the logs cluster. Default akko-audit-logs. */
    namespace: z
        .string(allowed("a namespace name: lowercase letters, digits and '-'"))
        .regex(DNS_LABEL, allowed("a namespace name: lowercase letters, digits and '-'"))
        .default(DEFAULT_LOGS_NAMESPACE),
    /** Charts: loki, alloy, grafana, each {repository, version}. Default: DEFAULT_*_CHART. */
    charts: strictObject({
        loki: ChartSchema.optional(),
        alloy: ChartSchema.optional(),
        grafana: ChartSchema.optional(),
    }).optional(),
    /** Image overrides for air-gapped sites (with mirrors.imageRegistry). Default: the charts' images. */
    images: LogsImagesSchema.optional(),
    /** Persistent volume of SingleBinary Loki: {size, storageClass}. Default 50Gi, the default class. */
    volume: strictObject({
        /** Size of the volume. Default 50Gi. */
        size: z.string(allowed("a size such as 50Gi")).regex(QUANTITY, allowed("a size such as 50Gi")).optional(),
        /** StorageClass of the volume (and of Distributed's ingester volumes). Default: the cluster's default class. */
        storageClass: z.string(allowed("a StorageClass name")).regex(DNS_LABEL, allowed("a StorageClass name")).optional(),
    }).optional(),
    /** Object storage for Distributed and SimpleScalable (required then; ignored by SingleBinary). */
    objectStorage: ObjectStorageSchema.optional(),
    /**
     * Secret config key with the password of the gateway's read user (gatewayUser): Grafana and people query
     * every cluster's events with it; it cannot push or delete. Agents push with their own generated
     * passwords. Required.
     */
    gatewayPasswordSecret: secretRef.optional(),
    /** User name of the gateway's read user. Default akko-audit. */
    gatewayUser: z
        .string(allowed("a user name of letters, digits, '.', '_', '-'"))
        .regex(/^[A-Za-z0-9._-]{1,64}$/, allowed("a user name of letters, digits, '.', '_', '-'"))
        .default(DEFAULT_GATEWAY_USER),
    /** Ingress (TLS) for Loki and the cloud receivers. Default: nothing exposed. */
    ingress: IngressSchema.optional(),
    /** Loki's delete API (/loki/api/v1/delete, user akko-audit-delete). Default off: audit events are only removed by retention. */
    deleteApi: DeleteApiSchema.optional(),
    /** Credentials and endpoints of the central Alloy's GKE and AKS receivers (EKS: on each eks cluster). */
    receivers: ReceiversSchema.optional(),
    /**
     * OpenShift shipping: "alloy" (an Alloy DaemonSet on the masters reading the API server's audit log) or
     * "clusterLogForwarder" (the Logging operator forwards its audit input over OTLP to the central Alloy;
     * the operator must be installed). Default alloy.
     */
    openshiftForwarder: oneOf(OPENSHIFT_FORWARDERS).default(DEFAULT_OPENSHIFT_FORWARDER),
    /** Detection rules (Loki ruler alerts, `akko-audit detect`): allow-lists, thresholds, silence, disabled rules. Default: every rule on. */
    detections: DetectionsSchema.prefault({}),
    /** Where the detection alerts go: an Alertmanager URL and optional basic auth. Default: none (alert state in Grafana only). */
    alerting: AlertingSchema.optional(),
    /** Deploy Grafana (community chart) with the dashboard sidecar and Loki as data source. Default false. */
    deployGrafana: z.boolean(allowed("true or false")).optional(),
    /**
     * Tamper evidence: a CronJob in the logs cluster signs chained digests of every cluster's events into
     * object storage under a retention lock the program creates. Default: off.
     */
    evidence: EvidenceSchema.prefault({}),
});

export type LogsConfig = z.infer<typeof LogsSchema>;

/** The secret config keys the logs block refers to, with the field that names each. */
export function logsSecretRefs(logs: LogsConfig): { field: string; key: string }[] {
    const refs: { field: string; key: string }[] = [];
    if (logs.kubeconfigSecret) refs.push({ field: "kubeconfigSecret", key: logs.kubeconfigSecret });
    if (logs.gatewayPasswordSecret) refs.push({ field: "gatewayPasswordSecret", key: logs.gatewayPasswordSecret });
    if (logs.alerting?.passwordSecret) refs.push({ field: "alerting.passwordSecret", key: logs.alerting.passwordSecret });
    if (logs.deleteApi?.passwordSecret) refs.push({ field: "deleteApi.passwordSecret", key: logs.deleteApi.passwordSecret });
    if (logs.mirrors.chartRepositoryCaSecret) refs.push({ field: "mirrors.chartRepositoryCaSecret", key: logs.mirrors.chartRepositoryCaSecret });
    if (logs.mirrors.chartRepositoryAuthSecret)
        refs.push({ field: "mirrors.chartRepositoryAuthSecret", key: logs.mirrors.chartRepositoryAuthSecret });
    if (logs.objectStorage?.credentialsSecret) refs.push({ field: "objectStorage.credentialsSecret", key: logs.objectStorage.credentialsSecret });
    if (logs.receivers?.gcpCredentialsSecret) refs.push({ field: "receivers.gcpCredentialsSecret", key: logs.receivers.gcpCredentialsSecret });
    if (logs.evidence.enabled) refs.push(...evidenceSecretRefs(logs.evidence));
    for (const [cluster, hub] of Object.entries(logs.receivers?.eventHubs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
        refs.push({ field: `receivers.eventHubs.${cluster}.connectionStringSecret`, key: hub.connectionStringSecret });
    }
    return refs;
}

/** True when OpenShift clusters ship through the Logging operator (else an Alloy agent on their masters). */
export function usesClusterLogForwarder(config: { logs: { openshiftForwarder: OpenShiftForwarder } }): boolean {
    return config.logs.openshiftForwarder === "clusterLogForwarder";
}

/** True for the modes that keep chunks and index in logs.objectStorage (all but SingleBinary). */
export function usesObjectStorage(mode: LokiMode): boolean {
    return mode !== "SingleBinary";
}

/**
 * Resolves logs.mirrors.k3sAlloyChartFile against the project directory, in place (the renderers read the
 * absolute path), and checks it is a gzip archive small enough for a HelmChart's chartContent. The one-line
 * problem, or undefined.
 */
export function resolveK3sChartFile(logs: LogsConfig, projectDir: string | undefined): string | undefined {
    const value = logs.mirrors.k3sAlloyChartFile;
    if (value === undefined) return undefined;
    const where = `akko-audit:logs: field mirrors.k3sAlloyChartFile: got ${JSON.stringify(value)}`;
    const allowedText = `a .tgz of the Alloy chart (helm pull), inside the project, at most ${MAX_K3S_CHART_BYTES / 1024} KiB`;
    if (projectDir === undefined)
        return `${where}, but this config has no project directory to resolve it in; allowed: only in a project's stack config`;
    const file = path.resolve(projectDir, value);
    let size: number;
    const magic = Buffer.alloc(2);
    try {
        size = statSync(file).size;
        const fd = openSync(file, "r");
        try {
            readSync(fd, magic, 0, 2, 0);
        } finally {
            closeSync(fd);
        }
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return `${where}, but ${file} ${err.code === "ENOENT" ? "does not exist" : `cannot be read (${err.code ?? err.message})`}; allowed: ${allowedText}`;
    }
    if (size > MAX_K3S_CHART_BYTES) return `${where} (${size} bytes); allowed: ${allowedText}`;
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) return `${where} (not a gzip archive); allowed: ${allowedText}`;
    logs.mirrors.k3sAlloyChartFile = file;
    return undefined;
}
