import { z } from "zod";
import { aksRules, AksClusterSchema } from "./aks";
import { CLUSTERS_FILE_KEY, privateKeyFields, readClustersFile } from "./clusters-file";
import { eksRules, EksClusterSchema } from "./eks";
import { ConfigError, showValue } from "./errors";
import { gkeRules, GkeClusterSchema } from "./gke";
import { k3sRules, K3sClusterSchema, SshAuthSchema } from "./k3s";
import type { KindRules, SecretRef, StackDefaults } from "./kind-rules";
import { EVIDENCE_STATUS_TENANT, evidenceProblems } from "./evidence";
import { LogsSchema, logsSecretRefs, resolveK3sChartFile } from "./logs";
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
    /** The project directory (of Pulumi.yaml): akko-audit:clustersFile is relative to it. Unset: no clustersFile. */
    projectDir?: string;
}

/** Top-level keys that hold non-secret config. */
export const STRUCTURED_KEYS = ["clusters", CLUSTERS_FILE_KEY, "logs", "sshAuth"] as const;

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

/** One line for one zod issue of a top-level key: key, field, value, allowed. */
function formatIssue(key: string, iss: z.core.$ZodIssue): string {
    return formatIssueAt(`${CONFIG_NAMESPACE}:${key}`, iss);
}

/**
 * The fleet before validation: the inline clusters, then those of akko-audit:clustersFile, each with the
 * place error lines name (`clusters[3]`, or `clustersFile fleet.yaml: clusters[12]`: the index in the file).
 */
interface RawFleet {
    entries: unknown[];
    place: (index: number) => string;
    /** The file's clusters start at this index of `entries`. */
    fromFile: number;
    file?: string;
}

