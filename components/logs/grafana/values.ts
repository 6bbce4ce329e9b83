import { createHash } from "node:crypto";
import { LogsConfig } from "../../config/logs";
import { DASHBOARD_LABEL_KEY, DASHBOARD_LABEL_VALUE } from "../dashboard/dashboard";

/** Secret with Grafana's admin user and generated password. */
export const GRAFANA_ADMIN_SECRET = "akko-audit-grafana-admin";
/** Secret with the environment Grafana expands in its provisioning files (the Loki gateway password). */
export const GRAFANA_ENV_SECRET = "akko-audit-grafana-env";
export const GRAFANA_ADMIN_USER = "admin";
/** The provisioned Loki data source's uid. */
export const LOKI_DATASOURCE_UID = "akko-audit-loki";

/** A tenant's rules data source uid: Grafana caps uids at 40 characters, cluster names run to 63. */
export function rulesDatasourceUid(tenant: string): string {
    const uid = `akko-audit-rules-${tenant}`;
    return uid.length <= 40 ? uid : `akko-audit-rules-${createHash("sha256").update(tenant).digest("hex").slice(0, 16)}`;
}

/**
 * Values of the community Grafana chart (optional, off by default): the dashboard sidecar on (it loads the
 * ConfigMaps labelled grafana_dashboard=1 from every namespace), Loki provisioned as the default data source
 * through the gateway with basic auth (the password expanded from the environment, never in the values),
 * one data source per tenant for the ruler's alert rules and their state (the ruler API takes one tenant),
 * the admin password from a Secret this program generates, every image from the mirror when one is set.
 */
export function grafanaValues(logs: LogsConfig, lokiUrl: string, lokiUser: string, ruleTenants: readonly string[] = []): Record<string, unknown> {
    const registry = logs.mirrors.imageRegistry;
    const image = (o?: { repository?: string; tag?: string }) => ({
        ...(registry ? { registry } : {}),
        ...(o?.repository ? { repository: o.repository } : {}),
        ...(o?.tag ? { tag: o.tag } : {}),
    });
    return {
        ...(registry ? { global: { imageRegistry: registry } } : {}),
        image: image(logs.images?.grafana),
        admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
        envFromSecret: GRAFANA_ENV_SECRET,
        sidecar: {
            image: image(logs.images?.sidecar),
            dashboards: { enabled: true, label: DASHBOARD_LABEL_KEY, labelValue: DASHBOARD_LABEL_VALUE, searchNamespace: "ALL" },
        },
        datasources: {
            "datasources.yaml": {
                apiVersion: 1,
                datasources: [
                    {
                        name: "Loki (audit)",
                        type: "loki",
                        uid: LOKI_DATASOURCE_UID,
                        access: "proxy",
                        url: lokiUrl,
                        isDefault: true,
                        basicAuth: true,
                        basicAuthUser: lokiUser,
                        // Its X-Scope-OrgID spans every tenant, which Loki's ruler API refuses: alert rules are read
                        // through the per-tenant data sources below.
                        jsonData: { manageAlerts: false },
                        secureJsonData: { basicAuthPassword: "$LOKI_PASSWORD" },
                    },
                    ...ruleTenants.map((tenant) => ({
                        name: `Loki rules (${tenant})`,
                        type: "loki",
                        uid: rulesDatasourceUid(tenant),
                        access: "proxy",
                        url: lokiUrl,
                        basicAuth: true,
                        basicAuthUser: lokiUser,
                        // The gateway lets the read user name one of its tenants for the ruler's read endpoints.
                        jsonData: { manageAlerts: true, httpHeaderName1: "X-Scope-OrgID" },
                        secureJsonData: { basicAuthPassword: "$LOKI_PASSWORD", httpHeaderValue1: tenant },
                    })),
                ],
            },
        },
        // Nothing reported or checked upstream (stats.grafana.org, grafana.com): audit sites are often air-gapped.
        "grafana.ini": { analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false } },
        // Nothing else to pull: no test pod, no chown init container.
        testFramework: { enabled: false },
        initChownData: { enabled: false },
    };
}
