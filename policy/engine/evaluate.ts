import { Decision, Policy, PolicyRule, RequestAttributes, Stage } from "./types";

/** kube-apiserver's level when no rule matches. */
export const DEFAULT_LEVEL = "None";

/**
 * Whether one rule matches a request, with kube-apiserver's semantics (pkg/audit/policy/checker.go):
 * empty lists match everything; a request without a user never matches a rule naming users or groups;
 * `namespaces` or `resources` make it a resource-only rule, `nonResourceURLs` a non-resource-only rule.
 */
export function ruleMatches(rule: PolicyRule, req: RequestAttributes): boolean {
    const user = req.user;
    if (rule.users.length > 0 && (user === undefined || !rule.users.includes(user.username))) return false;
    if (rule.userGroups.length > 0) {
        if (user === undefined || !user.groups.some((g) => rule.userGroups.includes(g))) return false;
    }
    if (rule.verbs.length > 0 && !rule.verbs.includes(req.verb)) return false;
    if (rule.namespaces.length > 0 || rule.resources.length > 0) return resourceMatches(rule, req);
    if (rule.nonResourceURLs.length > 0) return nonResourceMatches(rule, req);
    return true;
}

function resourceMatches(rule: PolicyRule, req: RequestAttributes): boolean {
    const r = req.resource;
    if (r === undefined) return false;
    // Cluster-scoped requests carry the empty namespace, so `namespaces: [""]` selects them.
    if (rule.namespaces.length > 0 && !rule.namespaces.includes(r.namespace)) return false;
    if (rule.resources.length === 0) return true;
    const combined = r.subresource === "" ? r.resource : `${r.resource}/${r.subresource}`;
    for (const gr of rule.resources) {
        // An omitted group was read as "": the core group only, never "any group".
        if (gr.group !== r.apiGroup) continue;
        if (gr.resources.length === 0) return true;
        if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(r.name)) continue;
        for (const pattern of gr.resources) {
            if (pattern === combined || pattern === "*") return true;
            if (r.subresource !== "" && pattern.startsWith("*/") && pattern.slice(2) === r.subresource) return true;
            // `pods/*` matches pods itself and every pods subresource.
            if (pattern.endsWith("/*") && pattern.slice(0, -2) === r.resource) return true;
        }
    }
    return false;
}

function nonResourceMatches(rule: PolicyRule, req: RequestAttributes): boolean {
    if (req.resource !== undefined) return false;
    return rule.nonResourceURLs.some((spec) => pathMatches(req.path, spec));
}

/** `*` matches any path, otherwise an exact match, or a prefix match when the spec ends with `*`. */
export function pathMatches(path: string, spec: string): boolean {
    if (spec === "*" || spec === path) return true;
    return spec.endsWith("*") && path.startsWith(spec.replace(/\*+$/, ""));
}

function union(a: Stage[], b: Stage[]): Stage[] {
    return [...new Set([...a, ...b])].sort();
}

/** A policy prepared for evaluation: per-rule stage unions computed once, as NewPolicyRuleEvaluator does. */
export class PolicyEvaluator {
    private readonly ruleStages: Stage[][];

    constructor(readonly policy: Policy) {
        this.ruleStages = policy.rules.map((r) => union(policy.omitStages, r.omitStages));
    }

    /** Index of the first matching rule, or -1. */
    matchIndex(req: RequestAttributes): number {
        const rules = this.policy.rules;
        for (let i = 0; i < rules.length; i++) {
            if (ruleMatches(rules[i], req)) return i;
        }
        return -1;
    }

    evaluate(req: RequestAttributes): Decision {
        const i = this.matchIndex(req);
        if (i < 0) {
            return {
                level: DEFAULT_LEVEL,
                rule: null,
                omitStages: [...this.policy.omitStages].sort(),
                omitManagedFields: this.policy.omitManagedFields,
            };
        }
        const rule = this.policy.rules[i];
        return {
            level: rule.level,
            rule: i,
            omitStages: this.ruleStages[i],
            // A rule's own setting, when given, wins over the policy's in both directions.
            omitManagedFields: rule.omitManagedFields ?? this.policy.omitManagedFields,
        };
    }

    /** The stages omitted for a match of rule `i` (or -1 for no match). */
    stagesFor(i: number): Stage[] {
        return i < 0 ? this.policy.omitStages : this.ruleStages[i];
    }
}

export function evaluate(policy: Policy, req: RequestAttributes): Decision {
    return new PolicyEvaluator(policy).evaluate(req);
}
