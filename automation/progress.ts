import type { EngineEvent, OpMap, OpType } from "@pulumi/pulumi/automation";

/** The root resource of every stack: not a step worth counting. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface StepCounts {
    /** Steps the engine started (one ResourcePreEvent each). */
    started: number;
    /** Steps that finished (ResOutputsEvent). */
    done: number;
    /** Steps that failed (ResOpFailedEvent). */
    failed: number;
}

/**
 * Progress of one preview/up/refresh/destroy, folded from the engine's event stream. Immutable: each event gives a
 * new state (a reducer the CLI redraws from and tests replay).
 */
export interface Progress {
    /** Cluster names of the stack, for attributing resources (longest name prefix wins). */
    readonly clusters: readonly string[];
    readonly steps: StepCounts;
    /** Steps expected in total when known beforehand (e.g. a previous preview); the shown total is max(expected, started). */
    readonly expected?: number;
    /** The cluster of the most recently started step that belongs to one. */
    readonly currentCluster?: string;
    readonly byCluster: Readonly<Record<string, StepCounts>>;
    /** Started steps per resource type and operation ("same" included). */
    readonly byType: Readonly<Record<string, OpMap>>;
    /** The engine's own totals, from the final SummaryEvent. */
    readonly summary?: { resourceChanges: OpMap; durationSeconds: number };
    /** First line of each error diagnostic, in order. */
    readonly errors: readonly string[];
    /** Mandatory or advisory policy-pack findings, one line each. */
    readonly policyViolations: readonly string[];
    readonly cancelled: boolean;
}

export function initialProgress(clusters: readonly string[] = [], expected?: number): Progress {
    return {
        clusters: [...clusters].sort((a, b) => b.length - a.length),
        steps: { started: 0, done: 0, failed: 0 },
        ...(expected !== undefined ? { expected } : {}),
        byCluster: {},
        byType: {},
        errors: [],
        policyViolations: [],
        cancelled: false,
    };
}

/** The resource name in a URN (`urn:pulumi:stack::project::type$type::name`). */
export function urnName(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i < 0 ? urn : urn.slice(i + 2);
}

/**
 * The cluster a resource belongs to: components and their children are named after the cluster
 * (`edge-paris`, `edge-paris-server-0-audit-policy`), so the longest cluster name that is the whole name or
 * a `-`-separated prefix of it. Undefined for shared resources (the logs layer, providers, the rollout).
 */
export function clusterOf(urn: string, clustersLongestFirst: readonly string[]): string | undefined {
    const name = urnName(urn);
    return clustersLongestFirst.find((c) => name === c || name.startsWith(`${c}-`));
}

/** Engine text is colour-marked (`<{%reset%}>`) and multi-line: one clean line. */
export function firstLine(message: string): string {
    return (
        message
            .replace(/<\{%[^%]*%\}>/g, "")
            .split("\n")
            .map((l) => l.trim())
            .find((l) => l.length > 0) ?? ""
    );
}

function bump(counts: StepCounts | undefined, field: keyof StepCounts): StepCounts {
    const c = counts ?? { started: 0, done: 0, failed: 0 };
    return { ...c, [field]: c[field] + 1 };
}

function step(state: Progress, urn: string, type: string, field: keyof StepCounts, op?: OpType): Progress {
    if (type === ROOT_STACK_TYPE) return state;
    const cluster = clusterOf(urn, state.clusters);
    const next: Progress = {
        ...state,
        steps: bump(state.steps, field),
        byCluster: cluster === undefined ? state.byCluster : { ...state.byCluster, [cluster]: bump(state.byCluster[cluster], field) },
    };
    if (field !== "started") return next;
    const ops = state.byType[type] ?? {};
    return {
        ...next,
        currentCluster: cluster ?? state.currentCluster,
        byType: op === undefined ? state.byType : { ...state.byType, [type]: { ...ops, [op]: (ops[op] ?? 0) + 1 } },
    };
}

/** Folds one engine event into the progress. Events it does not use leave the state unchanged (same object). */
export function reduceProgress(state: Progress, event: EngineEvent): Progress {
    if (event.resourcePreEvent) {
        const m = event.resourcePreEvent.metadata;
        return step(state, m.urn, m.type, "started", m.op);
    }
    if (event.resOutputsEvent) {
        const m = event.resOutputsEvent.metadata;
        return step(state, m.urn, m.type, "done");
    }
    if (event.resOpFailedEvent) {
        const m = event.resOpFailedEvent.metadata;
        return step(state, m.urn, m.type, "failed");
    }
    if (event.diagnosticEvent && event.diagnosticEvent.severity === "error") {
        const where = event.diagnosticEvent.urn ? `${urnName(event.diagnosticEvent.urn)}: ` : "";
        const line = firstLine(event.diagnosticEvent.message);
        return line ? { ...state, errors: [...state.errors, `${where}${line}`] } : state;
    }
    if (event.policyEvent) {
        const p = event.policyEvent;
        const where = p.resourceUrn ? `${urnName(p.resourceUrn)}: ` : "";
        return {
            ...state,
            policyViolations: [
                ...state.policyViolations,
                `[${p.enforcementLevel}] ${p.policyPackName}/${p.policyName}: ${where}${firstLine(p.message.split("\n").slice(1).join("\n") || p.message)}`,
            ],
        };
    }
    if (event.summaryEvent) {
        return { ...state, summary: { resourceChanges: event.summaryEvent.resourceChanges, durationSeconds: event.summaryEvent.durationSeconds } };
    }
    if (event.cancelEvent) return { ...state, cancelled: true };
    return state;
}

/** Total steps to show: what was expected, or what has started if more. */
export function shownTotal(p: Progress): number {
    return Math.max(p.expected ?? 0, p.steps.started);
}

/** One progress line: `[12/30] edge-paris · 1 failed`. */
export function progressLine(p: Progress): string {
    const finished = p.steps.done + p.steps.failed;
    const parts = [`[${finished}/${shownTotal(p)}] resources`];
    if (p.currentCluster) parts.push(`cluster ${p.currentCluster}`);
    if (p.steps.failed > 0) parts.push(`${p.steps.failed} failed`);
    return parts.join(" · ");
}

/** Operations that change nothing: "same", and a refresh's read of each resource (its findings are in the engine's totals). */
const NO_CHANGE: ReadonlySet<string> = new Set(["same", "refresh"]);

/** Steps per resource type that change something (every operation but "same" and "refresh"), types sorted. */
export function changesByType(p: Progress): Record<string, OpMap> {
    const out: Record<string, OpMap> = {};
    for (const type of Object.keys(p.byType).sort()) {
        const changed = Object.entries(p.byType[type]).filter(([op, n]) => !NO_CHANGE.has(op) && (n ?? 0) > 0);
        if (changed.length > 0) out[type] = Object.fromEntries(changed) as OpMap;
    }
    return out;
}
