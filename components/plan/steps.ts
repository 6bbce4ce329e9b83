/**
 * The steps the Pulumi engine takes from one set of registrations (the stack's state) to another (what the
 * program registers now), by the engine's own rules, so that a change can be reviewed offline:
 *
 * - URNs and aliases: pulumi/pulumi pkg/resource/deploy/step_generator.go (generateURN, collapseAliasToUrn,
 *   inheritedChildAlias, generateAliases, getOldResource): an old resource is found by URN first, then by
 *   each alias; a parent matched through an alias gives its children an alias by the name-prefix rule.
 * - ignoreChanges: the old value is put back at each ignored path before the diff (processIgnoreChanges).
 * - replace: the provider's own replace keys, then `replaceOnChanges` as registered (applyReplaceOnChanges,
 *   PropertyPath.Contains: `triggers[*]` matches `triggers[0]`, not a removed `triggers`).
 * - a replace creates the new resource, then deletes the old one (its delete runs), unless
 *   deleteBeforeReplace; `retainOnDelete` drops the resource from state without running its delete;
 *   `protect` makes a delete fail, and a replace when both the state and the program protect it
 *   (step_generator.go: "we do allow unprotecting and replacing to happen in a single update").
 * - resources no longer registered are deleted, dependents first.
 *
 * Provider diffs cannot run offline; PROVIDER_REPLACE_KEYS holds the replace keys of the providers this
 * program uses (from their schemas or source). A type not in it is shown as an update that its provider
 * may still turn into a replace.
 */
import { EKS_LOGGING_REPLACE_KEYS } from "../eks/logging-provider";
import { LOG_GROUP_GUARD_REPLACE_KEYS } from "../eks/log-group-guard";
import { GKE_DATA_ACCESS_REPLACE_KEYS } from "../gke/data-access-provider";
import { GKE_LOGGING_REPLACE_KEYS } from "../gke/logging-provider";
import { ROOT_STACK_TYPE } from "./monitor";

/** One resource as the engine receives its registration (components/plan/monitor.js records it). */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    /** The parent's URN ("" for the root stack). */
    parent: string;
    custom: boolean;
    /** Inputs; secret values as "[secret <digest>]". */
    inputs: Record<string, unknown>;
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace?: boolean;
    replaceOnChanges: string[];
    ignoreChanges: string[];
    aliases: AliasSpec[];
    additionalSecretOutputs: string[];
    importId: string;
    provider: string;
    deletedWith: string;
}

/** An alias as sent to the engine: a whole URN, or a spec whose unset fields default to the resource's. */
export interface AliasSpec {
    urn?: string;
    name?: string;
    type?: string;
    stack?: string;
    project?: string;
    parentUrn?: string;
    noParent?: boolean;
}

/**
 * Replace keys of each provider's own diff, by type token (property paths). `@pulumi/command` 1.2.1 tags
 * `triggers` `provider:"replaceOnChanges"` (provider/pkg/provider/common/inputs.go); the dynamic providers'
 * keys come from their diff functions; the cloud providers' from their schemas (names and parents; in
 * @pulumi/aws v7 a region-aware resource's `region` too).
 */
