import { z } from "zod";
import { aksRules, AksClusterSchema } from "./aks";
import { eksRules, EksClusterSchema } from "./eks";
import { ConfigError, showValue } from "./errors";
import { gkeRules, GkeClusterSchema } from "./gke";
import { k3sRules, K3sClusterSchema, SshAuthSchema } from "./k3s";
import type { KindRules, SecretRef, StackDefaults } from "./kind-rules";
import { LogsSchema, logsSecretRefs } from "./logs";
import { openShiftRules, OpenShiftClusterSchema } from "./openshift";

import { CONFIG_NAMESPACE } from "./namespace";

export { CONFIG_NAMESPACE };
export const CLUSTER_KINDS = ["k3s", "eks", "gke", "aks", "openshift"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

export const ClusterSchema = z.discriminatedUnion(
    "kind",
    [K3sClusterSchema, EksClusterSchema, GkeClusterSchema, AksClusterSchema, OpenShiftClusterSchema],
    { error: (iss) => (iss.code === "invalid_union" ? CLUSTER_KINDS.join(" | ") : "a mapping with name and kind") },
);

export type ClusterConfig = z.infer<typeof ClusterSchema>;
export type LogsConfigValue = z.infer<typeof LogsSchema>;

/** The validated configuration of one stack. */
export interface StackConfig {
    stack: string;
    clusters: ClusterConfig[];
    logs: LogsConfigValue;
    /** Every secret config key the stack refers to (names, never values). */
    secretKeys: string[];
    /** Secret keys the stack refers to that are not set yet (only offline, with allowUnsetSecrets). */
    unsetSecrets: string[];
}

export interface ValidateOptions {
    /**
     * Offline commands (render, plan, coverage) work before the secrets are set: a referenced secret that is
     * not set is listed in `unsetSecrets` instead of refused. Default false (`pulumi up` needs every secret).
     */
    allowUnsetSecrets?: boolean;
}

/**
 * The stack's config as read (from Pulumi's runtime or from Pulumi.<stack>.yaml): keys without the
 * namespace; secret values are never held here, only which keys are secret.
 */
export interface RawStackConfig {
    stack: string;
    values: Record<string, unknown>;
    secretKeys: ReadonlySet<string>;
}

/** Top-level keys that hold structured, non-secret config. */
export const STRUCTURED_KEYS = ["clusters", "logs", "sshAuth"] as const;

function clusterLabel(raw: unknown): string {
    if (typeof raw !== "object" || raw === null) return "";
    const r = raw as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof r.name === "string") parts.push(`cluster ${JSON.stringify(r.name)}`);
    if (typeof r.kind === "string") parts.push(`kind ${r.kind}`);
    return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function fieldPath(path: PropertyKey[]): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

/** One line for one zod issue: key, cluster, field, value, allowed. */
function formatIssue(key: string, rawRoot: unknown, iss: z.core.$ZodIssue): string {
    const path = [...iss.path];
    let where = `${CONFIG_NAMESPACE}:${key}`;
    if (key === "clusters" && typeof path[0] === "number") {
        const index = path.shift() as number;
        where += `[${index}]${clusterLabel((rawRoot as unknown[])[index])}`;
    }
    return formatIssueAt(where, { ...iss, path });
}

/**
 * Validates a component's args with the config's own field schemas and rules (one place for each rule and
 * its text), for components built without the stack config: one line per problem, each starting with
 * `where` (the component's `Type "name"`). Throws ConfigError; returns the parsed args (defaults applied).
 */
export function checkArgs<S extends z.ZodType>(
    where: string,
    schema: S,
    args: unknown,
    rules: (parsed: z.output<S>) => string[] = () => [],
): z.output<S> {
    const r = schema.safeParse(args, { reportInput: true });
    const problems = r.success ? rules(r.data) : r.error.issues.map((iss) => formatIssueAt(where, iss));
    if (problems.length > 0) throw new ConfigError(problems);
    return r.data as z.output<S>;
}

function formatIssueAt(where: string, iss: z.core.$ZodIssue): string {
    const path = [...iss.path];
    if (iss.code === "unrecognized_keys") {
        const at = path.length > 0 ? ` in ${fieldPath(path)}` : "";
        return `${where}: unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => JSON.stringify(k)).join(", ")}${at}; ${iss.message}`;
    }
    let value: unknown = iss.input;
    if (iss.code === "invalid_union" && path[path.length - 1] === "kind" && typeof value === "object" && value !== null) {
        value = (value as Record<string, unknown>).kind;
    }
    const field = path.length > 0 ? `field ${fieldPath(path)}` : "value";
    return `${where}: ${field}: got ${showValue(value)}; allowed: ${iss.message}`;
}

/**
 * Validates a stack's configuration: structure, types and allowed values of every field, unique cluster
 * names, secret references that exist and are secret, and retention that never outlives Loki's.
 * Throws ConfigError listing every problem (not only the first).
 */
export function validateStackConfig(raw: RawStackConfig, opts: ValidateOptions = {}): StackConfig {
    const problems: string[] = [];
    const unset = new Set<string>();
    const secretProblem = (where: string, ref: { field: string; key: string }): string | undefined => {
        if (!(ref.key in raw.values)) {
            if (opts.allowUnsetSecrets) {
                unset.add(ref.key);
                return undefined;
            }
            return `${where}: got ${JSON.stringify(ref.key)}, but ${CONFIG_NAMESPACE}:${ref.key} is not set; allowed: a secret config key, set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${ref.key}\``;
        }
        if (!raw.secretKeys.has(ref.key)) {
            return `${where}: got ${JSON.stringify(ref.key)}, but ${CONFIG_NAMESPACE}:${ref.key} is stored in plain text; allowed: a secret config key, set it again with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${ref.key}\``;
        }
        return undefined;
    };
    const v = raw.values;

    const clustersRaw = v.clusters;
    // Valid clusters by their index in the raw list (error lines name that index).
    const valid = new Map<number, ClusterConfig>();
    if (clustersRaw === undefined) {
        problems.push(`${CONFIG_NAMESPACE}:clusters: missing; allowed: a list of clusters, each with name and kind (${CLUSTER_KINDS.join(" | ")})`);
    } else if (!Array.isArray(clustersRaw) || clustersRaw.length === 0) {
        problems.push(
            `${CONFIG_NAMESPACE}:clusters: got ${showValue(clustersRaw)}; allowed: a non-empty list of clusters, each with name and kind (${CLUSTER_KINDS.join(" | ")})`,
        );
    } else {
        clustersRaw.forEach((c, i) => {
            const r = ClusterSchema.safeParse(c, { reportInput: true });
            if (r.success) valid.set(i, r.data);
            else for (const iss of r.error.issues) problems.push(formatIssue("clusters", clustersRaw, { ...iss, path: [i, ...iss.path] }));
        });
    }

    // Stack-wide defaults, applied once here to the clusters that leave the field unset.
    const defaults: StackDefaults = {};
    if (v.sshAuth !== undefined) {
        const r = SshAuthSchema.safeParse(v.sshAuth, { reportInput: true });
        if (r.success) defaults.sshAuth = r.data;
        else for (const iss of r.error.issues) problems.push(formatIssue("sshAuth", v.sshAuth, iss));
    }
    for (const [i, c] of valid) valid.set(i, withStackDefaults(c, defaults));

    const logsResult = LogsSchema.safeParse(v.logs ?? {}, { reportInput: true });
    if (!logsResult.success) for (const iss of logsResult.error.issues) problems.push(formatIssue("logs", v.logs, iss));
    const logs = logsResult.success ? logsResult.data : LogsSchema.parse({});

    problems.push(...crossChecks(valid, logs, secretProblem));
    if (logsResult.success) {
        for (const ref of logsSecretRefs(logs)) {
            const p = secretProblem(`${CONFIG_NAMESPACE}:logs: field ${ref.field}`, ref);
            if (p) problems.push(p);
        }
    }
    const clusters = [...valid.values()];

    const secretKeys = [...new Set([...clusters.flatMap(secretRefs), ...logsSecretRefs(logs)].map((s) => s.key))].sort();
    // Also names from clusters that failed validation, so one typo is not reported twice.
    const referenced = new Set([...secretKeys, ...rawSecretNames(clustersRaw)]);
    for (const key of Object.keys(v)) {
        // Unreferenced secrets are tolerated (rotations, other tooling); a plain unknown key is a typo.
        if ((STRUCTURED_KEYS as readonly string[]).includes(key) || referenced.has(key) || raw.secretKeys.has(key)) continue;
        problems.push(
            `${CONFIG_NAMESPACE}:${key}: unknown config key; allowed: ${STRUCTURED_KEYS.join(", ")}, or a secret named by a cluster's *Secret field`,
        );
    }

    if (problems.length > 0) throw new ConfigError(problems);
    return { stack: raw.stack, clusters, logs, secretKeys, unsetSecrets: [...unset].sort() };
}

function rawSecretNames(clustersRaw: unknown): string[] {
    if (!Array.isArray(clustersRaw)) return [];
    return clustersRaw.flatMap((c) =>
        typeof c === "object" && c !== null
            ? Object.entries(c)
                  .filter(([k, val]) => k.endsWith("Secret") && typeof val === "string")
                  .map(([, val]) => val as string)
            : [],
    );
}

type ClusterOfKind<K extends ClusterKind> = Extract<ClusterConfig, { kind: K }>;

/** Each kind's fleet rules, written next to its schema: the one table keyed by kind on the config side. */
const KIND_RULES: { [K in ClusterKind]: KindRules<ClusterOfKind<K>> } = {
    k3s: k3sRules,
    eks: eksRules,
    gke: gkeRules,
    aks: aksRules,
    openshift: openShiftRules,
};

function rulesOf<K extends ClusterKind>(c: ClusterOfKind<K>): KindRules<ClusterOfKind<K>> {
    // The mapped type ties each entry to its kind; TypeScript cannot correlate the lookup by itself.
    return KIND_RULES[c.kind as K] as KindRules<ClusterOfKind<K>>;
}

function withStackDefaults(c: ClusterConfig, defaults: StackDefaults): ClusterConfig {
    return rulesOf(c).withStackDefaults?.(c, defaults) ?? c;
}

/** The secret config keys a cluster refers to, with the field that names each. */
export function secretRefs(c: ClusterConfig): SecretRef[] {
    return rulesOf(c).secretRefs(c);
}

/** Cloud-side or on-node retention of a cluster in days (the buffer before Loki), if it has one. */
export function bufferRetention(c: ClusterConfig): { field: string; days: number } | undefined {
    return rulesOf(c).bufferRetention(c);
}

/** The cloud cluster a managed entry points at (EKS, GKE, AKS), to refuse the same cluster listed twice. */
export function managedClusterIdentity(c: ClusterConfig): { id: string; field: string; value: string } | undefined {
    return rulesOf(c).identity(c);
}

function crossChecks(
    valid: Map<number, ClusterConfig>,
    logs: LogsConfigValue,
    secretProblem: (where: string, ref: { field: string; key: string }) => string | undefined,
): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    const current = new Set([...valid.values()].map((c) => c.name));
    const formerly = new Map<string, number>();
    const clouds = new Map<string, number>();
    for (const [i, c] of valid) {
        const where = `${CONFIG_NAMESPACE}:clusters[${i}] (cluster ${JSON.stringify(c.name)}, kind ${c.kind})`;
        const first = seen.get(c.name);
        if (first !== undefined) {
            problems.push(`${where}: field name: got ${JSON.stringify(c.name)}; allowed: a name no other cluster uses (clusters[${first}] has it)`);
        } else seen.set(c.name, i);

        for (const ref of secretRefs(c)) {
            const p = secretProblem(`${where}: field ${ref.field}`, ref);
            if (p) problems.push(p);
        }
        c.previousNames.forEach((old, j) => {
            // An alias to a name still in use, or claimed twice, would hand one cluster's resources to another.
            if (current.has(old))
                problems.push(
                    `${where}: field previousNames[${j}]: got ${JSON.stringify(old)}; allowed: a name no cluster has now (cluster ${JSON.stringify(old)} exists)`,
                );
            else if (formerly.has(old))
                problems.push(
                    `${where}: field previousNames[${j}]: got ${JSON.stringify(old)}; allowed: a name only one cluster had (clusters[${formerly.get(old)}] lists it)`,
                );
            else formerly.set(old, i);
        });

        const cloud = managedClusterIdentity(c);
        if (cloud) {
            const prev = clouds.get(cloud.id);
            // Two entries would fight over the same log group, sink or diagnostic setting.
            if (prev !== undefined)
                problems.push(
                    `${where}: field ${cloud.field}: got ${JSON.stringify(cloud.value)}; allowed: a cluster not already listed (clusters[${prev}] is the same cluster)`,
                );
            else clouds.set(cloud.id, i);
        }

        const retention = bufferRetention(c);
        if (retention && retention.days > logs.retentionDays) {
            problems.push(
                `${where}: field ${retention.field}: got ${retention.days}; allowed: at most ${CONFIG_NAMESPACE}:logs.retentionDays (${logs.retentionDays}): the buffer must not outlive Loki, the record`,
            );
        }

        problems.push(...rulesOf(c).problems(c, { where, index: i, logsRetentionDays: logs.retentionDays, fleet: valid }));
    }
    return problems;
}
