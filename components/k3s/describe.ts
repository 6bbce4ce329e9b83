import type { Platform } from "../platform";

/** Type tokens of the k3s components (the change preview recognises nodes by them). */
export const K3S_CLUSTER_TYPE = "akko:audit:K3sAuditLogging";
export const K3S_SERVER_TYPE = "akko:audit:K3sServerAuditLogging";
import { renderK3sArtifacts } from "./render";

/** k3s: the product's policy and flags on every server node; an Alloy in the cluster reads the node's file. */
export const k3sPlatform: Platform<"k3s"> = {
    kind: "k3s",
    summary: (c) => ({
        cluster: c.name,
        kind: "k3s",
        enabled: [`audit policy + kube-apiserver audit flags on ${c.servers.length} server node(s) (${c.servers.map((s) => s.host).join(", ")})`],
        cloudCopy: `${c.auditLogPath} on each server node, rotated after ${c.auditLogMaxAgeDays} days`,
        toLoki: `${c.auditLogPath} -> Alloy (HelmChart in the cluster) -> Loki {job="k3s-audit", cluster="${c.name}"}`,
        cloudRetentionDays: undefined,
        gaps: [],
    }),
    retention: (c) => [
        {
            hop: "node disk",
            days: c.auditLogMaxAgeDays,
            text: `${c.auditLogPath}: rotated files kept ${c.auditLogMaxAgeDays} days, at most ${c.auditLogMaxBackup} x ${c.auditLogMaxSizeMb} MB`,
        },
    ],
    setting: (c) => `product policy on ${c.servers.length} server node(s)`,
    outcome: (_c, req, policies) => {
        const level = policies.product.evaluate(req).level;
        return level === "None" ? { level, why: "dropped by the product's policy (noise rule)" } : { level };
    },
    artifacts: (c) => renderK3sArtifacts(c),
    logsRoute: (c) => ({ via: "node-agent", path: c.auditLogPath, installer: { by: "k3s-manifests" } }),
};
