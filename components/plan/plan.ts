import { createHash } from "node:crypto";
import { StackConfig, CONFIG_NAMESPACE } from "../config/stack";
import { invokes, PlannedResource, SECRET_MARK, finishRecording, startRecording } from "./recorder";
import { Registration } from "./steps";

import { ROLLOUT_TYPE } from "../platform";

export { ROLLOUT_TYPE };

export interface PlanEntry {
    type: string;
    name: string;
    parent: string | null;
    dependsOn: string[];
    inputs: Record<string, unknown>;
    import?: string;
}

export interface Plan {
    stack: string;
    resources: number;
    /** Resources grouped by the Rollout's child they belong to (a cluster's name, or the logs layer's). */
    groups: Record<string, PlanEntry[]>;
    /** The longest chain of dependent resources (the rollout's critical path), as names. */
    criticalPath: string[];
    /** Cloud reads (invokes) answered with placeholders, by token. */
    placeholderInvokes: string[];
    /** Every registration as the engine receives it: what `plan --base plan.json` compares with. */
    registrations: Registration[];
}

/** Pulumi runtime config for a validated stack: structured values as JSON, secrets as placeholders. */
export function runtimeConfig(config: StackConfig): { values: Record<string, string>; secretKeys: string[] } {
    const values: Record<string, string> = {
        [`${CONFIG_NAMESPACE}:clusters`]: JSON.stringify(config.clusters),
        [`${CONFIG_NAMESPACE}:logs`]: JSON.stringify(config.logs),
    };
    for (const k of config.secretKeys) values[`${CONFIG_NAMESPACE}:${k}`] = SECRET_MARK;
    return { values, secretKeys: config.secretKeys.map((k) => `${CONFIG_NAMESPACE}:${k}`) };
}

/**
 * Runs the real program under the SDK's mocks and returns every resource it would register. `program`
 * receives the validated config (the same function `pulumi up` and the Automation API run).
 */
export async function buildPlan(config: StackConfig, program: (config: StackConfig) => unknown): Promise<Plan> {
    const rc = runtimeConfig(config);
    const recorded = await startRecording(rc.values, rc.secretKeys, config.stack);
    program(config);
    await finishRecording();
    return summarise(config, [...recorded], [...new Set(invokes)].sort());
}

function shortName(urn: string, byUrn: Map<string, PlannedResource>): string {
    const r = byUrn.get(urn);
    return r ? `${r.type}::${r.name}` : urn;
}

/** The plan's group of the explicit cloud providers. */
export const PROVIDERS_GROUP = "providers";

export function summarise(config: StackConfig, recorded: PlannedResource[], placeholderInvokes: string[]): Plan {
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    // A resource belongs to the direct child of the Rollout above it: a cluster's component, or the logs layer.
    const groupOf = (r: PlannedResource): string => {
        for (let cur: PlannedResource | undefined = r; cur; cur = byUrn.get(cur.parent)) {
            // The explicit cloud providers (one per identity, shared by clusters) are one group.
            if (byUrn.get(cur.parent)?.type === ROLLOUT_TYPE) return cur.type.startsWith("pulumi:providers:") ? PROVIDERS_GROUP : cur.name;
        }
        return "stack";
    };
    const groups: Record<string, PlanEntry[]> = {};
    for (const r of recorded) {
        const g = groupOf(r);
        (groups[g] ??= []).push({
            type: r.type,
            name: r.name,
            parent: r.parent ? shortName(r.parent, byUrn) : null,
            dependsOn: r.dependencies.map((d) => shortName(d, byUrn)),
            inputs: r.inputs,
            ...(r.importId ? { import: r.importId } : {}),
        });
    }
    return {
        stack: config.stack,
        resources: recorded.length,
        groups,
        criticalPath: criticalPath(recorded).map((u) => shortName(u, byUrn)),
        placeholderInvokes,
        registrations: recorded,
    };
}

/** Longest chain through explicit and input dependencies (a DAG: registration order is topological). */
/** Longer, or as long and first by URNs: registration order varies between runs, the answer must not. */
const longer = (a: string[], b: string[]) => a.length > b.length || (a.length === b.length && a.length > 0 && a.join("\n") < b.join("\n"));

export function criticalPath(recorded: PlannedResource[], include: (r: PlannedResource) => boolean = (r) => r.custom): string[] {
    const best = new Map<string, string[]>();
    let longest: string[] = [];
    for (const r of recorded) {
        if (!include(r)) continue;
        let chain: string[] = [];
        for (const d of r.dependencies) {
            const c = best.get(d);
            if (c && longer(c, chain)) chain = c;
        }
        const mine = [...chain, r.urn];
        best.set(r.urn, mine);
        if (longer(mine, longest)) longest = mine;
    }
    return longest;
}

const MAX_SHOWN = 100;

function showInput(v: unknown): string {
    if (typeof v === "string") {
        if (v.length <= MAX_SHOWN) return JSON.stringify(v);
        return `<${v.length} chars, sha256 ${createHash("sha256").update(v).digest("hex").slice(0, 12)}>`;
    }
    const text = JSON.stringify(v) ?? String(v);
    return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN - 3)}...`;
}

/** The plan as text for reviewers: grouped by cluster, one resource per block. */
export function planText(plan: Plan): string {
    const out = [`Plan for stack ${plan.stack}: ${plan.resources} resources (offline, under the Pulumi SDK's mocks)`];
    for (const [group, entries] of Object.entries(plan.groups)) {
        out.push("", `== ${group} (${entries.length})`);
        for (const e of entries) {
            out.push(`+ ${e.type} ${e.name}${e.parent ? `  (parent ${e.parent})` : ""}${e.import ? `  import ${e.import}` : ""}`);
            if (e.dependsOn.length > 0) out.push(`    dependsOn: ${e.dependsOn.join(", ")}`);
            for (const [k, v] of Object.entries(e.inputs)) out.push(`    ${k}: ${showInput(v)}`);
        }
    }
    out.push("", `Critical path (${plan.criticalPath.length}): ${plan.criticalPath.join(" -> ")}`);
    if (plan.placeholderInvokes.length > 0) out.push(`Cloud reads answered with placeholders: ${plan.placeholderInvokes.join(", ")}`);
    return out.join("\n");
}
