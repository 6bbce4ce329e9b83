/** Audit levels, in increasing order of detail (audit.k8s.io/v1). */
export const LEVELS = ["None", "Metadata", "Request", "RequestResponse"] as const;
export type Level = (typeof LEVELS)[number];

/** Stages an event can be emitted at (audit.k8s.io/v1). */
export const STAGES = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"] as const;
export type Stage = (typeof STAGES)[number];

/** The only policy apiVersion kube-apiserver still loads. */
export const POLICY_API_VERSION = "audit.k8s.io/v1";

export interface GroupResources {
    /** API group; "" is the core group (also what an omitted group means). */
    group: string;
    /** Resource patterns: `pods`, `pods/exec`, `pods/*`, `*` or `*\/status`. Empty: every resource of the group. */
    resources: string[];
    /** Object names; empty: any name. */
    resourceNames: string[];
}

export interface PolicyRule {
    level: Level;
    users: string[];
    userGroups: string[];
    verbs: string[];
    resources: GroupResources[];
    namespaces: string[];
    nonResourceURLs: string[];
    /** The rule's own stages; the evaluator returns the union with the policy's. */
    omitStages: Stage[];
    /** Unset: the policy's value applies. */
    omitManagedFields?: boolean;
}

export interface Policy {
    omitStages: Stage[];
    omitManagedFields: boolean;
    rules: PolicyRule[];
    /** Fields kube-apiserver silently ignores (usually typos); the linter reports them. */
    ignoredFields: string[];
}

/** What the policy sees of a request (kube-apiserver's authorizer.Attributes). */
export interface RequestAttributes {
    /** The authenticated user; absent for a request that carries no user. */
    user?: { username: string; groups: string[] };
    verb: string;
    /** Present for resource requests. */
    resource?: {
        apiGroup: string;
        resource: string;
        subresource: string;
        namespace: string;
        name: string;
    };
    /** URL path without the query string (non-resource requests). */
    path: string;
}

export interface Decision {
    level: Level;
    /** 0-based index of the first matching rule, or null when none matched. */
    rule: number | null;
    omitStages: Stage[];
    omitManagedFields: boolean;
}

export function levelRank(level: Level): number {
    return LEVELS.indexOf(level);
}
