import { ruleMatches } from "./evaluate";
import { Policy, PolicyRule, RequestAttributes } from "./types";

/** One lint finding; `rule` is the 0-based rule index, or null for the policy as a whole. */
export interface Finding {
    rule: number | null;
    check: "sensitive-body" | "exec-not-audited" | "shadowed" | "ignored-field";
    message: string;
}

/** A resource the policy must never log with a body, or must always log. */
interface ResourceClass {
    group: string;
    resource: string;
    subresource: string;
    label: string;
}

/** Bodies of these carry secret data or credentials (Secret data, tokens, review requests with tokens). */
export const SENSITIVE_RESOURCES: readonly ResourceClass[] = [
    { group: "", resource: "secrets", subresource: "", label: "secrets" },
    { group: "", resource: "configmaps", subresource: "", label: "configmaps" },
    { group: "", resource: "serviceaccounts", subresource: "token", label: "serviceaccounts/token" },
    { group: "authentication.k8s.io", resource: "tokenreviews", subresource: "", label: "tokenreviews.authentication.k8s.io" },
    ...["subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews", "selfsubjectrulesreviews"].map((r) => ({
        group: "authorization.k8s.io",
        resource: r,
        subresource: "",
        label: `${r}.authorization.k8s.io`,
    })),
];

/** Interactive access into containers: must always leave an audit trail. */
export const INTERACTIVE_RESOURCES: readonly ResourceClass[] = ["exec", "attach", "portforward"].map((s) => ({
    group: "",
    resource: "pods",
    subresource: s,
    label: `pods/${s}`,
}));

// The verbs kube-apiserver's RequestInfo can produce for each kind of request.
const RESOURCE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const NON_RESOURCE_VERBS = ["get", "post", "put", "patch", "delete", "head", "options"];

// Values that no rule names: the request that avoids every rule restricted on that field.
const OTHER = "\u0000other";
const MAX_CANDIDATES_PER_RULE = 2_000_000;

const BODY_LEVELS = new Set(["Request", "RequestResponse"]);

/**
 * Finds a request that `rule` matches but none of `earlier` does, optionally restricted to one resource.
 * Every field is matched by list membership, so for each field it is enough to try each value the rule
 * names, or one value no rule names; the found request is checked with the real matcher.
 */
export function findWitness(rule: PolicyRule, earlier: readonly PolicyRule[], only?: ResourceClass): RequestAttributes | undefined | "too-large" {
    const users = rule.users.length > 0 ? rule.users : [OTHER];
    const groupSets = rule.userGroups.length > 0 ? rule.userGroups.map((g) => [g]) : [[]];
    const candidates = requestShapes(rule, only);
    let count = 0;
    for (const shape of candidates) {
        const verbs = rule.verbs.length > 0 ? rule.verbs : shape.resource ? RESOURCE_VERBS : NON_RESOURCE_VERBS;
        count += users.length * groupSets.length * verbs.length;
        if (count > MAX_CANDIDATES_PER_RULE) return "too-large";
        for (const username of users) {
            for (const groups of groupSets) {
                for (const verb of verbs) {
                    const req: RequestAttributes = { ...shape, verb, user: { username, groups } };
                    if (ruleMatches(rule, req) && !earlier.some((e) => ruleMatches(e, req))) return req;
                }
            }
        }
    }
    return undefined;
}

type Shape = Omit<RequestAttributes, "verb" | "user">;

