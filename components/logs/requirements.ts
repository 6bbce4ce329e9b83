import { ConfigError } from "../config/errors";
import { DEPRECATED_LOKI_MODES, usesObjectStorage } from "../config/logs";
import { CONFIG_NAMESPACE } from "../config/namespace";
import type { StackConfig } from "../config/stack";
import { detectionRules } from "./detections/rules";
import { platformOf } from "../platforms";

const WHERE = `${CONFIG_NAMESPACE}:logs`;

/**
 * What the logs layer needs beyond the schema, one line per problem (same format as the config errors):
 * an explicit logs cluster, credentials for the gateway, a public TLS host when agents push from outside the logs cluster,
 * receiver credentials for the managed clusters, object storage for Distributed and SimpleScalable, and receiver entries
 * that name real clusters. Pure: checked before any resource is registered.
 */
export function logsProblems(config: StackConfig): string[] {
    const logs = config.logs;
    const problems: string[] = [];
    const kinds = new Map(config.clusters.map((c) => [c.name, c.kind]));

    if (!logs.gatewayPasswordSecret) {
        problems.push(
            `${WHERE}: field gatewayPasswordSecret: missing; allowed: the name of a secret config key with the password of Loki's gateway (nobody reads or writes Loki without it)`,
        );
    }
    if (logs.deleteApi?.enabled && !logs.deleteApi.passwordSecret) {
        problems.push(
            `${WHERE}: field deleteApi.passwordSecret: missing; allowed: the name of a secret config key with the delete user's password (deleteApi.enabled is true)`,
        );
    }
    // One explicit logs cluster: the ambient context only when asked for, never both.
    if (!logs.kubeconfigSecret && !logs.useAmbientKubeconfig) {
        problems.push(
            `${WHERE}: field kubeconfigSecret: missing; allowed: the name of a secret config key with the logs cluster's kubeconfig, or useAmbientKubeconfig: true to use the current context of the ambient kubeconfig`,
        );
    } else if (logs.kubeconfigSecret && logs.useAmbientKubeconfig) {
        problems.push(
            `${WHERE}: field useAmbientKubeconfig: got true; allowed: false (the default) when kubeconfigSecret is set: one logs cluster, named by one of them`,
        );
    }
    const routes = config.clusters.map((c) => ({ name: c.name, route: platformOf(c).logsRoute(c, config) }));
    const agents = routes.filter((r) => r.route.via === "node-agent").map((r) => r.name);
    const forwarders = routes.filter((r) => r.route.via === "otlp").map((r) => r.name);
    if (agents.length > 0 && !logs.ingress?.lokiHost) {
        problems.push(
            `${WHERE}: field ingress.lokiHost: missing; allowed: the public DNS name of Loki's gateway, which ${agents.join(", ")} push to from outside the logs cluster`,
        );
    }
    if (forwarders.length > 0 && !logs.ingress?.receiversHost) {
        problems.push(
            `${WHERE}: field ingress.receiversHost: missing; allowed: the public DNS name of the central Alloy's OTLP receivers, which the ClusterLogForwarders of ${forwarders.join(", ")} post to`,
        );
    }
    const exposed = Boolean(logs.ingress?.lokiHost) || Boolean(logs.ingress?.receiversHost) || routes.some((r) => r.route.via === "firehose");
    if (exposed && !logs.ingress?.clusterIssuer) {
        problems.push(
            `${WHERE}: field ingress.clusterIssuer: missing; allowed: a cert-manager ClusterIssuer name: every endpoint exposed outside the logs cluster is TLS`,
        );
    }
    if (usesObjectStorage(logs.mode)) {
        const s = logs.objectStorage;
        if (!s)
            problems.push(
                `${WHERE}: field objectStorage: missing; allowed: {type: s3 | gcs | azure, bucket, ...}: ${logs.mode} stores in object storage`,
            );
        else if (s.type === "s3" && !s.region)
            problems.push(`${WHERE}: field objectStorage.region: missing; allowed: an S3 region such as eu-west-3 (type s3)`);
        else if (s.type === "azure" && !s.accountName)
            problems.push(`${WHERE}: field objectStorage.accountName: missing; allowed: the storage account name (type azure)`);
    }
    const m = logs.mirrors;
    if (m.chartRepositoryCa && m.chartRepositoryCaSecret) {
        problems.push(
            `${WHERE}: field mirrors.chartRepositoryCaSecret: got ${JSON.stringify(m.chartRepositoryCaSecret)} with mirrors.chartRepositoryCa also set; allowed: one of the two (the CA's PEM in plain config or in secret config)`,
        );
    }
    if (m.chartRepositoryPlainHttp && !m.chartRepository?.startsWith("oci://")) {
        problems.push(
            `${WHERE}: field mirrors.chartRepositoryPlainHttp: got true; allowed: true only with an oci:// mirrors.chartRepository (an http:// repository URL is plain HTTP already)`,
        );
    }
    if (logs.objectStorage?.pathStyle !== undefined && logs.objectStorage.type !== "s3") {
        problems.push(
            `${WHERE}: field objectStorage.pathStyle: got ${logs.objectStorage.pathStyle}; allowed: only with type s3 (path-style is how S3-compatible stores address buckets)`,
        );
    }
    const a = logs.alerting;
    if (a?.passwordSecret && !a.username) {
        problems.push(`${WHERE}: field alerting.username: missing; allowed: the Alertmanager's basic-auth user (alerting.passwordSecret is set)`);
    }
    if ((a?.username || a?.passwordSecret) && !a?.alertmanagerUrl) {
        problems.push(
            `${WHERE}: field alerting.alertmanagerUrl: missing; allowed: the Alertmanager's URL (alerting.${a?.username ? "username" : "passwordSecret"} is set)`,
        );
    }
    const d = logs.detections;
    const ids = detectionRules({ rbacWriters: d.rbacWriters, secretReaders: d.secretReaders, enumeration: d.enumeration }).map((r) => r.id);
    d.disabled.forEach((id, i) => {
        if (!ids.includes(id)) {
            problems.push(`${WHERE}: field detections.disabled[${i}]: got ${JSON.stringify(id)}; allowed: a detection rule id: ${ids.join(", ")}`);
        }
    });
    for (const [field, kind] of [
        ["gcpSubscriptions", "gke"],
        ["eventHubs", "aks"],
    ] as const) {
        for (const name of Object.keys(logs.receivers?.[field] ?? {}).sort()) {
            if (kinds.get(name) !== kind) {
                problems.push(
                    `${WHERE}: field receivers.${field}.${name}: got ${JSON.stringify(name)}; allowed: the name of a ${kind} cluster in ${CONFIG_NAMESPACE}:clusters`,
                );
            }
        }
    }
    return problems;
}

/**
 * What is accepted but should change, one line each (same shape as the problems): today a deprecated Loki
 * mode. Every command that reads the stack prints them as warnings (cli/stack.ts), as does `pulumi up`.
 */
export function logsWarnings(config: StackConfig): string[] {
    const why = DEPRECATED_LOKI_MODES[config.logs.mode];
    return why ? [`${WHERE}: field mode: got ${JSON.stringify(config.logs.mode)}; ${why}`] : [];
}

/** Throws ConfigError when the logs layer cannot be deployed from this config. */
export function assertLogsDeployable(config: StackConfig): void {
    const problems = logsProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
}
