import { parseAllDocuments } from "yaml";
import { GroupResources, LEVELS, Level, Policy, POLICY_API_VERSION, PolicyRule, Stage, STAGES } from "./types";

/**
 * A policy that kube-apiserver would refuse to load. `problems` holds one line per problem, each starting with
 * the field path the apiserver would name (`rules[2].level: ...`).
 */
export class PolicyError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("; "));
        this.name = "PolicyError";
    }
}

/** The text is not YAML at all: an input error rather than a policy finding. */
export class PolicySyntaxError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicySyntaxError";
    }
}

const POLICY_FIELDS = new Set(["apiVersion", "kind", "metadata", "rules", "omitStages", "omitManagedFields"]);
const RULE_FIELDS = new Set([
    "level",
    "users",
    "userGroups",
    "verbs",
    "resources",
    "namespaces",
    "nonResourceURLs",
    "omitStages",
    "omitManagedFields",
]);
const GROUP_RESOURCE_FIELDS = new Set(["group", "resources", "resourceNames"]);

// RFC 1123 subdomain, as apimachinery's NameIsDNSSubdomain checks API group names.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MAX = 253;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
    return JSON.stringify(v) ?? String(v);
}

/** Parses YAML text and validates it as kube-apiserver's audit policy loader does. */
export function parsePolicy(text: string): Policy {
    const docs = parseAllDocuments(text, { uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const nonEmpty = list.filter((d) => d.contents !== null || d.errors.length > 0);
    for (const d of nonEmpty) {
        if (d.errors.length > 0) {
            const e = d.errors[0];
            const pos = e.linePos?.[0];
            throw new PolicySyntaxError(`not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}: ${e.message.split("\n")[0]}`);
        }
    }
    if (nonEmpty.length > 1) {
        throw new PolicySyntaxError(`expected one YAML document, found ${nonEmpty.length}`);
    }
    return validatePolicy(nonEmpty.length === 0 ? null : nonEmpty[0].toJS());
}

/** Validates an already-parsed policy object. Throws PolicyError with every problem found. */
export function validatePolicy(raw: unknown): Policy {
    const problems: string[] = [];
    const ignoredFields: string[] = [];
    if (!isObject(raw)) {
        throw new PolicyError([`policy: expected a mapping with apiVersion ${POLICY_API_VERSION} and kind Policy, got ${show(raw)}`]);
    }
    if (raw.apiVersion === undefined) {
        problems.push(`apiVersion: Required value: must be ${POLICY_API_VERSION}`);
    } else if (raw.apiVersion !== POLICY_API_VERSION) {
        problems.push(`apiVersion: Unsupported value: ${show(raw.apiVersion)}: supported values: "${POLICY_API_VERSION}"`);
    }
    if (raw.kind === undefined) {
        problems.push(`kind: Required value: must be Policy`);
    } else if (raw.kind !== "Policy") {
        problems.push(`kind: Unsupported value: ${show(raw.kind)}: supported values: "Policy"`);
    }
    for (const key of Object.keys(raw)) {
        if (!POLICY_FIELDS.has(key)) ignoredFields.push(key);
    }
    if (raw.metadata !== undefined && raw.metadata !== null && !isObject(raw.metadata)) {
        problems.push(`metadata: expected a mapping, got ${show(raw.metadata)}`);
    }
    const omitStages = readStages(raw.omitStages, "omitStages", problems);
    const omitManagedFields = readBool(raw.omitManagedFields, "omitManagedFields", problems) ?? false;

    const rules: PolicyRule[] = [];
    if (raw.rules !== undefined && raw.rules !== null && !Array.isArray(raw.rules)) {
        problems.push(`rules: expected a list of rules, got ${show(raw.rules)}`);
    } else {
        const list = (raw.rules as unknown[] | undefined | null) ?? [];
        list.forEach((r, i) => {
            const rule = readRule(r, `rules[${i}]`, problems, ignoredFields);
            if (rule) rules.push(rule);
        });
        if (list.length === 0) problems.push("rules: loaded illegal policy with 0 rules");
    }
    if (problems.length > 0) throw new PolicyError(problems);
    return { omitStages, omitManagedFields, rules, ignoredFields };
}

function readRule(raw: unknown, path: string, problems: string[], ignored: string[]): PolicyRule | undefined {
    if (!isObject(raw)) {
        problems.push(`${path}: expected a mapping, got ${show(raw)}`);
        return undefined;
    }
    for (const key of Object.keys(raw)) {
        if (!RULE_FIELDS.has(key)) ignored.push(`${path}.${key}`);
    }
    const level = readLevel(raw.level, `${path}.level`, problems);
    const nonResourceURLs = readStrings(raw.nonResourceURLs, `${path}.nonResourceURLs`, problems);
    nonResourceURLs.forEach((url, i) => {
        if (url === "*") return;
        if (!url.startsWith("/")) {
            problems.push(`${path}.nonResourceURLs[${i}]: Invalid value: ${show(url)}: non-resource URL rules must begin with a '/' character`);
        }
        if (url !== "" && url.slice(0, -1).includes("*")) {
            problems.push(
                `${path}.nonResourceURLs[${i}]: Invalid value: ${show(url)}: non-resource URL wildcards '*' must be the final character of the rule`,
            );
        }
    });
    const resources = readGroupResources(raw.resources, `${path}.resources`, problems, ignored);
    const namespaces = readStrings(raw.namespaces, `${path}.namespaces`, problems);
    if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0)) {
        problems.push(
            `${path}.nonResourceURLs: Invalid value: ${show(nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs`,
        );
    }
    const omitManagedFields = readBool(raw.omitManagedFields, `${path}.omitManagedFields`, problems);
    return {
        level: level ?? "None",
        users: readStrings(raw.users, `${path}.users`, problems),
        userGroups: readStrings(raw.userGroups, `${path}.userGroups`, problems),
        verbs: readStrings(raw.verbs, `${path}.verbs`, problems),
        resources,
        namespaces,
        nonResourceURLs,
        omitStages: readStages(raw.omitStages, `${path}.omitStages`, problems),
        ...(omitManagedFields === undefined ? {} : { omitManagedFields }),
    };
}

