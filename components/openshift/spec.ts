/** The field manager that owns spec.audit; its fields are given back when the patch is deleted. */
export const FIELD_MANAGER = "akko-audit";

/** The spec fields this stack owns on the APIServer `cluster` (pure: for tests, previews and render). */
export function apiServerAuditSpec(profile: string, customRules: { group: string; profile: string }[]) {
    return {
        audit: { profile, ...(customRules.length > 0 ? { customRules: customRules.map((r) => ({ group: r.group, profile: r.profile })) } : {}) },
    };
}
