import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { ClusterConfig, StackConfig } from "../../config/stack";
import { LogsConfig } from "../../config/logs";
import { chartSource } from "../charts";
import { renderAlloyConfig } from "./config";
import { externalLokiTarget, LOKI_PASSWORD_ENV, nodeAgentSource } from "./plan";
import { ALLOY_CONFIG_KEY, ALLOY_CONFIGMAP, ALLOY_ENV_SECRET, nodeAgentValues } from "./values";

/** Namespace of the Alloy agent inside each k3s cluster. */
export const K3S_ALLOY_NAMESPACE = "akko-audit";
/** k3s applies every manifest in this directory (and deletes what a removed file created). */
export const K3S_MANIFEST_DIR = "/var/lib/rancher/k3s/server/manifests";
export const K3S_ALLOY_MANIFEST = "akko-audit-alloy.yaml";
export const K3S_ALLOY_SECRET_MANIFEST = "akko-audit-alloy-secret.yaml";
/** The chart repository's credentials and secret CA for k3s's helm-controller (kube-system, next to the HelmChart). */
export const K3S_CHART_REPO_MANIFEST = "akko-audit-alloy-chart-repo.yaml";
export const K3S_CHART_AUTH_SECRET = "akko-audit-chart-repo-auth";
export const K3S_CHART_CA_CONFIGMAP = "akko-audit-chart-repo-ca";
/**
 * The agent reads the API server's audit log through a hostPath volume as root, which only the `privileged`
 * Pod Security level admits; a cluster whose default is `baseline` or `restricted` (the CIS-hardened k3s
 * admission config) would refuse its pods without this label on its own namespace.
 */
export const PRIVILEGED_POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "privileged",
    "pod-security.kubernetes.io/audit": "privileged",
    "pod-security.kubernetes.io/warn": "privileged",
} as const;

/** Literal blocks, no folding: the Alloy config reads in the manifest as it does in its own file. */
const YAML_OPTIONS = { lineWidth: 0 };

/** A file for the k3s server's auto-deploy directory (written over SSH by the k3s component). */
export interface K3sManifest {
    fileName: string;
    content: string;
}

/**
 * The non-secret k3s manifest: the namespace, the Alloy config (a ConfigMap) and a `helm.cattle.io/v1`
 * HelmChart that installs the Alloy chart as a DaemonSet on the server nodes. Pure.
 */
export function renderK3sAlloyManifest(config: StackConfig, cluster: ClusterConfig): K3sManifest {
    const source = nodeAgentSource(cluster, config);
    if (source?.type !== "file") throw new Error(`cluster ${cluster.name}: no node agent to install as k3s manifests`);
    const alloyConfig = renderAlloyConfig([source], externalLokiTarget(config, cluster.name));
    const configMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: ALLOY_CONFIGMAP, namespace: K3S_ALLOY_NAMESPACE },
        data: { [ALLOY_CONFIG_KEY]: alloyConfig },
    };
    // Only the ConfigMap (the Alloy config) is the cluster's own; the other two documents are rendered once.
    const docs = [namespaceDoc(), stringify(configMap, YAML_OPTIONS), helmChartDoc(config.logs, source.path)];
    return { fileName: K3S_ALLOY_MANIFEST, content: docs.join("---\n") };
}

let namespaceText: string | undefined;
/** The namespace document (the same in every cluster). */
function namespaceDoc(): string {
    return (namespaceText ??= stringify(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: K3S_ALLOY_NAMESPACE, labels: { ...PRIVILEGED_POD_SECURITY } } },
        YAML_OPTIONS,
    ));
}

/** HelmChart documents by logs config and audit log path: every k3s cluster with the same path has the same one. */
const helmCharts = new WeakMap<LogsConfig, Map<string, string>>();