function requestShapes(rule: PolicyRule, only?: ResourceClass): Shape[] {
    const shapes: Shape[] = [];
    const namespaces = rule.namespaces.length > 0 ? rule.namespaces : [OTHER, ""];
    const resourceRule = rule.resources.length > 0 || rule.namespaces.length > 0;
    const nonResourceRule = rule.nonResourceURLs.length > 0;
    if (!nonResourceRule) {
        for (const [apiGroup, resource, subresource, names] of resourceTriples(rule, only)) {
            for (const namespace of namespaces) {
                for (const name of names) {
                    shapes.push({ path: "", resource: { apiGroup, resource, subresource, namespace, name } });
                }
            }
        }
    }
    if (!resourceRule && only === undefined) {
        const specs = nonResourceRule ? rule.nonResourceURLs : ["*"];
        for (const spec of specs) {
            if (spec === "*") shapes.push({ path: "/" + OTHER });
            else if (spec.endsWith("*")) {
                const prefix = spec.replace(/\*+$/, "");
                shapes.push({ path: prefix + OTHER }, { path: prefix });
            } else shapes.push({ path: spec });
        }
    }
    return shapes;
}

function resourceTriples(rule: PolicyRule, only?: ResourceClass): [string, string, string, string[]][] {
    const anyName = ["", OTHER];
    if (only) {
        const names = new Set(anyName);
        for (const gr of rule.resources) gr.resourceNames.forEach((n) => names.add(n));
        return [[only.group, only.resource, only.subresource, [...names]]];
    }
    if (rule.resources.length === 0) {
        return ["", OTHER].flatMap(
            (g) =>
                [
                    [g, OTHER, "", anyName],
                    [g, OTHER, OTHER, anyName],
                ] as [string, string, string, string[]][],
        );
    }
    const out: [string, string, string, string[]][] = [];
    for (const gr of rule.resources) {
        const names = gr.resourceNames.length > 0 ? gr.resourceNames : anyName;
        const patterns = gr.resources.length > 0 ? gr.resources : ["*"];
        for (const p of patterns) {
            if (p === "*") out.push([gr.group, OTHER, "", names], [gr.group, OTHER, OTHER, names]);
            else if (p.startsWith("*/")) out.push([gr.group, OTHER, p.slice(2), names]);
            else if (p.endsWith("/*")) out.push([gr.group, p.slice(0, -2), "", names], [gr.group, p.slice(0, -2), OTHER, names]);
            else {
                const slash = p.indexOf("/");
                out.push(slash < 0 ? [gr.group, p, "", names] : [gr.group, p.slice(0, slash), p.slice(slash + 1), names]);
            }
        }
    }
    return out;
}

/** A request for people: `get secrets in namespace <any> by user <any>`. */
export function describeRequest(req: RequestAttributes): string {
    const any = (v: string, what: string) => (v === OTHER ? `<any ${what}>` : v.includes(OTHER) ? v.replace(OTHER, "<any>") : v);
    const who =
        req.user === undefined
            ? "an unauthenticated request"
            : `user ${req.user.username === OTHER ? "<any>" : JSON.stringify(req.user.username)}` +
              (req.user.groups.length > 0 ? ` in group ${JSON.stringify(req.user.groups[0])}` : "");
    if (req.resource === undefined) return `${req.verb} ${any(req.path, "path")} by ${who}`;
    const r = req.resource;
    const res = r.subresource === "" ? any(r.resource, "resource") : `${any(r.resource, "resource")}/${any(r.subresource, "subresource")}`;
    const group = r.apiGroup === "" ? "core" : any(r.apiGroup, "group");
    const ns = r.namespace === "" ? "cluster-wide" : `in namespace ${any(r.namespace, "namespace")}`;
    const name = r.name === "" || r.name === OTHER ? "" : ` named ${JSON.stringify(r.name)}`;
    return `${req.verb} ${res} (${group})${name} ${ns} by ${who}`;
}

/**
 * The product's invariants, checked for any policy:
 * - no rule can log a body (Request/RequestResponse) of Secrets, ConfigMaps, serviceaccounts/token or
 *   token/access reviews;
 * - pods/exec, pods/attach and pods/portforward are never at level None (by a rule or by falling through);
 * - no rule is fully shadowed by earlier ones;
 * - no field is silently ignored by kube-apiserver (usually a typo that widens a rule).
 */