function readGroupResources(raw: unknown, path: string, problems: string[], ignored: string[]): GroupResources[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
        problems.push(`${path}: expected a list of {group, resources, resourceNames}, got ${show(raw)}`);
        return [];
    }
    const out: GroupResources[] = [];
    raw.forEach((gr, i) => {
        const p = `${path}[${i}]`;
        if (!isObject(gr)) {
            problems.push(`${p}: expected a mapping, got ${show(gr)}`);
            return;
        }
        for (const key of Object.keys(gr)) {
            if (!GROUP_RESOURCE_FIELDS.has(key)) ignored.push(`${p}.${key}`);
        }
        let group = "";
        if (gr.group !== undefined && gr.group !== null) {
            if (typeof gr.group !== "string") {
                problems.push(`${p}.group: expected a string, got ${show(gr.group)}`);
            } else {
                group = gr.group;
                if (group !== "" && (group.length > DNS_SUBDOMAIN_MAX || !DNS_SUBDOMAIN.test(group))) {
                    problems.push(
                        `${path}.group: Invalid value: ${show(group)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
                    );
                }
            }
        }
        const resources = readStrings(gr.resources, `${p}.resources`, problems);
        const resourceNames = readStrings(gr.resourceNames, `${p}.resourceNames`, problems);
        if (resourceNames.length > 0 && resources.length === 0) {
            problems.push(`${path}.resourceNames: Invalid value: ${show(resourceNames)}: using resourceNames requires at least one resource`);
        }
        out.push({ group, resources, resourceNames });
    });
    return out;
}

function readLevel(raw: unknown, path: string, problems: string[]): Level | undefined {
    if (raw === undefined || raw === null || raw === "") {
        problems.push(`${path}: Required value`);
        return undefined;
    }
    if (typeof raw !== "string" || !(LEVELS as readonly string[]).includes(raw)) {
        problems.push(`${path}: Unsupported value: ${show(raw)}: supported values: ${LEVELS.map((l) => `"${l}"`).join(", ")}`);
        return undefined;
    }
    return raw as Level;
}

function readStages(raw: unknown, path: string, problems: string[]): Stage[] {
    const list = readStrings(raw, path, problems);
    const out: Stage[] = [];
    list.forEach((s, i) => {
        if ((STAGES as readonly string[]).includes(s)) out.push(s as Stage);
        else problems.push(`${path}[${i}]: Invalid value: ${show(s)}: allowed stages are ${STAGES.join(",")}`);
    });
    return out;
}

function readStrings(raw: unknown, path: string, problems: string[]): string[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
        problems.push(`${path}: expected a list of strings, got ${show(raw)}`);
        return [];
    }
    const out: string[] = [];
    raw.forEach((v, i) => {
        if (typeof v === "string") out.push(v);
        else problems.push(`${path}[${i}]: expected a string, got ${show(v)}`);
    });
    return out;
}

function readBool(raw: unknown, path: string, problems: string[]): boolean | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== "boolean") {
        problems.push(`${path}: expected true or false, got ${show(raw)}`);
        return undefined;
    }
    return raw;
}
