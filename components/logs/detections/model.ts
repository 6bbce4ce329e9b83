import type { Level, RequestAttributes } from "../../../policy/engine";

/** Alert severities, most urgent first; the `severity` label of every alert. */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * A test of one label as a LogQL label filter reads it (Loki pkg/logql/log/label_filter.go): `=`/`!=` compare
 * strings, `=~`/`!~` are fully anchored RE2 regular expressions; an absent label reads as "".
 * Labels are what Loki has for a stored line: the stream labels (job, cluster, source), its structured
 * metadata (audit_*, components/logs/normalize/table.ts) and what `| json` extracts from the Event
 * (nested keys joined with `_`: objectRef_resource, user_username, responseStatus_code; arrays skipped).
 */
export interface FieldMatch {
    field: string;
    op: "=" | "!=" | "=~" | "!~";
    value: string;
}

/** A rule's logic over one event: label tests, combined with and (all) / or (any). */
export type Matcher = FieldMatch | { all: Matcher[] } | { any: Matcher[] };

/** Where a rule comes from, or which public rule it corrects. */
export interface RuleSource {
    /** SigmaHQ, Elastic, Falco, Panther, or "akko-audit" for a rule of our own. */
    name: string;
    /** Rule id, file or URL. */
    ref: string;
    /** What we do differently, and why. */
    note?: string;
}

/** What must reach Loki for a rule to fire: the blind-spot proof evaluates these per cluster. */
export interface RuleNeeds {
    /** Requests the rule looks for; each must reach Loki at `level` or above for the rule to see it. */
    requests: { label: string; request: RequestAttributes }[];
    /** The lowest audit level the rule's fields are in (Metadata: no bodies needed; Request: the request body). */
    level: Level;
    /** Event fields (dotted paths) the rule cannot fire without, so a source that does not carry one is blind to it (exclusions that read an absent field as "" are not listed). */
    fields: string[];
}

/** Counted rules: at least `count` matching events within `window`, per distinct value of `by`. */
export interface Threshold {
    count: number;
    /** A Prometheus duration (5m). */
    window: string;
    /** Labels counted apart (besides cluster), e.g. ["user_username"]. */
    by: string[];
}

export interface DetectionRule {
    /** Stable id, kebab-case: the alert's `rule` label, `detect` output, `disabled` in config. */
    id: string;
    title: string;
    severity: Severity;
    /** Why it matters, for the responder and the auditor. */
    why: string;
    sources: RuleSource[];
    needs: RuleNeeds;
    match: Matcher;
    /** Absent: every matching event is a hit. */
    threshold?: Threshold;
}

/** Rule parameters from config (logs.detections). */
export interface DetectionParams {
    rbacWriters: string[];
    secretReaders: string[];
    enumeration: { threshold: number; window: string };
}

export const eq = (field: string, value: string): FieldMatch => ({ field, op: "=", value });
export const ne = (field: string, value: string): FieldMatch => ({ field, op: "!=", value });
export const re = (field: string, value: string): FieldMatch => ({ field, op: "=~", value });
export const nre = (field: string, value: string): FieldMatch => ({ field, op: "!~", value });
export const all = (...m: Matcher[]): Matcher => ({ all: m });
export const any = (...m: Matcher[]): Matcher => ({ any: m });

/** A regular expression matching exactly one of `values`. */
export function oneOf(values: readonly string[]): string {
    return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}
/** A regular expression matching any of the `patterns` (each fully anchored by the matcher). */
export function anyPattern(patterns: readonly string[]): string {
    return patterns.map((p) => `(?:${p})`).join("|");
}
/** A pattern for a comma-joined list (derived fields) that contains `item`. */
export function listHas(item: string): string {
    return `(?:.*,)?${oneOf([item])}(?:,.*)?`;
}
