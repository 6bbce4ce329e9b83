import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { detectionRules } from "../detections/rules";
import { DetectionRule, SEVERITIES } from "../detections/model";
import { DetectionsSchema } from "../../config";
import {
    creationsDeletionsPanel,
    detectionsPanel,
    privilegedOperationsPanel,
    roleBindingChangesPanel,
    secretReadsPanel,
    sensitiveReadsPanel,
    topUsersPanel,
    topWritersPanel,
} from "./panels";
import { DASHBOARD_SELECTOR } from "./queries";
import { LOKI_DS } from "./panels";

export const DASHBOARD_UID = "akko-audit-trail";
export const DASHBOARD_TITLE = "Audit Trail";
/** The label Grafana's dashboard sidecar watches (the community chart's default label, value "1"). */
export const DASHBOARD_LABEL_KEY = "grafana_dashboard";
export const DASHBOARD_LABEL_VALUE = "1";

function labelVariable(name: string, label: string): dashboard.QueryVariableBuilder {
    return new dashboard.QueryVariableBuilder(name)
        .label(label)
        .datasource(LOKI_DS)
        .query(`label_values(${name})`)
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".+");
}

/** The rules with the default parameters (the dashboard outside a stack). */
function defaultRules(): DetectionRule[] {
    const d = DetectionsSchema.parse({});
    return detectionRules({ rbacWriters: d.rbacWriters, secretReaders: d.secretReaders, enumeration: d.enumeration });
}

/**
 * The "Audit Trail" dashboard model (Grafana's JSON), built with the foundation SDK's typed builders; a
 * Detections row shows, per severity, the events the deployed rules match.
 */
export function auditTrailDashboard(rules: readonly DetectionRule[] = defaultRules()): dashboard.Dashboard {
    const sel = DASHBOARD_SELECTOR;
    const builder = new dashboard.DashboardBuilder(DASHBOARD_TITLE)
        .uid(DASHBOARD_UID)
        .tags(["audit", "kubernetes", "akko-audit"])
        .editable()
        .time({ from: "now-6h", to: "now" })
        .refresh("1m")
        .withVariable(new dashboard.DatasourceVariableBuilder("datasource").label("Loki").type("loki"))
        .withVariable(labelVariable("cluster", "Cluster"))
        .withVariable(labelVariable("source", "Source"))
        .withRow(new dashboard.RowBuilder("Who did what"))
        .withPanel(topUsersPanel(sel))
        .withPanel(creationsDeletionsPanel(sel))
        .withPanel(privilegedOperationsPanel(sel))
        .withPanel(sensitiveReadsPanel(sel))
        .withRow(new dashboard.RowBuilder("Runbook"))
        .withPanel(secretReadsPanel(sel))
        .withPanel(roleBindingChangesPanel(sel))
        .withPanel(topWritersPanel(sel))
        .withRow(new dashboard.RowBuilder("Detections"));
    for (const severity of SEVERITIES) if (rules.some((r) => r.severity === severity)) builder.withPanel(detectionsPanel(severity, rules, sel));
    return builder.build();
}

/** The dashboard as JSON text (stable: same input, same bytes). */
export function auditTrailDashboardJson(rules?: readonly DetectionRule[]): string {
    return JSON.stringify(auditTrailDashboard(rules), null, 2) + "\n";
}
