import { Readable } from "node:stream";
import { attributesFromEvent, EventShapeError } from "./event";
import { PolicyEvaluator } from "./evaluate";
import { forEachLine } from "./lines";
import { Level, LEVELS, levelRank, Policy, Stage } from "./types";

/** How many invalid lines are quoted in the report (all are counted). */
export const MAX_INVALID_EXAMPLES = 10;

export interface SimulationReport {
    /** Valid events read. */
    events: number;
    /** Decisions per level, whatever the stage. */
    levels: Record<Level, number>;
    /** Events the apiserver would write under this policy (level above None, stage not omitted), per level. */
    kept: Record<Exclude<Level, "None">, number> & { total: number };
    /** Events dropped only because their stage is in the rule's omitStages. */
    omittedByStage: number;
    /** Hits per rule (index = rule), and requests that matched no rule. */
    ruleHits: number[];
    noMatch: number;
    /** Events the policy would log with more detail than was recorded: their output size is a lower bound. */
    moreDetailThanRecorded: number;
    invalid: { count: number; examples: { line: number; reason: string }[] };
    bytes: { input: number; output: number; ratio: number };
}

type Obj = Record<string, unknown>;

/** One record from a reader: an audit Event with the line it is stored as, or why a part of the input is not one. */
export type ReaderItem = { lineNo: number; event: unknown; line: string } | { lineNo: number; error: string };
/** Reads a byte stream into Events, calling onItem for each (in order); returns the bytes read. */
export type EventReader = (input: Readable, onItem: (item: ReaderItem) => void) => Promise<number>;

export interface SimulateOptions {
    /** How the input becomes Events (the CLI passes the normaliser's reader, which takes every export format). Default: JSON lines. */
    read?: EventReader;
}

/** The default reader: one JSON object per line, used as is. */
export const readJsonLines: EventReader = (input, onItem) => {
    let lineNo = 0;
    return forEachLine(input, (line) => {
        lineNo++;
        if (line.trim() === "") return;
        try {
            onItem({ lineNo, event: JSON.parse(line), line });
        } catch {
            onItem({ lineNo, error: "not JSON" });
        }
    });
};

/**
 * Replays audit Events (one JSON object per line) through a policy and reports what kube-apiserver would
 * write: bodies dropped below their level, omitted stages dropped, managedFields stripped. Streams: memory
 * does not grow with the input. Invalid lines are counted and quoted, never fatal.
 */
export async function simulate(policy: Policy, input: Readable, opts: SimulateOptions = {}): Promise<SimulationReport> {
    const evaluator = new PolicyEvaluator(policy);
    const stageSets = policy.rules.map((_, i) => new Set<string>(evaluator.stagesFor(i)));
    const defaultStages = new Set<string>(evaluator.stagesFor(-1));
    const report: SimulationReport = {
        events: 0,
        levels: { None: 0, Metadata: 0, Request: 0, RequestResponse: 0 },
        kept: { Metadata: 0, Request: 0, RequestResponse: 0, total: 0 },
        omittedByStage: 0,
        ruleHits: policy.rules.map(() => 0),
        noMatch: 0,
        moreDetailThanRecorded: 0,
        invalid: { count: 0, examples: [] },
        bytes: { input: 0, output: 0, ratio: 0 },
    };
    let lineNo = 0;
    const invalid = (reason: string) => {
        report.invalid.count++;
        if (report.invalid.examples.length < MAX_INVALID_EXAMPLES) report.invalid.examples.push({ line: lineNo, reason });
    };

    report.bytes.input = await (opts.read ?? readJsonLines)(input, (item) => {
        lineNo = item.lineNo;
        if ("error" in item) return invalid(item.error);
        const { event, line } = item;
        const bytes = Buffer.byteLength(line);
        let attrs;
        try {
            attrs = attributesFromEvent(event);
        } catch (e) {
            invalid(e instanceof EventShapeError ? e.message : e instanceof Error ? e.message : String(e));
            return;
        }
        const ev = event as Obj;
        report.events++;
        const i = evaluator.matchIndex(attrs);
        if (i < 0) report.noMatch++;
        else report.ruleHits[i]++;
        const decision = i < 0 ? "None" : policy.rules[i].level;
        report.levels[decision]++;
        if (decision === "None") return;
        const stages = i < 0 ? defaultStages : stageSets[i];
        if (typeof ev.stage === "string" && stages.has(ev.stage as Stage)) {
            report.omittedByStage++;
            return;
        }
        report.kept[decision]++;
        report.kept.total++;
        const recorded = typeof ev.level === "string" && (LEVELS as readonly string[]).includes(ev.level) ? (ev.level as Level) : undefined;
        if (recorded !== undefined && levelRank(decision) > levelRank(recorded)) report.moreDetailThanRecorded++;
        const omitManagedFields = policy.rules[i].omitManagedFields ?? policy.omitManagedFields;
        report.bytes.output += outputBytes(ev, line, bytes, decision, recorded, omitManagedFields);
    });
    report.bytes.ratio = report.bytes.input === 0 ? 0 : round(report.bytes.output / report.bytes.input);
    return report;
}

function round(x: number): number {
    return Math.round(x * 10000) / 10000;
}

/** Bytes of the line the apiserver would write for this event at `level` (with its newline). */
function outputBytes(ev: Obj, line: string, bytes: number, level: Level, recorded: Level | undefined, omitManagedFields: boolean): number {
    const dropRequest = ev.requestObject !== undefined && levelRank(level) < levelRank("Request");
    const dropResponse = ev.responseObject !== undefined && levelRank(level) < levelRank("RequestResponse");
    const stripManaged = omitManagedFields && line.includes('"managedFields"');
    if (!dropRequest && !dropResponse && !stripManaged) {
        // Unchanged apart from the level string: compute the difference instead of re-serialising.
        if (recorded === undefined) return bytes + 1 + `"level":"${level}",`.length;
        return bytes + 1 + level.length - recorded.length;
    }
    const out: Obj = { ...ev, level };
    if (dropRequest) delete out.requestObject;
    if (dropResponse) delete out.responseObject;
    if (stripManaged) {
        if (out.requestObject !== undefined) out.requestObject = withoutManagedFields(out.requestObject);
        if (out.responseObject !== undefined) out.responseObject = withoutManagedFields(out.responseObject);
    }
    return Buffer.byteLength(JSON.stringify(out)) + 1;
}

/** kube-apiserver strips metadata.managedFields from objects and from each item of a list. */
export function withoutManagedFields(obj: unknown): unknown {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return obj;
    const o = obj as Obj;
    let out: Obj = o;
    const meta = o.metadata as Obj | undefined;
    if (meta && typeof meta === "object" && "managedFields" in meta) {
        const { managedFields: _drop, ...rest } = meta;
        void _drop;
        out = { ...o, metadata: rest };
    }
    if (Array.isArray(o.items)) out = { ...out, items: o.items.map(withoutManagedFields) };
    return out;
}
