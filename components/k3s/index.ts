export { K3sAuditLogging } from "./cluster";
export { K3S_CLUSTER_TYPE, K3S_SERVER_TYPE, k3sPlatform } from "./describe";
export type { K3sManifest } from "./manifests";
export type { K3sAuditLoggingArgs } from "./cluster";
export { K3sServerAuditLogging } from "./node";
export type { K3sServerAuditLoggingArgs } from "./node";
export { buildVerifyCommand, k3sClustersOf, knownHostsLine, parseVerifyOutput, problemLine, verifyProblems } from "./verify";
export type { NodeFacts, Problem, VerifyTestOverrides } from "./verify";
