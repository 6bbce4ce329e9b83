export { OpenShiftAuditProfile } from "./audit-profile";
export { openShiftArgsFromConfig } from "./from-config";
export type { OpenShiftAuditProfileArgs } from "./audit-profile";
export { OPENSHIFT_AUDIT_LOG_PATH, openShiftPlatform } from "./describe";
