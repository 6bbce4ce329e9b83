import type { ClusterConfig, StackConfig } from "../config/stack";
import { Level, levelRank } from "../../policy/engine";
import type { DetectionRule, Severity } from "../logs/detections";
import { missingFields, routeFormat } from "../logs/detections";
import { platformOf } from "../platforms";
import { outcome } from "./platforms";

/**
 * fires: every request the rule needs reaches Loki at its level and the stored format carries its fields;
 * partial: some of its requests do not (the rule fires on the others); blind: none does, or a field it cannot
 * fire without is never stored; disabled: turned off in logs.detections.disabled.
 */
export type RuleStatus = "fires" | "partial" | "blind" | "disabled";

export interface RuleCoverage {
    id: string;
    title: string;
    severity: Severity;
    status: RuleStatus;
    /** Each needed request and the level it reaches Loki at (empty for a disabled rule). */
    requests: { request: string; level: Level; why?: string }[];
    /** Fields the rule cannot fire without that this cluster's stored events never have. */
    missingFields: string[];
    /** Why not "fires", one reason per blind request or missing field. */
    why: string[];
}

/** The stored format's name in a reason ("events stored from GKE LogEntries carry no user.groups"). */
const FORMAT_TEXT = { native: "audit Events", gke: "GKE LogEntries", aks: "AKS diagnostic records", otlp: "OTLP records" } as const;

/** What one enabled rule can see on one cluster, from the policy it runs and the format its events are stored in. */
export function ruleCoverage(cluster: ClusterConfig, config: StackConfig, rule: DetectionRule): RuleCoverage {
    const needed = levelRank(rule.needs.level);
    const requests = rule.needs.requests.map(({ label, request }) => {
        const o = outcome(cluster, request);
        if (o.level === "None") return { request: label, level: o.level, why: o.why ?? "not logged by the audit policy this cluster runs" };
        if (levelRank(o.level) < needed) return { request: label, level: o.level, why: `arrives at ${o.level}; the rule needs ${rule.needs.level}` };
        return { request: label, level: o.level };
    });
    const format = routeFormat(platformOf(cluster).logsRoute(cluster, config));
    // Nothing stored: the requests already say why (their outcome is None), no field is missing on top of that.
    const missing = format === undefined ? [] : missingFields(rule, format);
    const blindRequests = requests.filter((r) => r.why !== undefined);
    // Requests lost for the same reason are named together: "get pods/exec, get pods/attach: kube-audit-admin drops get...".
    const byWhy = new Map<string, string[]>();
    for (const r of blindRequests) byWhy.set(r.why!, [...(byWhy.get(r.why!) ?? []), r.request]);
    const why = [
        ...[...byWhy].map(([reason, labels]) => `${labels.join(", ")}: ${reason}`),
        ...(missing.length > 0 ? [`events stored from ${FORMAT_TEXT[format!]} carry no ${missing.join(", ")}`] : []),
    ];
    const status: RuleStatus =
        missing.length > 0 || blindRequests.length === requests.length ? "blind" : blindRequests.length > 0 ? "partial" : "fires";
    return { id: rule.id, title: rule.title, severity: rule.severity, status, requests, missingFields: missing, why };
}

/** Every rule of the pack for one cluster; disabled rules are listed as such, not evaluated. */
export function detectionCoverage(cluster: ClusterConfig, config: StackConfig, rules: readonly DetectionRule[]): RuleCoverage[] {
    const disabled = new Set(config.logs.detections.disabled);
    return rules.map((rule) =>
        disabled.has(rule.id)
            ? { id: rule.id, title: rule.title, severity: rule.severity, status: "disabled", requests: [], missingFields: [], why: [] }
            : ruleCoverage(cluster, config, rule),
    );
}

/** Enabled rules that cannot fire (blind or partial) somewhere, as "id status on cluster (kind)": `coverage --strict`. */
export function detectionGaps(clusters: { name: string; kind: string; detections: RuleCoverage[] }[]): string[] {
    return clusters.flatMap((c) =>
        c.detections.filter((d) => d.status === "blind" || d.status === "partial").map((d) => `${d.id} ${d.status} on ${c.name} (${c.kind})`),
    );
}