function rawFleet(raw: RawStackConfig, problems: string[]): RawFleet {
    const inline = raw.values.clusters;
    const fileValue = raw.values[CLUSTERS_FILE_KEY];
    const kinds = `each with name and kind (${CLUSTER_KINDS.join(" | ")})`;
    let entries: unknown[] = [];
    if (inline === undefined) {
        if (fileValue === undefined)
            problems.push(
                `${CONFIG_NAMESPACE}:clusters: missing; allowed: a list of clusters, ${kinds}, here or in ${CONFIG_NAMESPACE}:${CLUSTERS_FILE_KEY}`,
            );
    } else if (!Array.isArray(inline) || (inline.length === 0 && fileValue === undefined)) {
        problems.push(`${CONFIG_NAMESPACE}:clusters: got ${showValue(inline)}; allowed: a non-empty list of clusters, ${kinds}`);
    } else entries = [...inline];
    const fromFile = entries.length;
    if (fileValue === undefined) return { entries, place: (i) => `clusters[${i}]`, fromFile };
    const read = readClustersFile(raw.projectDir, fileValue, raw.secretKeys.has(CLUSTERS_FILE_KEY));
    if ("problem" in read) {
        problems.push(read.problem);
        return { entries, place: (i) => `clusters[${i}]`, fromFile };
    }
    const file = read.file;
    return {
        entries: [...entries, ...read.clusters],
        place: (i) => (i < fromFile ? `clusters[${i}]` : `${CLUSTERS_FILE_KEY} ${file}: clusters[${i - fromFile}]`),
        fromFile,
        file,
    };
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

    const fleet = rawFleet(raw, problems);
    const clustersRaw = fleet.entries;
    const whereOf = (i: number) => `${CONFIG_NAMESPACE}:${fleet.place(i)}${clusterLabel(clustersRaw[i])}`;
    // Valid clusters by their index in the merged list (error lines name their place: inline or in the file).
    const valid = new Map<number, ClusterConfig>();
    clustersRaw.forEach((c, i) => {
        // The file is committed in plain text: a private key there is refused, naming the field (never the value).
        const keys = i >= fleet.fromFile ? privateKeyFields(c) : [];
        for (const field of keys)
            problems.push(
                `${whereOf(i)}: ${field === "" ? "value" : `field ${field}`}: got [redacted: a private key]; allowed: no private key in ${CLUSTERS_FILE_KEY} ${fleet.file} (it is committed in plain text): put it in secret config (pulumi config set --secret ${CONFIG_NAMESPACE}:NAME) and name it in sshPrivateKeySecret, or use sshAuth: { agent: true }`,
            );
        const r = ClusterSchema.safeParse(c, { reportInput: true });
        if (r.success) {
            if (keys.length === 0) valid.set(i, r.data);
        } else
            for (const iss of r.error.issues) {
                // One line per field: its private key was reported above.
                if (keys.includes(fieldPath(iss.path))) continue;
                problems.push(formatIssueAt(whereOf(i), iss));
            }
    });

    // Stack-wide defaults, applied once here to the clusters that leave the field unset.
    const defaults: StackDefaults = {};
    if (v.sshAuth !== undefined) {
        const r = SshAuthSchema.safeParse(v.sshAuth, { reportInput: true });
        if (r.success) defaults.sshAuth = r.data;
        else for (const iss of r.error.issues) problems.push(formatIssue("sshAuth", iss));
    }
    for (const [i, c] of valid) valid.set(i, withStackDefaults(c, defaults));

    const logsResult = LogsSchema.safeParse(v.logs ?? {}, { reportInput: true });
    if (!logsResult.success) for (const iss of logsResult.error.issues) problems.push(formatIssue("logs", iss));
    const logs = logsResult.success ? logsResult.data : LogsSchema.parse({});
    const chartFile = logsResult.success ? resolveK3sChartFile(logs, raw.projectDir) : undefined;
    if (chartFile) problems.push(chartFile);
    if (logsResult.success) problems.push(...evidenceProblems(logs, `${CONFIG_NAMESPACE}:logs`));

    problems.push(...crossChecks(valid, logs, secretProblem, whereOf, fleet.place));
    if (logsResult.success) {
        for (const ref of logsSecretRefs(logs)) {
            const p = secretProblem(`${CONFIG_NAMESPACE}:logs: field ${ref.field}`, ref);
            if (p) problems.push(p);
        }
    }
    const clusters = [...valid.values()];
    if (logs.evidence.enabled)
        for (const [i, c] of valid)
            if (c.name === EVIDENCE_STATUS_TENANT || c.previousNames.includes(EVIDENCE_STATUS_TENANT))
                problems.push(
                    `${whereOf(i)}: field name: got ${JSON.stringify(EVIDENCE_STATUS_TENANT)}; allowed: another name while logs.evidence is on (its status lines have that Loki tenant)`,
                );

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
    whereOf: (index: number) => string,
    place: (index: number) => string,
): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    const current = new Set([...valid.values()].map((c) => c.name));
    const formerly = new Map<string, number>();
    const clouds = new Map<string, number>();
    for (const [i, c] of valid) {
        const where = whereOf(i);
        const first = seen.get(c.name);
        if (first !== undefined) {
            problems.push(`${where}: field name: got ${JSON.stringify(c.name)}; allowed: a name no other cluster uses (${place(first)} has it)`);
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
                    `${where}: field previousNames[${j}]: got ${JSON.stringify(old)}; allowed: a name only one cluster had (${place(formerly.get(old)!)} lists it)`,
                );
            else formerly.set(old, i);
        });

        const cloud = managedClusterIdentity(c);
        if (cloud) {
            const prev = clouds.get(cloud.id);
            // Two entries would fight over the same log group, sink or diagnostic setting.
            if (prev !== undefined)
                problems.push(
                    `${where}: field ${cloud.field}: got ${JSON.stringify(cloud.value)}; allowed: a cluster not already listed (${place(prev)} is the same cluster)`,
                );
            else clouds.set(cloud.id, i);
        }

        const retention = bufferRetention(c);
        if (retention && retention.days > logs.retentionDays) {
            problems.push(
                `${where}: field ${retention.field}: got ${retention.days}; allowed: at most ${CONFIG_NAMESPACE}:logs.retentionDays (${logs.retentionDays}): the buffer must not outlive Loki, the record`,
            );
        }

        problems.push(...rulesOf(c).problems(c, { where, index: i, place, logsRetentionDays: logs.retentionDays, fleet: valid }));
    }
    return problems;
}
