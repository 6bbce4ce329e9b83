import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LogsConfig } from "../config/logs";
import type { DetectionRule } from "./detections/model";
import { secretConfig } from "../config/pulumi";
import { releaseChart } from "./chart-repo";
import { auditTrailDashboardJson, DASHBOARD_LABEL_KEY, DASHBOARD_LABEL_VALUE } from "./dashboard/dashboard";
import { GRAFANA_ADMIN_SECRET, GRAFANA_ADMIN_USER, GRAFANA_ENV_SECRET, grafanaValues } from "./grafana/values";

export const AUDIT_DASHBOARD_TYPE = "akko:audit:AuditDashboard";
export const DASHBOARD_FILE = "audit-trail.json";
/** Length of the generated Grafana admin password. */
export const GRAFANA_PASSWORD_LENGTH = 32;

export interface AuditDashboardArgs {
    /** Namespace of the dashboard ConfigMap (and of Grafana when deployed). */
    namespace: pulumi.Input<string>;
    /** Provider of the cluster Grafana runs in. Default: the ambient kubeconfig. */
    provider?: k8s.Provider;
    /**
     * Deploy Grafana too (logs.grafana): the logs config, Loki's URL, the gateway user and password.
     * Default: not deployed (most sites have a Grafana; its sidecar picks the ConfigMap up).
     */
    grafana?: { logs: LogsConfig; lokiUrl: string; lokiUser: string; lokiPassword: pulumi.Input<string>; ruleTenants?: string[] };
    /** Detection rules whose matches the dashboard shows per severity. Default: the pack with default parameters. */
    rules?: readonly DetectionRule[];
    /** A secret config value by key (the chart repository's CA and credentials). Default: secretConfig. */
    secret?: (key: string) => pulumi.Output<string>;
}

/** The "Audit Trail" dashboard as a ConfigMap labelled for Grafana's sidecar, and optionally Grafana itself. */
export class AuditDashboard extends pulumi.ComponentResource {
    readonly configMap: k8s.core.v1.ConfigMap;
    /** Grafana's admin password (secret), when Grafana is deployed. */
    readonly adminPassword?: pulumi.Output<string>;

    constructor(name: string, args: AuditDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super(AUDIT_DASHBOARD_TYPE, name, {}, opts);
        const child = { parent: this, provider: args.provider };
        this.configMap = new k8s.core.v1.ConfigMap(
            `${name}-dashboard`,
            {
                metadata: { name: "akko-audit-trail-dashboard", namespace: args.namespace, labels: { [DASHBOARD_LABEL_KEY]: DASHBOARD_LABEL_VALUE } },
                data: { [DASHBOARD_FILE]: auditTrailDashboardJson(args.rules) },
            },
            child,
        );
        if (args.grafana) {
            const g = args.grafana;
            // Generated once, kept in state (a RandomPassword does not change on the next `pulumi up`).
            const password = new random.RandomPassword(
                `${name}-grafana-admin`,
                { length: GRAFANA_PASSWORD_LENGTH, special: false },
                { parent: this },
            );
            this.adminPassword = pulumi.secret(password.result);
            const admin = new k8s.core.v1.Secret(
                `${name}-grafana-admin`,
                {
                    metadata: { name: GRAFANA_ADMIN_SECRET, namespace: args.namespace },
                    stringData: { "admin-user": GRAFANA_ADMIN_USER, "admin-password": this.adminPassword },
                },
                child,
            );
            const env = new k8s.core.v1.Secret(
                `${name}-grafana-env`,
                { metadata: { name: GRAFANA_ENV_SECRET, namespace: args.namespace }, stringData: { LOKI_PASSWORD: pulumi.secret(g.lokiPassword) } },
                child,
            );
            new k8s.helm.v3.Release(
                `${name}-grafana`,
                {
                    name: "grafana",
                    ...releaseChart(g.logs, "grafana", args.secret ?? secretConfig),
                    namespace: args.namespace,
                    values: grafanaValues(g.logs, g.lokiUrl, g.lokiUser, g.ruleTenants),
                    atomic: true,
                },
                { ...child, dependsOn: [admin, env, this.configMap] },
            );
        }
        this.registerOutputs({ configMap: this.configMap.metadata.name });
    }
}
