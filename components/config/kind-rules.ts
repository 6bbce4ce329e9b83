/**
 * What the fleet-wide validation needs from each kind of cluster, written next to that kind's schema
 * (config/<kind>.ts) and looked up in one table (KIND_RULES, config/stack.ts) instead of switched on.
 */

/** A secret config key a cluster names, and the field that names it. */
export interface SecretRef {
    field: string;
    key: string;
}

/** Another cluster as the fleet rules see it (structural, so that no kind depends on the union). */
export interface FleetMember {
    kind: string;
    name: string;
    project?: string;
    dataAccessLogTypes?: readonly string[];
}

export interface KindRuleContext {
    /** "akko-audit:clusters[i] (cluster "x", kind y)" (or its place in the clustersFile): every problem starts with it. */
    where: string;
    /** The cluster's index in the fleet (the inline clusters, then those of akko-audit:clustersFile). */
    index: number;
    /**
     * Where a cluster of the fleet is written, by index, for error lines: "clusters[3]" or "clustersFile
     * fleet.yaml: clusters[12]". Unset (a component checking its own args, no fleet): "clusters[i]".
     */
    place?: (index: number) => string;
    /** logs.retentionDays: no buffer may outlive Loki. */
    logsRetentionDays: number;
    /** The valid clusters by index. */
    fleet: ReadonlyMap<number, FleetMember>;
}

/** Stack-wide defaults (top-level config keys) a kind may take for fields its clusters leave unset. */
export interface StackDefaults {
    /** akko-audit:sshAuth: SSH agent authentication for every k3s cluster that names no key. */
    sshAuth?: { agent: true; agentSocket?: string };
}

export interface KindRules<C> {
    /** The cluster with the stack-wide defaults applied (before the other rules). Default: unchanged. */
    withStackDefaults?(c: C, defaults: StackDefaults): C;
    /** The secret config keys the cluster names. */
    secretRefs(c: C): SecretRef[];
    /** Its buffer before Loki (on the node or in the cloud), in days, if it has one. */
    bufferRetention(c: C): { field: string; days: number } | undefined;
    /** The cloud cluster it points at, to refuse the same cluster listed twice. */
    identity(c: C): { id: string; field: string; value: string } | undefined;
    /** Rules across its own fields (and, for some, the fleet): one full problem line each. */
    problems(c: C, ctx: KindRuleContext): string[];
}