export function lintPolicy(policy: Policy): Finding[] {
    const findings: Finding[] = [];
    for (const path of policy.ignoredFields) {
        const m = /^rules\[(\d+)\]/.exec(path);
        findings.push({
            rule: m ? Number(m[1]) : null,
            check: "ignored-field",
            message: `${path}: unknown field, ignored by kube-apiserver (a typo here silently widens or disables the rule)`,
        });
    }
    const rules = policy.rules;
    rules.forEach((rule, i) => {
        const earlier = rules.slice(0, i);
        const witness = findWitness(rule, earlier);
        if (witness === "too-large") {
            findings.push({ rule: i, check: "shadowed", message: `rule ${i}: too many combinations to analyse; split the rule` });
            return;
        }
        if (witness === undefined) {
            const by = earlier.map((_, j) => j).filter((j) => shareARequest(rule, rules[j]));
            findings.push({
                rule: i,
                check: "shadowed",
                message: `rule ${i} is never used: every request it matches is matched first by ${by.length > 0 ? `rule${by.length > 1 ? "s" : ""} ${by.join(", ")}` : "earlier rules"}`,
            });
        }
        if (BODY_LEVELS.has(rule.level)) {
            for (const cls of SENSITIVE_RESOURCES) {
                const w = findWitness(rule, earlier, cls);
                if (w !== undefined && w !== "too-large") {
                    findings.push({
                        rule: i,
                        check: "sensitive-body",
                        message: `rule ${i} logs ${cls.label} with bodies (level ${rule.level}), e.g. ${describeRequest(w)}; these carry secrets and must be at most Metadata`,
                    });
                }
            }
        }
        if (rule.level === "None") {
            for (const cls of INTERACTIVE_RESOURCES) {
                const w = findWitness(rule, earlier, cls);
                if (w !== undefined && w !== "too-large") {
                    findings.push({
                        rule: i,
                        check: "exec-not-audited",
                        message: `rule ${i} drops ${cls.label} (level None), e.g. ${describeRequest(w)}; interactive access must always be audited`,
                    });
                }
            }
        }
    });
    const catchAll: PolicyRule = {
        level: "None",
        users: [],
        userGroups: [],
        verbs: [],
        resources: [],
        namespaces: [],
        nonResourceURLs: [],
        omitStages: [],
    };
    for (const cls of INTERACTIVE_RESOURCES) {
        const w = findWitness(catchAll, rules, cls);
        if (w !== undefined && w !== "too-large") {
            findings.push({
                rule: null,
                check: "exec-not-audited",
                message: `no rule matches ${cls.label}, so it falls through to level None, e.g. ${describeRequest(w)}; add a rule for it`,
            });
        }
    }
    return findings;
}

/** Whether two rules match at least one common request (to name the rules that shadow another). */
function shareARequest(a: PolicyRule, b: PolicyRule): boolean {
    const users = [...new Set([...a.users, ...b.users, OTHER])];
    const groupSets = [...new Set([...a.userGroups, ...b.userGroups])].map((g) => [g]).concat([[]]);
    const namespaces = [...new Set([...a.namespaces, ...b.namespaces, OTHER, ""])];
    for (const shape of [...requestShapes(a), ...requestShapes(b)]) {
        const variants = shape.resource ? namespaces.map((namespace) => ({ ...shape, resource: { ...shape.resource!, namespace } })) : [shape];
        const verbs = [...new Set([...a.verbs, ...b.verbs, ...(shape.resource ? RESOURCE_VERBS : NON_RESOURCE_VERBS)])];
        for (const v of variants)
            for (const username of users)
                for (const groups of groupSets)
                    for (const verb of verbs) {
                        const req: RequestAttributes = { ...v, verb, user: { username, groups } };
                        if (ruleMatches(a, req) && ruleMatches(b, req)) return true;
                    }
    }
    return false;
}
