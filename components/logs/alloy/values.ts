import * as path from "node:path";
import { LogsConfig } from "../../config/logs";
import type { Installer } from "../../platform";
import { GCP_KEY_PATH } from "./plan";

/** ConfigMap holding config.alloy (made by this program: the chart would run the text through `tpl`). */
export const ALLOY_CONFIGMAP = "akko-audit-alloy-config";
export const ALLOY_CONFIG_KEY = "config.alloy";
/** Secret with the Alloy's environment (gateway password, receiver keys). */
export const ALLOY_ENV_SECRET = "akko-audit-alloy-env";
/** Secret with the GCP service-account key file (central Alloy). */
export const ALLOY_GCP_SECRET = "akko-audit-alloy-gcp";
/** Host directory where node agents keep read positions, so a restarted pod resumes instead of re-reading. */
export const NODE_STATE_DIR = "/var/lib/akko-audit-alloy";
const STORAGE_PATH = "/var/lib/alloy/data";

export interface NodeSelection {
    nodeSelector: Record<string, string>;
    tolerations: Record<string, string>[];
}

/** Control-plane nodes only: k3s labels servers control-plane=true; OpenShift labels masters. */
export function controlPlaneSelection(installer: Installer["by"]): NodeSelection {
    if (installer === "openshift-api") {
        return {
            nodeSelector: { "node-role.kubernetes.io/master": "" },
            tolerations: [{ key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" }],
        };
    }
    return {
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: [
            { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
            { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
            // k3s servers started with --node-taint CriticalAddonsOnly=true:NoExecute
            { key: "CriticalAddonsOnly", operator: "Exists" },
        ],
    };
}

function images(logs: LogsConfig): Record<string, unknown> {
    const registry = logs.mirrors.imageRegistry;
    const pick = (o?: { repository?: string; tag?: string }) => ({
        ...(registry ? { registry } : {}),
        ...(o?.repository ? { repository: o.repository } : {}),
        ...(o?.tag ? { tag: o.tag } : {}),
    });
    return {
        ...(registry ? { global: { image: { registry } } } : {}),
        image: pick(logs.images?.alloy),
        configReloader: { image: pick(logs.images?.configReloader) },
    };
}

const common = {
    configMap: { create: false, name: ALLOY_CONFIGMAP, key: ALLOY_CONFIG_KEY },
    enableReporting: false,
    envFrom: [{ secretRef: { name: ALLOY_ENV_SECRET } }],
};

/**
 * Alloy chart values for the agent on a cluster's control-plane nodes (k3s, OpenShift): a DaemonSet there
 * only, the audit log's directory mounted read-only from the host, read positions kept on the host, root
 * (the audit log is 0600 root).
 */
export function nodeAgentValues(logs: LogsConfig, installer: Installer["by"], auditLogPath: string): Record<string, unknown> {
    const dir = path.posix.dirname(auditLogPath);
    const sel = controlPlaneSelection(installer);
    return {
        ...images(logs),
        crds: { create: false },
        alloy: {
            ...common,
            storagePath: STORAGE_PATH,
            // OpenShift admits host reads only to privileged pods (the SCC Alloy's account is bound to).
            securityContext: installer === "openshift-api" ? { privileged: true, runAsUser: 0 } : { runAsUser: 0, runAsGroup: 0 },
            mounts: {
                extra: [
                    { name: "audit-log", mountPath: dir, readOnly: true },
                    { name: "alloy-state", mountPath: STORAGE_PATH },
                ],
            },
        },
        controller: {
            type: "daemonset",
            nodeSelector: sel.nodeSelector,
            tolerations: sel.tolerations,
            volumes: {
                extra: [
                    { name: "audit-log", hostPath: { path: dir, type: "Directory" } },
                    { name: "alloy-state", hostPath: { path: NODE_STATE_DIR, type: "DirectoryOrCreate" } },
                ],
            },
        },
    };
}

/** Alloy chart values for the central receiver in the logs cluster (EKS, GKE, AKS sources). */
export function centralValues(logs: LogsConfig, firehosePorts: number[], withGcpKey: boolean): Record<string, unknown> {
    return {
        ...images(logs),
        crds: { create: false },
        alloy: {
            ...common,
            extraPorts: firehosePorts.map((port) => ({ name: `firehose-${port}`, port, targetPort: port, protocol: "TCP" })),
            ...(withGcpKey
                ? {
                      extraEnv: [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: GCP_KEY_PATH }],
                      mounts: { extra: [{ name: "gcp-key", mountPath: path.posix.dirname(GCP_KEY_PATH), readOnly: true }] },
                  }
                : {}),
        },
        controller: {
            type: "deployment",
            replicas: 1,
            ...(withGcpKey
                ? {
                      volumes: {
                          extra: [{ name: "gcp-key", secret: { secretName: ALLOY_GCP_SECRET, items: [{ key: "key.json", path: "key.json" }] } }],
                      },
                  }
                : {}),
        },
    };
}
