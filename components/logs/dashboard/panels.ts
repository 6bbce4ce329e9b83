import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { ruleLogQuery } from "../detections/logql";
import { DetectionRule, Severity } from "../detections/model";
import { queries } from "./queries";

/** The Loki data source: chosen with the dashboard's `datasource` variable. */
export const LOKI_DS: common.DataSourceRef = { type: "loki", uid: "${datasource}" };

function logQuery(expr: string, refId = "A"): loki.DataqueryBuilder {
    return new loki.DataqueryBuilder().datasource(LOKI_DS).expr(expr).queryType("range").refId(refId);
}

function instantQuery(expr: string, refId = "A"): loki.DataqueryBuilder {
    return new loki.DataqueryBuilder()
        .datasource(LOKI_DS)
        .expr(expr)
        .queryType("instant")
        .instant(true)
        .refId(refId)
        .legendFormat("{{user_username}}");
}

/** Top users by API calls, last hour. */
export function topUsersPanel(sel: string): bargauge.PanelBuilder {
    return new bargauge.PanelBuilder()
        .title("Top users by API calls (last 1h)")
        .datasource(LOKI_DS)
        .withTarget(instantQuery(queries.topUsers(sel)))
        .height(8)
        .span(12);
}

/** Creations and deletions over time, by verb and resource. */
export function creationsDeletionsPanel(sel: string): timeseries.PanelBuilder {
    return new timeseries.PanelBuilder()
        .title("Resource creations / deletions")
        .datasource(LOKI_DS)
        .withTarget(logQuery(queries.creationsDeletions(sel)).legendFormat("{{verb}} {{objectRef_resource}}"))
        .height(8)
        .span(12);
}

/** pods/exec, attach, portforward and RoleBinding/ClusterRoleBinding changes. */
export function privilegedOperationsPanel(sel: string): logs.PanelBuilder {
    return new logs.PanelBuilder()
        .title("Privileged operations")
        .description(
            "pods/exec, attach and portforward (matched on the subresource: kubectl >= 1.30 sends exec as a get), and RoleBinding / ClusterRoleBinding changes",
        )
        .datasource(LOKI_DS)
        .withTarget(logQuery(queries.podExec(sel), "A"))
        .withTarget(logQuery(queries.bindingChanges(sel), "B"))
        .showTime(true)
        .height(10)
        .span(12);
}

/** Secret reads by user. */
export function sensitiveReadsPanel(sel: string): table.PanelBuilder {
    return new table.PanelBuilder()
        .title("Sensitive reads (Secret access by user, last 24h)")
        .datasource(LOKI_DS)
        .withTarget(instantQuery(queries.secretReadsByUser(sel)))
        .height(10)
        .span(12);
}

/** Runbook 1. */
export function secretReadsPanel(sel: string): logs.PanelBuilder {
    return new logs.PanelBuilder()
        .title("Runbook: every Secret read in the last hour")
        .datasource(LOKI_DS)
        .withTarget(logQuery(queries.secretReads(sel)))
        .timeFrom("1h")
        .showTime(true)
        .height(8)
        .span(8);
}

/** Runbook 2. */
export function roleBindingChangesPanel(sel: string): logs.PanelBuilder {
    return new logs.PanelBuilder()
        .title("Runbook: every RoleBinding change today")
        .datasource(LOKI_DS)
        .withTarget(logQuery(queries.roleBindingChanges(sel)))
        .timeFrom("now/d")
        .showTime(true)
        .height(8)
        .span(8);
}

/** Runbook 3. */
export function topWritersPanel(sel: string): table.PanelBuilder {
    return new table.PanelBuilder()
        .title("Runbook: top 10 users by write volume (24h)")
        .datasource(LOKI_DS)
        .withTarget(instantQuery(queries.topWriters(sel)))
        .height(8)
        .span(8);
}

/**
 * One severity's detections: the events each rule of that severity matches, one query per rule (the rule's
 * log query, as the ruler runs it), each line prefixed with the rule's id.
 */
export function detectionsPanel(severity: Severity, rules: readonly DetectionRule[], sel: string): logs.PanelBuilder {
    const mine = rules.filter((r) => r.severity === severity);
    const panel = new logs.PanelBuilder()
        .title(`Detections: ${severity} (${mine.length} rules)`)
        .description(mine.map((r) => `${r.id}: ${r.title}`).join("; "))
        .datasource(LOKI_DS)
        .showTime(true)
        .height(8)
        .span(12);
    mine.forEach((r, i) =>
        panel.withTarget(
            logQuery(
                `${ruleLogQuery(r, sel)} | line_format "${r.id}: {{.user_username}} {{.verb}} {{.objectRef_resource}} {{.objectRef_namespace}}/{{.objectRef_name}} ({{.responseStatus_code}})"`,
                refId(i),
            ),
        ),
    );
    return panel;
}

/** Grafana's query ids: A..Z, then AA, AB... */
function refId(i: number): string {
    return i < 26 ? String.fromCharCode(65 + i) : refId(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26));
}
