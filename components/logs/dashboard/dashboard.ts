import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import {
    creationsDeletionsPanel,
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

/** The "Audit Trail" dashboard model (Grafana's JSON), built with the foundation SDK's typed builders. */
export function auditTrailDashboard(): dashboard.Dashboard {
    const sel = DASHBOARD_SELECTOR;
    return new dashboard.DashboardBuilder(DASHBOARD_TITLE)
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
        .build();
}

/** The dashboard as JSON text (stable: same input, same bytes). */
export function auditTrailDashboardJson(): string {
    return JSON.stringify(auditTrailDashboard(), null, 2) + "\n";
}
