import { DetectionParams, DetectionRule } from "./model";

/** Rules on who: Secret reads, enumeration, impersonation, tokens, RBAC grants and changes. */
export function identityRules(params: DetectionParams): DetectionRule[] {
    void params;
    return [];
}
