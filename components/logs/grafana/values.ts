import { LogsConfig } from "../../config/logs";
import { DASHBOARD_LABEL_KEY, DASHBOARD_LABEL_VALUE } from "../dashboard/dashboard";

/** Secret with Grafana's admin user and generated password. */
export const GRAFANA_ADMIN_SECRET = "akko-audit-grafana-admin";
/** Secret with the environment Grafana expands in its provisioning files (the Loki gateway password). */
export const GRAFANA_ENV_SECRET = "akko-audit-grafana-env";
export const GRAFANA_ADMIN_USER = "admin";
/** The provisioned Loki data source's uid. */
export const LOKI_DATASOURCE_UID = "akko-audit-loki";

/**
 * Values of the community Grafana chart (optional, off by default): the dashboard sidecar on (it loads the
 * ConfigMaps labelled grafana_dashboard=1 from every namespace), Loki provisioned as the default data source
 * through the gateway with basic auth (the password expanded from the environment, never in the values),
 * the admin password from a Secret this program generates, every image from the mirror when one is set.
 */
export function grafanaValues(logs: LogsConfig, lokiUrl: string, lokiUser: string): Record<string, unknown> {
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
                        secureJsonData: { basicAuthPassword: "$LOKI_PASSWORD" },
                    },
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
