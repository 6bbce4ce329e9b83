export { AksAuditLogging } from "./audit-logging";
export { aksArgsFromConfig } from "./from-config";
export type { AksAuditLoggingArgs } from "./audit-logging";
export { aksPlatform } from "./describe";
export { parseAksClusterId } from "./ids";