export const PROVIDER_REPLACE_KEYS: Record<string, readonly string[]> = {
    "command:remote:Command": ["triggers"],
    "command:remote:CopyToRemote": ["triggers"],
    "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging": EKS_LOGGING_REPLACE_KEYS,
    "pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard": LOG_GROUP_GUARD_REPLACE_KEYS,
    "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging": GKE_LOGGING_REPLACE_KEYS,
    "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline": GKE_DATA_ACCESS_REPLACE_KEYS,
    "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "region"],
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ["name", "logGroup", "region"],
    "aws:iam/role:Role": ["name", "namePrefix"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ["name", "destination", "region"],
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "region"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket", "region"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket", "region"],
    "gcp:pubsub/topic:Topic": ["name", "project"],
    "gcp:pubsub/subscription:Subscription": ["name", "project", "topic"],
    "gcp:pubsub/topicIAMMember:TopicIAMMember": ["topic", "role", "member", "project"],
    "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": ["subscription", "role", "member", "project"],
    "gcp:logging/projectSink:ProjectSink": ["name", "project"],
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": ["project", "service"],
    "gcp:serviceaccount/account:Account": ["accountId", "project"],
    "azure-native:eventhub:Namespace": ["namespaceName", "resourceGroupName", "location"],
    "azure-native:eventhub:EventHub": ["eventHubName", "namespaceName", "resourceGroupName"],
    "azure-native:eventhub:ConsumerGroup": ["consumerGroupName", "eventHubName", "namespaceName", "resourceGroupName"],
    "azure-native:eventhub:EventHubAuthorizationRule": ["authorizationRuleName", "eventHubName", "namespaceName", "resourceGroupName"],
    "azure-native:eventhub:NamespaceAuthorizationRule": ["authorizationRuleName", "namespaceName", "resourceGroupName"],
    "azure-native:monitor:DiagnosticSetting": ["name", "resourceUri"],
    "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
    // A new cluster identity replaces the provider, and with it every resource it manages.
    "pulumi:providers:kubernetes": ["clusterIdentifier"],
};
/**
 * A dynamic provider's diff decides alone (cmd/dynamic-provider diffRPC: a changed `__provider` is not a
 * change by itself): these are the inputs each of ours compares; a change elsewhere is no step.
 */
export const DYNAMIC_DIFF_KEYS: Record<string, readonly string[]> = {
    "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging": [...EKS_LOGGING_REPLACE_KEYS, "logTypes"],
    "pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard": LOG_GROUP_GUARD_REPLACE_KEYS,
    "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging": [...GKE_LOGGING_REPLACE_KEYS, "components"],
    "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline": GKE_DATA_ACCESS_REPLACE_KEYS,
};
/** Kubernetes objects are replaced when their name or namespace changes. */
const KUBERNETES_REPLACE_KEYS = ["metadata.name", "metadata.namespace"];

function providerReplaceKeys(type: string): readonly string[] | undefined {
    if (PROVIDER_REPLACE_KEYS[type]) return PROVIDER_REPLACE_KEYS[type];
    if (type.startsWith("kubernetes:")) return KUBERNETES_REPLACE_KEYS;
    return undefined;
}

/**
 * Resources whose delete turns audit logging off (or stops it at the source), with the inputs that name
 * what they act on. Such a resource may be replaced only when that target changes (another node, another
 * cluster): `assertNoDestructiveReplace` holds every registration to it.
 */
export const DESTRUCTIVE_DELETES: Record<string, { target: readonly string[]; when?: (r: Registration) => boolean }> = {
    // Only a command with a delete script: the k3s apply (the others delete nothing).
    "command:remote:Command": { target: [], when: (r) => typeof r.inputs.delete === "string" && r.inputs.delete !== "" },
    "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging": { target: EKS_LOGGING_REPLACE_KEYS },
    "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging": { target: GKE_LOGGING_REPLACE_KEYS },
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": { target: ["project", "service"] },
    // Its delete writes back the config from before akko-audit: Data Access off if it was off then.
    "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline": { target: GKE_DATA_ACCESS_REPLACE_KEYS },
    "azure-native:monitor:DiagnosticSetting": { target: ["name", "resourceUri"] },
    "kubernetes:config.openshift.io/v1:APIServerPatch": { target: KUBERNETES_REPLACE_KEYS },
};

// ---- property paths (pulumi/pulumi sdk/go/common/resource/properties_path.go) ----

type PathPart = string | number;

