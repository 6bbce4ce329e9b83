import { ClusterConfig, StackConfig } from "../config/stack";
import { Level, levelRank } from "../../policy/engine";
import { detectionRules } from "../logs/detections";
import type { DetectionRule } from "../logs/detections";
import { EVENT_CLASSES, EventClass } from "./classes";
import { Control, CONTROLS, tamperEvidenceLines } from "./compliance";
import { detectionCoverage, RuleCoverage, RuleStatus } from "./detections";
import { platformOf } from "../platforms";
import { outcome } from "./platforms";
import { RetentionHop, retentionHops } from "./retention";

/**
 * full: every request of the class reaches Loki at the wanted level; partial: some are missing or below it;
 * none: nothing arrives; bodies-logged: a class that must stay at Metadata arrives with bodies.
 */
export type ClassStatus = "full" | "partial" | "none" | "bodies-logged";

export interface ClassCoverage {
    id: EventClass["id"];
    title: string;
    wanted: string;
    status: ClassStatus;
    requests: { request: string; level: Level; why?: string; note?: string }[];
}

export interface ClusterCoverage {
    name: string;
    kind: ClusterConfig["kind"];
    setting: string;
    classes: ClassCoverage[];
    /** Each rule of the detection pack: whether it can fire on this cluster, and why not. */
    detections: RuleCoverage[];
    retention: RetentionHop[];
}

export interface ControlCoverage {
    id: string;
    framework: string;
    title: string;
    status: "covered" | "partial" | "not covered";
    gets: string[];
    gaps: string[];
}

export interface CoverageReport {
    stack: string;
    clusters: ClusterCoverage[];
    controls: ControlCoverage[];
}

// Classes whose bodies carry secrets or identities: anything above Metadata is a finding, not a bonus.
const METADATA_ONLY = new Set<EventClass["id"]>(["sensitive-reads", "reviews"]);

function setting(c: ClusterConfig): string {
    return platformOf(c).setting(c);
}

function classCoverage(cluster: ClusterConfig, cls: EventClass): ClassCoverage {
    const requests = cls.requests.map(({ label, request }) => ({ request: label, ...outcome(cluster, request) }));
    const wanted = levelRank(cls.sufficient);
    let status: ClassStatus;
    if (METADATA_ONLY.has(cls.id) && requests.some((r) => levelRank(r.level) > levelRank("Metadata"))) status = "bodies-logged";
    else if (requests.every((r) => r.level === "None")) status = "none";
    else if (requests.every((r) => levelRank(r.level) >= wanted)) status = "full";
    else status = "partial";
    for (const r of requests) {
        if (r.why === undefined && r.level !== "None" && levelRank(r.level) < wanted)
            r.why = `arrives at ${r.level}: no bodies, so what changed is not recorded`;
        if (METADATA_ONLY.has(cls.id) && levelRank(r.level) > levelRank("Metadata"))
            r.why = `bodies are logged (${r.level}) by the platform's policy`;
    }
    return { id: cls.id, title: cls.title, wanted: cls.wanted, status, requests };
}

function controlCoverage(control: Control, clusters: ClusterCoverage[], evidence: boolean): ControlCoverage {
    const needed = clusters.flatMap((c) => c.classes.filter((x) => control.needs.includes(x.id)).map((cls) => ({ c, cls })));
    const gaps = needed
        .filter(({ cls }) => cls.status !== "full")
        .map(
            ({ c, cls }) =>
                `${c.name} (${c.kind}): ${cls.title} ${cls.status === "none" ? "do not reach Loki" : cls.status === "bodies-logged" ? "are logged with bodies" : "reach Loki only in part"}`,
        );
    if (control.alerts) gaps.push(...alertGaps(clusters));
    const status = needed.every(({ cls }) => cls.status === "none") ? "not covered" : gaps.length > 0 ? "partial" : "covered";
    const tamper = tamperEvidenceLines(control, evidence);
    return {
        id: control.id,
        framework: control.framework,
        title: control.title,
        status,
        gets: [...control.gets, ...tamper.gets],
        gaps: [...gaps, ...control.doesNotGet, ...tamper.doesNotGet],
    };
}