/** The `helm.cattle.io/v1` HelmChart document that installs the Alloy chart as a DaemonSet on the server nodes. */
function helmChartDoc(logs: LogsConfig, auditLogPath: string): string {
    let byPath = helmCharts.get(logs);
    if (!byPath) helmCharts.set(logs, (byPath = new Map()));
    let text = byPath.get(auditLogPath);
    if (text === undefined) {
        const chart = chartSource(logs, "alloy");
        const doc = {
            apiVersion: "helm.cattle.io/v1",
            kind: "HelmChart",
            metadata: { name: "akko-audit-alloy", namespace: "kube-system" },
            spec: {
                chart: chart.chart,
                version: chart.version,
                ...k3sChartFetch(logs, chart.repo),
                targetNamespace: K3S_ALLOY_NAMESPACE,
                valuesContent: stringify(nodeAgentValues(logs, "k3s-manifests", auditLogPath), YAML_OPTIONS),
            },
        };
        text = stringify(doc, YAML_OPTIONS);
        byPath.set(auditLogPath, text);
    }
    return text;
}

/**
 * How helm-controller gets the chart: packed in the HelmChart (chartContent, which then overrides chart and
 * repository), or fetched from the repository with its CA, credentials and plain-HTTP switch.
 */
function k3sChartFetch(logs: LogsConfig, repo: string | undefined): Record<string, unknown> {
    const m = logs.mirrors;
    if (m.k3sAlloyChartFile) return { chartContent: chartFileBase64(m.k3sAlloyChartFile) };
    return {
        ...(repo ? { repo } : {}),
        ...(m.chartRepositoryCa ? { repoCA: m.chartRepositoryCa } : {}),
        ...(m.chartRepositoryCaSecret ? { repoCAConfigMap: { name: K3S_CHART_CA_CONFIGMAP } } : {}),
        ...(m.chartRepositoryAuthSecret ? { authSecret: { name: K3S_CHART_AUTH_SECRET } } : {}),
        ...(m.chartRepositoryPlainHttp ? { plainHTTP: true } : {}),
    };
}

const chartFiles = new Map<string, string>();
/** The chart archive as base64 (the path is absolute and checked by the config validation), read once per run. */
function chartFileBase64(file: string): string {
    let text = chartFiles.get(file);
    if (text === undefined) chartFiles.set(file, (text = readFileSync(file).toString("base64")));
    return text;
}

/**
 * The secret k3s manifest of the chart repository (only when it needs credentials or a secret CA): a
 * basic-auth Secret and a CA ConfigMap in kube-system, where helm-controller looks for them. Call inside an
 * apply of the secret Outputs.
 */
export function renderK3sChartRepoManifest(repo: { auth?: string; ca?: string }): K3sManifest {
    const docs: object[] = [];
    if (repo.auth !== undefined) {
        const i = repo.auth.indexOf(":");
        docs.push({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: K3S_CHART_AUTH_SECRET, namespace: "kube-system" },
            type: "kubernetes.io/basic-auth",
            data: {
                username: Buffer.from(repo.auth.slice(0, i), "utf8").toString("base64"),
                password: Buffer.from(repo.auth.slice(i + 1), "utf8").toString("base64"),
            },
        });
    }
    if (repo.ca !== undefined) {
        docs.push({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: K3S_CHART_CA_CONFIGMAP, namespace: "kube-system" },
            data: { "ca.crt": repo.ca },
        });
    }
    return { fileName: K3S_CHART_REPO_MANIFEST, content: docs.map((d) => stringify(d, YAML_OPTIONS)).join("---\n") };
}

/** The secret k3s manifest: the agent's own push password (its cluster's gateway user). Call inside an apply of a secret Output. */
export function renderK3sAlloySecretManifest(password: string): K3sManifest {
    const secret = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: ALLOY_ENV_SECRET, namespace: K3S_ALLOY_NAMESPACE },
        type: "Opaque",
        data: { [LOKI_PASSWORD_ENV]: Buffer.from(password, "utf8").toString("base64") },
    };
    return { fileName: K3S_ALLOY_SECRET_MANIFEST, content: stringify(secret) };
}