export function parsePath(path: string): PathPart[] {
    const parts: PathPart[] = [];
    for (const m of path.matchAll(/([^.[\]]+)|\[(\d+|\*|"[^"]*")\]/g)) {
        if (m[1] !== undefined) parts.push(m[1]);
        else if (/^\d+$/.test(m[2])) parts.push(Number(m[2]));
        else parts.push(m[2] === "*" ? "*" : m[2].slice(1, -1));
    }
    return parts;
}

function showPath(parts: PathPart[]): string {
    return parts.map((p, i) => (typeof p === "number" || p === "*" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** PropertyPath.Contains: `pattern` is a prefix of `path`, "*" matching any one element. */
export function pathContains(pattern: PathPart[], path: PathPart[]): boolean {
    if (path.length < pattern.length) return false;
    return pattern.every((p, i) => p === "*" || p === path[i]);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The leaf paths where two input values differ (an added or removed key is a path of its own). */
export function diffPaths(olds: unknown, news: unknown, prefix: PathPart[] = []): PathPart[][] {
    if (isObject(olds) && isObject(news)) {
        const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort();
        return keys.flatMap((k) => (k in olds && k in news ? diffPaths(olds[k], news[k], [...prefix, k]) : [[...prefix, k]]));
    }
    if (Array.isArray(olds) && Array.isArray(news)) {
        const out: PathPart[][] = [];
        for (let i = 0; i < Math.max(olds.length, news.length); i++) {
            out.push(...(i < olds.length && i < news.length ? diffPaths(olds[i], news[i], [...prefix, i]) : [[...prefix, i]]));
        }
        return out;
    }
    return JSON.stringify(olds) === JSON.stringify(news) ? [] : [prefix];
}

function getAt(v: unknown, path: PathPart[]): { found: boolean; value?: unknown } {
    let cur: unknown = v;
    for (const p of path) {
        if (cur === null || typeof cur !== "object" || !(p in (cur as object))) return { found: false };
        cur = (cur as Record<string, unknown>)[p as string];
    }
    return { found: true, value: cur };
}

/** Paths whose value is not known before the deployment (an output of another resource). */
function unknownPaths(v: unknown, prefix: PathPart[] = []): PathPart[][] {
    if (v === "[unknown]") return [prefix];
    if (Array.isArray(v)) return v.flatMap((x, i) => unknownPaths(x, [...prefix, i]));
    if (isObject(v)) return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, [...prefix, k]));
    return [];
}

/** processIgnoreChanges: the old value (or its absence) is put back at each ignored path. */
export function applyIgnoreChanges(olds: Record<string, unknown>, news: Record<string, unknown>, ignore: string[]): Record<string, unknown> {
    const result = structuredClone(news);
    for (const path of ignore.map(parsePath)) {
        const old = getAt(olds, path);
        let parent: Record<string, unknown> = result;
        for (const p of path.slice(0, -1)) {
            if (!isObject(parent[p as string]) && !Array.isArray(parent[p as string])) parent[p as string] = {};
            parent = parent[p as string] as Record<string, unknown>;
        }
        const last = path[path.length - 1] as string;
        if (old.found) parent[last] = structuredClone(old.value);
        else delete parent[last];
    }
    return result;
}

// ---- URNs and aliases ----

const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
/** The provider's URN in a provider reference ("<urn>::<id>"); "" for the default provider. */
const providerUrnOf = (ref: string) => (ref ? ref.slice(0, ref.lastIndexOf("::")) : "");
const urnQualifiedType = (urn: string) => urn.split("::")[2];
const urnType = (urn: string) => urnQualifiedType(urn).split("$").pop()!;

/** resource.CreateURN: the parent URN up to its last "::", "$", the type. */
function createUrn(name: string, type: string, parent: string, project: string, stack: string): string {
    if (!parent) return `urn:pulumi:${stack}::${project}::${type}::${name}`;
    return `${parent.slice(0, parent.lastIndexOf("::"))}$${type}::${name}`;
}

interface Stack {
    project: string;
    stack: string;
}

/** collapseAliasToUrn. `matched` maps a new URN to the old URN it was found under through an alias. */
function collapseAlias(r: Registration, alias: AliasSpec, at: Stack, matched: Map<string, string>): string {
    if (alias.urn) return alias.urn;
    let parent = alias.parentUrn ?? "";
    if (parent === "") parent = r.parent;
    else parent = matched.get(parent) ?? parent;
    if (alias.noParent || (parent !== "" && urnQualifiedType(parent) === ROOT_STACK_TYPE)) parent = "";
    return createUrn(alias.name ?? r.name, alias.type ?? r.type, parent, alias.project ?? at.project, alias.stack ?? at.stack);
}

/** inheritedChildAlias: a child named "<parent>-x" of a parent aliased to P is aliased to "<P's name>-x" under P. */
function inheritedChildAlias(childType: string, childName: string, parentName: string, parentAlias: string, at: Stack): string {
    const aliasName = childName.startsWith(parentName) ? urnName(parentAlias) + childName.slice(parentName.length) : childName;
    const parentType = urnQualifiedType(parentAlias);
    const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${childType}` : childType;
    return `urn:pulumi:${at.stack}::${at.project}::${qualified}::${aliasName}`;
}

/** generateAliases: the resource's own aliases, then those its parent's alias gives it. */
export function aliasUrns(r: Registration, at: Stack, matched: Map<string, string>): string[] {
    const out = new Set<string>();
    for (const a of r.aliases) out.add(collapseAlias(r, a, at, matched));
    const parentAlias = r.parent ? matched.get(r.parent) : undefined;
    if (parentAlias) {
        const parentName = urnName(r.parent);
        out.add(inheritedChildAlias(r.type, r.name, parentName, parentAlias, at));
        for (const a of r.aliases) {
            const child = collapseAlias(r, a, at, matched);
            out.add(inheritedChildAlias(urnType(child), urnName(child), parentName, parentAlias, at));
        }
    }
    return [...out];
}

// ---- steps ----

export type StepOp = "create" | "import" | "update" | "replace" | "delete" | "discard" | "same";

export interface Step {
    op: StepOp;
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** The old URN when the resource was found through an alias. */
    from?: string;
    /** Paths whose inputs differ (after ignoreChanges). */
    changed: string[];
    /** The paths that make it a replace. */
    replaceBecause: string[];
    deleteBeforeReplace?: boolean;
    /** The resource's delete runs (a delete, or the old half of a replace, without retainOnDelete). */
    runsDelete: boolean;
    /** protect: the engine refuses this step and stops (a delete: protected in state; a replace: in state and program). */
    blockedByProtect?: boolean;
    /** The provider's diff is not modelled offline: it may replace where this says update. */
    providerUnknown?: boolean;
}

export interface StepsResult {
    steps: Step[];
    /** Resources in the base that the same alias or URN is claimed for twice, and other engine errors. */
    errors: string[];
}

/**
 * Provider config keys whose change makes a provider's DiffConfig ask for replacement, by provider type.
 * pulumi-aws marks `region` ForcesProviderReplace (pulumi/pulumi-aws#4000); azure-native's DiffConfig never
 * replaces (pulumi/ci-mgmt#1113). A type not listed is not modelled: the step says so.
 */
export const PROVIDER_CONFIG_REPLACE_KEYS: Record<string, readonly string[]> = {
    "pulumi:providers:aws": ["region"],
    "pulumi:providers:azure-native": [],
    "pulumi:providers:kubernetes": ["clusterIdentifier"],
};

/**
 * What moving a resource from one provider to another does. A default provider is not registered by the
 * program (the engine makes it from stack config): its config is unknown here, so only a provider type whose
 * DiffConfig never replaces is known to keep the resource.
 */
function providerChangeVerdict(
    oldUrn: string,
    newUrn: string,
    olds: Map<string, Registration>,
    news: Map<string, Registration>,
): "same" | "replace" | "unknown" {
    const oldProvider = olds.get(oldUrn);
    const newProvider = news.get(newUrn);
    const type = newProvider?.type ?? oldProvider?.type ?? "";
    const keys = PROVIDER_CONFIG_REPLACE_KEYS[type];
    if (keys === undefined) return "unknown";
    if (keys.length === 0) return "same";
    if (!oldProvider || !newProvider) return "unknown";
    return keys.some((k) => JSON.stringify(oldProvider.inputs[k]) !== JSON.stringify(newProvider.inputs[k])) ? "replace" : "same";
}

/** The steps of `pulumi up` from the registrations in `olds` (the state) to those in `news` (the program). */
export function computeSteps(olds: Registration[], news: Registration[], at: Stack): StepsResult {
    const oldByUrn = new Map(olds.map((r) => [r.urn, r]));
    const claimed = new Map<string, string>();
    const matched = new Map<string, string>();
    const steps: Step[] = [];
    const errors: string[] = [];
    const newUrns = new Set(news.map((r) => r.urn));
    const opByUrn = new Map<string, StepOp>();
    const newByUrn = new Map(news.map((r) => [r.urn, r]));

    for (const r of news) {
        const before = steps.length;
        stepFor(r);
        if (steps.length > before) opByUrn.set(r.urn, steps[steps.length - 1].op);
    }
    function stepFor(r: Registration) {
        let old = oldByUrn.get(r.urn);
        let from: string | undefined;
        if (!old) {
            for (const a of aliasUrns(r, at, matched)) {
                const o = oldByUrn.get(a);
                if (!o) continue;
                if (newUrns.has(a))
                    errors.push(
                        `${r.urn} claims ${a} through an alias, but a resource with that URN is registered too (the engine refuses the update)`,
                    );
                else if (claimed.has(a))
                    errors.push(`${r.urn} and ${claimed.get(a)} both claim ${a} through aliases (the engine refuses the update)`);
                old = o;
                from = a;
                matched.set(r.urn, a);
                break;
            }
        }
        const base = { urn: r.urn, type: r.type, name: r.name, custom: r.custom, ...(from ? { from } : {}) };
        if (!old) {
            steps.push({ ...base, op: r.importId ? "import" : "create", changed: [], replaceBecause: [], runsDelete: false });
            return;
        }
        claimed.set(old.urn, r.urn);
        if (!r.custom) {
            steps.push({ ...base, op: "same", changed: [], replaceBecause: [], runsDelete: false });
            return;
        }
        const newInputs = applyIgnoreChanges(old.inputs, r.inputs, r.ignoreChanges);
        const compared = DYNAMIC_DIFF_KEYS[r.type];
        // An input computed from a resource being created or replaced is unknown until then: the engine
        // diffs it as a change (and a replace, on a replace key).
        const upstreamChanges = r.dependencies.some((d) => ["create", "replace"].includes(opByUrn.get(d) ?? ""));
        const unknownParts = upstreamChanges ? unknownPaths(newInputs) : [];
        const differing = diffPaths(old.inputs, newInputs);
        const seen = new Set(differing.map(showPath));
        const changedParts = [...differing, ...unknownParts.filter((u) => !seen.has(showPath(u)))].filter(
            (p) => !compared || compared.includes(p[0] as string),
        );
        const changed = changedParts.map(showPath);
        // Both protected: the engine refuses the replace (step_generator.go: new.Protect && old.Protect).
        const replace = (changedPaths: string[], replaceBecause: string[]) =>
            steps.push({
                ...base,
                op: "replace",
                changed: changedPaths,
                replaceBecause,
                deleteBeforeReplace: r.deleteBeforeReplace ?? DELETE_BEFORE_REPLACE_BY_PROVIDER.has(r.type),
                runsDelete: !old.retainOnDelete,
                ...(old.protect && r.protect ? { blockedByProtect: true } : {}),
            });
        // A replaced provider replaces every resource it manages.
        const providerUrn = providerUrnOf(r.provider);
        if (opByUrn.get(providerUrn) === "replace") {
            replace(changed, ["(its provider is replaced)"]);
            return;
        }
        // Another provider (e.g. a cluster's explicit one instead of the default): the engine asks the new
        // provider's DiffConfig (step_generator.go providerChanged) and replaces on its verdict.
        const oldProviderUrn = providerUrnOf(old.provider);
        if (oldProviderUrn !== providerUrn) {
            const verdict = providerChangeVerdict(oldProviderUrn, providerUrn, oldByUrn, newByUrn);
            if (verdict === "replace") {
                replace([...changed, "provider"], ["provider"]);
                return;
            }
            if (verdict === "unknown") {
                steps.push({
                    ...base,
                    op: "update",
                    changed: [...changed, "provider"],
                    replaceBecause: [],
                    runsDelete: false,
                    providerUnknown: true,
                });
                return;
            }
        }
        if (changed.length === 0) {
            steps.push({ ...base, op: "same", changed, replaceBecause: [], runsDelete: false });
            return;
        }
        const providerKeys = providerReplaceKeys(r.type);
        const byProvider = (providerKeys ?? []).map(parsePath).filter((k) => changedParts.some((p) => pathContains(k, p) || pathContains(p, k)));
        const byOption = changedParts.filter((p) => r.replaceOnChanges.some((pattern) => pathContains(parsePath(pattern), p)));
        const replaceBecause = [...new Set([...byProvider, ...byOption].map(showPath))].sort();
        if (replaceBecause.length === 0) {
            steps.push({ ...base, op: "update", changed, replaceBecause, runsDelete: false, ...(providerKeys ? {} : { providerUnknown: true }) });
            return;
        }
        replace(changed, replaceBecause);
    }

    // Deletes, dependents before what they depend on (reverse registration order).
    for (const old of [...olds].reverse()) {
        if (claimed.has(old.urn)) continue;
        steps.push({
            op: old.retainOnDelete ? "discard" : "delete",
            urn: old.urn,
            type: old.type,
            name: old.name,
            custom: old.custom,
            changed: [],
            replaceBecause: [],
            runsDelete: old.custom && !old.retainOnDelete,
            ...(old.protect ? { blockedByProtect: true } : {}),
        });
    }
    return { steps, errors };
}

/** Providers whose diff asks for delete-before-replace (the EKS and GKE logging providers do). */
const DELETE_BEFORE_REPLACE_BY_PROVIDER = new Set([
    "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging",
    "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging",
]);

/**
 * The rule: no resource whose delete turns audit logging off is ever replaced because of an input change
 * other than its target. Returns one line per registration that breaks it (empty when all hold).
 */
export function destructiveReplaceProblems(registrations: Registration[]): string[] {
    const problems: string[] = [];
    for (const r of registrations) {
        const rule = DESTRUCTIVE_DELETES[r.type];
        if (!r.custom || !rule || (rule.when && !rule.when(r))) continue;
        const target = rule.target.map(parsePath);
        const ignored = r.ignoreChanges.map(parsePath);
        const covered = (k: PathPart[]) => ignored.some((i) => pathContains(i, k)) || target.some((t) => pathContains(t, k));
        const keys = [...(providerReplaceKeys(r.type) ?? []), ...r.replaceOnChanges].map(parsePath);
        const loose = keys.filter((k) => !covered(k.map((p) => (p === "*" ? 0 : p))));
        if (loose.length > 0)
            problems.push(
                `${r.urn}: its delete turns audit logging off, yet a change of ${loose.map(showPath).join(", ")} would replace it (create, then run the old one's delete); allowed: ${rule.target.length > 0 ? `a replace only when ${rule.target.join("/")} changes` : "no replace at all (drop the key, or list it in ignoreChanges)"}`,
            );
        if (r.deleteBeforeReplace === true && rule.target.length === 0)
            problems.push(`${r.urn}: deleteBeforeReplace on a resource whose delete turns audit logging off`);
    }
    return problems;
}
