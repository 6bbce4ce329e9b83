export { GkeAuditLogging } from "./audit-logging";
export { gkeArgsFromConfig } from "./from-config";
export { GKE_LOGGING_REPLACE_KEYS } from "./logging-provider";
export { GKE_DATA_ACCESS_REPLACE_KEYS } from "./data-access-provider";
export type { GkeAuditLoggingArgs } from "./audit-logging";
export { gkePlatform } from "./describe";
export type { GcpIdentity } from "./identity";
