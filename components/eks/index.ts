export { EksAuditLogging } from "./audit-logging";
export { eksArgsFromConfig } from "./from-config";
export { LOG_GROUP_GUARD_REPLACE_KEYS } from "./log-group-guard";
export { EKS_LOGGING_REPLACE_KEYS } from "./logging-provider";
export type { EksAuditLoggingArgs } from "./audit-logging";
export { eksPlatform } from "./describe";
export { AWS_SESSION_NAME, hasAwsIdentity } from "./identity";
export type { AwsAssumeRole, AwsIdentity } from "./identity";
