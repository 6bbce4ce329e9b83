import { ClusterConfig } from "../config/stack";
import { LogsConfig } from "../config/logs";

/** One place an audit event is kept on its way to (and in) Loki. */
export interface RetentionHop {
    hop: "node disk" | "cloud" | "Loki";
    /** Days kept, when this program sets or knows it. */
    days?: number;
    text: string;
}

/** Retention on each hop for one cluster, from its config (what this program enforces) and platform facts. */
export function retentionHops(cluster: ClusterConfig, logs: LogsConfig): RetentionHop[] {
    const loki: RetentionHop = { hop: "Loki", days: logs.retentionDays, text: `${logs.retentionDays} days, enforced by Loki's compactor` };
    switch (cluster.kind) {
        case "k3s":
            return [
                {
                    hop: "node disk",
                    days: cluster.auditLogMaxAgeDays,
                    text: `${cluster.auditLogPath}: rotated files kept ${cluster.auditLogMaxAgeDays} days, at most ${cluster.auditLogMaxBackup} x ${cluster.auditLogMaxSizeMb} MB`,
                },
                loki,
            ];
        case "eks":
            return [{ hop: "cloud", days: cluster.retentionDays, text: `CloudWatch /aws/eks/${cluster.clusterName}/cluster: ${cluster.retentionDays} days` }, loki];
        case "gke":
            return [
                { hop: "cloud", text: "Cloud Logging: Admin Activity in the _Required bucket (400 days, fixed by Google); Data Access in _Default (30 days unless changed)" },
                loki,
            ];
        case "aks":
            return [{ hop: "cloud", text: "Log Analytics workspace: the workspace's retention (30 days unless changed); Event Hub: its message retention" }, loki];
        case "openshift":
            return [{ hop: "node disk", text: "control-plane nodes: OpenShift's own rotation of /var/log/kube-apiserver/audit.log (size-based)" }, loki];
    }
}
