import { stringify } from "yaml";
import type { LogsConfig } from "../../config/logs";
import type { StackConfig } from "../../config/stack";
import { platformOf } from "../../platforms";
import { detectionRules } from "../detections/rules";
import { ruleAlertExpr, ruleLogQuery } from "../detections/logql";
import type { DetectionRule } from "../detections/model";
import { EVIDENCE_TENANT, evidenceRuleFile } from "../evidence-deploy";

/** Where Loki reads rule files: one directory per tenant (local rule storage, read-only). */
export const RULES_DIR = "/etc/loki/rules";
/** The ruler's scratch directory (it writes each tenant's rule files there before loading them): on the data volume. */
export const RULER_SCRATCH_DIR = "/var/loki/ruler-scratch";
/** Our ConfigMap with every tenant's rule file (key <tenant>.yaml), in the release through extraObjects. */
export const RULES_CONFIGMAP = "akko-audit-loki-rules";
/** The file name of our rules in each tenant's directory. */
export const RULE_FILE = "akko-audit.yaml";
/** Secret (logs namespace) with the Alertmanager basic-auth password, read by Loki as an environment variable. */
export const ALERTMANAGER_SECRET = "akko-audit-loki-alertmanager";
export const ALERTMANAGER_PASSWORD_ENV = "AKKO_ALERTMANAGER_PASSWORD";
/** How often the ruler evaluates each group (the alert expressions look back HIT_WINDOW, longer than this). */
export const EVALUATION_INTERVAL = "1m";
/**
 * How far back the per-server silence alert looks for servers that did send: a server silent longer than this
 * is no longer listed per server (the cluster's own absent_over_time still fires when the whole cluster stops).
 */
export const SERVER_LOOKBACK = "24h";
/** Structured metadata the node agents attach: the node that read the line (k3s servers, OpenShift masters). */
export const NODE_FIELD = "audit_node";

/** The tenants that get rules: every cluster whose events reach Loki (the tenant id is the cluster name). */
export function rulerTenants(config: StackConfig): { tenant: string; perNode: boolean }[] {
    const out: { tenant: string; perNode: boolean }[] = [];
    for (const c of config.clusters) {
        const route = platformOf(c).logsRoute(c, config);
        if (route.via === "none") continue;
        // Only node agents know the node a line came from (the cloud routes carry no node).
        out.push({ tenant: c.name, perNode: route.via === "node-agent" });
    }
    return out;
}

/** The deployed detection rules: the pack with the config's parameters, less logs.detections.disabled. */
export function deployedRules(logs: LogsConfig): DetectionRule[] {
    const d = logs.detections;
    const off = new Set(d.disabled);
    return detectionRules({ rbacWriters: d.rbacWriters, secretReaders: d.secretReaders, enumeration: d.enumeration }).filter((r) => !off.has(r.id));
}

/** A Prometheus alert name from a rule id (pod-exec -> AkkoAuditPodExec): a valid metric name whatever the ruler checks. */
export function alertName(id: string): string {
    return "AkkoAudit" + id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}

/** The audit-silence expressions of one tenant: the whole cluster, and (node agents) each node that sent within SERVER_LOOKBACK. */
export function silenceExprs(tenant: string, silenceAfter: string, perNode: boolean): { cluster: string; node?: string } {
    const sel = `{cluster="${tenant}"}`;
    const node = `${sel} | ${NODE_FIELD}!=""`;
    const count = (window: string) => `sum by (cluster, ${NODE_FIELD}) (count_over_time(${node} [${window}]))`;
    return {
        cluster: `absent_over_time(${sel} [${silenceAfter}])`,
        ...(perNode ? { node: `${count(SERVER_LOOKBACK)} unless ${count(silenceAfter)}` } : {}),
    };
}

/** One tenant's Prometheus rule file: a group of detection alerts and a group of audit-silence alerts. */
export function ruleFile(tenant: string, rules: readonly DetectionRule[], silenceAfter: string, perNode: boolean): string {
    const detections = rules.map((r) => ({
        alert: alertName(r.id),
        expr: ruleAlertExpr(r),
        for: "0m",
        labels: { severity: r.severity, rule: r.id },
        annotations: { summary: r.title, description: r.why, query: ruleLogQuery(r) },
    }));
    const silence = silenceExprs(tenant, silenceAfter, perNode);
    const silent = (id: string, expr: string, summary: string) => ({
        alert: alertName(id),
        expr,
        for: "0m",
        labels: { severity: "high", rule: id },
        annotations: {
            summary,
            description:
                "No audit event reached Loki: the shipping pipeline is down, or the API server's audit flags or policy were changed. " +
                "Audit logging that stops unnoticed is a gap in the trail an auditor will find.",
        },
    });
    const groups = [
        { name: "akko-audit-detections", interval: EVALUATION_INTERVAL, rules: detections },
        {
            name: "akko-audit-silence",
            interval: EVALUATION_INTERVAL,
            rules: [
                silent("audit-silence", silence.cluster, `No audit event from cluster ${tenant} for ${silenceAfter}`),
                ...(silence.node
                    ? [silent("audit-silence-node", silence.node, `A server of ${tenant} sent no audit event for ${silenceAfter}`)]
                    : []),
            ],
        },
    ];
    return stringify({ groups }, { lineWidth: 0 });
}

/** Every tenant's rule file, by tenant; with tamper evidence on, the evidence job's tenant too (its failures). */
export function ruleFiles(config: StackConfig): { tenant: string; content: string }[] {
    const rules = deployedRules(config.logs);
    const after = config.logs.detections.silenceAfter;
    const files = rulerTenants(config).map((t) => ({ tenant: t.tenant, content: ruleFile(t.tenant, rules, after, t.perNode) }));
    if (config.logs.evidence.enabled) files.push({ tenant: EVIDENCE_TENANT, content: evidenceRuleFile(config.logs, EVALUATION_INTERVAL) });
    return files;
}
