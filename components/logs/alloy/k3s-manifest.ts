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
    return (namespaceText ??= stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: K3S_ALLOY_NAMESPACE } }, YAML_OPTIONS));
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
                ...(chart.repo ? { repo: chart.repo } : {}),
                version: chart.version,
                targetNamespace: K3S_ALLOY_NAMESPACE,
                valuesContent: stringify(nodeAgentValues(logs, "k3s-manifests", auditLogPath), YAML_OPTIONS),
            },
        };
        text = stringify(doc, YAML_OPTIONS);
        byPath.set(auditLogPath, text);
    }
    return text;
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
