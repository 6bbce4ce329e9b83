export { AKS_CLUSTER_ID, AksClusterSchema, aksRules } from "./aks";
export type { AksCluster } from "./aks";
export { EksClusterSchema, firehosePairProblem } from "./eks";
export type { EksCluster } from "./eks";
export { CLUSTERS_FILE_DOC, CLUSTERS_FILE_KEY } from "./clusters-file";
export { ConfigError, showValue } from "./errors";
export {
    cronMaxGapMinutes,
    DEFAULT_EVIDENCE_IMAGE,
    DEFAULT_EVIDENCE_SCHEDULE,
    durationMs,
    EVIDENCE_STATUS_TENANT,
    EVIDENCE_STORE_TYPES,
    EvidenceSchema,
    EvidenceStoreSchema,
    evidenceRetentionDays,
} from "./evidence";
export type { EvidenceConfig, EvidenceStoreType } from "./evidence";
export { DURATION_UNIT_MS, parseDuration } from "./duration";
export type { DurationUnit } from "./duration";
export { CONFIG_KEY, firstName } from "./fields";
export { GkeClusterSchema } from "./gke";
export type { GkeCluster } from "./gke";
export { DEFAULT_RBAC_WRITERS, DEFAULT_SECRET_READERS, DetectionsSchema } from "./detections";
export { DEFAULT_STAGE_DIR, K3S_CONFIG_DIR, K3S_MANIFESTS_DIR, K3sClusterSchema, NODE_STATE_DIR, SshAuthSchema } from "./k3s";
export type { K3sCluster, K3sServer } from "./k3s";
export {
    DEFAULT_ALLOY_CHART,
    DEFAULT_DISTRIBUTED_REPLICAS,
    DEFAULT_GRAFANA_CHART,
    DEFAULT_LOKI_CHART,
    DEFAULT_LOKI_VOLUME_SIZE,
    DEFAULT_SCALABLE_REPLICAS,
    DEPRECATED_LOKI_MODES,
    DistributedSchema,
    LogsSchema,
    logsSecretRefs,
    MAX_K3S_CHART_BYTES,
    usesClusterLogForwarder,
    usesObjectStorage,
} from "./logs";
export type { DistributedConfig, LogsConfig } from "./logs";
export type { DetectionsConfig } from "./detections";
export { CONFIG_NAMESPACE } from "./namespace";
export { OpenShiftClusterSchema, openShiftRules } from "./openshift";
export type { OpenShiftCluster } from "./openshift";
export { secretConfig, secretConfigOnce } from "./pulumi";
export { SECRET_PLACEHOLDER, StackFileError, fromRuntimeConfig, listStacks, readStackFile } from "./source";
export { CLUSTER_KINDS, ClusterSchema, checkArgs, secretRefs, validateStackConfig } from "./stack";
export type { ClusterConfig, ClusterKind, RawStackConfig, StackConfig, ValidateOptions } from "./stack";