/** A control that relies on alerts: every enabled rule that cannot fire (or fires in part) on a cluster, and every rule turned off. */
function alertGaps(clusters: ClusterCoverage[]): string[] {
    const gaps = clusters.flatMap((c) =>
        c.detections
            .filter((d) => d.status === "blind" || d.status === "partial")
            .map((d) => `${c.name} (${c.kind}): alert ${d.id} ${d.status === "blind" ? "cannot fire" : "fires only in part"} (${d.why.join("; ")})`),
    );
    const disabled = [...new Set(clusters.flatMap((c) => c.detections.filter((d) => d.status === "disabled").map((d) => d.id)))];
    if (disabled.length > 0) gaps.push(`alerts turned off in logs.detections.disabled: ${disabled.join(", ")}`);
    return gaps;
}

/**
 * Whether the stack turns on the signed digests (logs.evidence.enabled). Read structurally: the schema of
 * logs.evidence lands from another branch, and without it the answer is simply no.
 */
function evidenceEnabled(config: StackConfig): boolean {
    return (config.logs as { evidence?: { enabled?: unknown } }).evidence?.enabled === true;
}

/**
 * The coverage report for auditors, derived from the validated config and the policy engine. `rules`: the
 * detection pack with the stack's parameters unless given (tests pass their own).
 */
export function buildCoverage(config: StackConfig, rules: readonly DetectionRule[] = detectionRules(config.logs.detections)): CoverageReport {
    const clusters = config.clusters.map((c) => ({
        name: c.name,
        kind: c.kind,
        setting: setting(c),
        classes: EVENT_CLASSES.map((cls) => classCoverage(c, cls)),
        detections: detectionCoverage(c, config, rules),
        retention: retentionHops(c, config.logs),
    }));
    return { stack: config.stack, clusters, controls: CONTROLS.map((ctl) => controlCoverage(ctl, clusters, evidenceEnabled(config))) };
}

const STATUS_TEXT: Record<ClassStatus, string> = { full: "yes", partial: "partly", none: "no", "bodies-logged": "yes, with bodies (!)" };
const RULE_STATUS_TEXT: Record<RuleStatus, string> = { fires: "fires", partial: "partly (!)", blind: "blind (!)", disabled: "disabled" };

/** A cluster's detections table: one row per rule of the pack. */
export function detectionsTable(rules: readonly RuleCoverage[]): string[] {
    return [
        "| detection | severity | can fire | why not |",
        "|---|---|---|---|",
        ...rules.map((d) => `| ${d.id}: ${d.title} | ${d.severity} | ${RULE_STATUS_TEXT[d.status]} | ${d.why.join("; ")} |`),
    ];
}

/** The report as Markdown, for an auditor. */
export function coverageMarkdown(r: CoverageReport): string {
    const out: string[] = [
        `# Audit coverage: stack ${r.stack}`,
        "",
        "What reaches Loki from each cluster, at which level, and why not where it does not.",
        "",
    ];
    for (const c of r.clusters) {
        out.push(`## ${c.name} (${c.kind}): ${c.setting}`, "", "| event class | wanted | reaches Loki | detail |", "|---|---|---|---|");
        for (const cls of c.classes) {
            const detail = cls.requests.map((q) => `${q.request}: ${q.level}${q.why ? ` (${q.why})` : ""}`).join("; ");
            out.push(`| ${cls.title} | ${cls.wanted} | ${STATUS_TEXT[cls.status]} | ${detail} |`);
        }
        const notes = [...new Set(c.classes.flatMap((x) => x.requests.map((q) => q.note).filter((n): n is string => !!n)))];
        for (const n of notes) out.push("", `Note: ${n}.`);
        out.push("", "Detections (alert rules): whether each can fire on this cluster's events.", "", ...detectionsTable(c.detections));
        out.push("", "Retention: " + c.retention.map((h) => `${h.hop}: ${h.text}`).join("; ") + ".", "");
    }
    out.push("## Compliance mapping", "");
    for (const ctl of r.controls) {
        out.push(
            `### ${ctl.title} (${ctl.framework}): ${ctl.status}`,
            "",
            "Gets:",
            ...ctl.gets.map((g) => `- ${g}`),
            "",
            "Does not get:",
            ...ctl.gaps.map((g) => `- ${g}`),
            "",
        );
    }
    return out.join("\n");
}
