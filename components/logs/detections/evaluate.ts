import { DetectionRule, FieldMatch, Matcher } from "./model";
import { lokiJsonLabels } from "./loki-json";
import { parseDuration } from "../../config/duration";

/** The labels Loki has for one stored line: stream labels, structured metadata, then `| json`'s. */
export function lineLabels(
    line: string | Record<string, unknown>,
    metadata: Record<string, string>,
    stream: Record<string, string> = {},
): Map<string, string> {
    const base = new Map<string, string>([...Object.entries(stream), ...Object.entries(metadata)]);
    for (const [k, v] of lokiJsonLabels(line, new Set(base.keys()))) base.set(k, v);
    return base;
}

const compiled = new Map<string, RegExp>();
/** LogQL's regex matchers are fully anchored (Prometheus labels.Matcher: ^(?:re)$). */
function anchored(pattern: string): RegExp {
    let r = compiled.get(pattern);
    if (!r) {
        r = new RegExp(`^(?:${pattern})$`, "s");
        compiled.set(pattern, r);
    }
    return r;
}

function test(m: FieldMatch, labels: ReadonlyMap<string, string>): boolean {
    const v = labels.get(m.field) ?? "";
    switch (m.op) {
        case "=":
            return v === m.value;
        case "!=":
            return v !== m.value;
        case "=~":
            return anchored(m.value).test(v);
        case "!~":
            return !anchored(m.value).test(v);
    }
}

/** Whether one event's labels satisfy a rule's logic, as Loki's label filters decide. */
export function matches(m: Matcher, labels: ReadonlyMap<string, string>): boolean {
    if ("field" in m) return test(m, labels);
    if ("all" in m) return m.all.every((x) => matches(x, labels));
    return m.any.some((x) => matches(x, labels));
}

/** Every label a matcher reads. */
export function matcherFields(m: Matcher): string[] {
    if ("field" in m) return [m.field];
    return [...new Set(("all" in m ? m.all : m.any).flatMap(matcherFields))];
}

/** A Prometheus duration (5m, 1h, 30s) in milliseconds. */
export function durationMs(d: string): number {
    const ms = parseDuration(d);
    if (ms === undefined) throw new Error(`not a duration: ${d}`);
    return ms;
}

export interface Hit {
    rule: string;
    severity: string;
    cluster?: string;
    auditID?: string;
    user?: string;
    verb?: string;
    /** resource[/subresource] [namespace/]name, as the event names it. */
    object?: string;
    time?: string;
    /** Counted rules: the count reached, the key counted by. */
    count?: number;
    key?: Record<string, string>;
}

function objectText(l: ReadonlyMap<string, string>): string | undefined {
    const res = l.get("objectRef_resource");
    if (!res) return l.get("requestURI") || undefined;
    const sub = l.get("objectRef_subresource");
    const ns = l.get("objectRef_namespace");
    const name = l.get("objectRef_name");
    return `${res}${sub ? `/${sub}` : ""}${name ? ` ${ns ? `${ns}/` : ""}${name}` : ns ? ` ${ns}/` : ""}`;
}

/**
 * Runs the rules over events in the order given, as the ruler would over the stored lines: single-event
 * rules hit on each matching event; a counted rule hits once when its count within the window reaches the
 * threshold for one key, and again only after that key's window has passed.
 */
export class Detector {
    private readonly seen = new Map<string, number[]>();
    private readonly firedUntil = new Map<string, number>();
    /** A long-running request (exec) is logged at ResponseStarted and again at ResponseComplete: one hit. */
    private readonly hitIds = new Set<string>();

    constructor(private readonly rules: readonly DetectionRule[]) {}

    push(labels: ReadonlyMap<string, string>, timeMs: number | undefined): Hit[] {
        const hits: Hit[] = [];
        for (const rule of this.rules) {
            if (!matches(rule.match, labels)) continue;
            const base: Hit = {
                rule: rule.id,
                severity: rule.severity,
                cluster: labels.get("cluster") || undefined,
                auditID: labels.get("auditID") || undefined,
                user: labels.get("user_username") || undefined,
                verb: labels.get("verb") || undefined,
                object: objectText(labels),
                time: labels.get("stageTimestamp") || labels.get("requestReceivedTimestamp") || undefined,
            };
            const t = rule.threshold;
            if (!t) {
                if (base.auditID) {
                    const once = `${rule.id}\u0000${base.cluster ?? ""}\u0000${base.auditID}`;
                    if (this.hitIds.has(once)) continue;
                    this.hitIds.add(once);
                }
                hits.push(base);
                continue;
            }
            const keyLabels = Object.fromEntries(["cluster", ...t.by].map((b) => [b, labels.get(b) ?? ""]));
            const id = `${rule.id}\u0000${JSON.stringify(keyLabels)}`;
            const now = timeMs ?? 0;
            const window = durationMs(t.window);
            const times = (this.seen.get(id) ?? []).filter((x) => x > now - window);
            times.push(now);
            this.seen.set(id, times);
            if (times.length >= t.count && now >= (this.firedUntil.get(id) ?? -Infinity)) {
                this.firedUntil.set(id, now + window);
                hits.push({ ...base, count: times.length, key: keyLabels });
            }
        }
        return hits;
    }
}
