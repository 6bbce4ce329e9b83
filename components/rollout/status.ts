import { aksSummary } from "../aks/summary";
import { ClusterConfig, StackConfig } from "../config/stack";
import { retentionHops, RetentionHop } from "../coverage/retention";
import { eksSummary } from "../eks/summary";
import { gkeSummary } from "../gke/summary";
import { openShiftSummary } from "../openshift/summary";

/** What the stack exports per cluster: kind, what was enabled, where its logs go, retention on each hop. */
export interface ClusterStatus {
    kind: ClusterConfig["kind"];
    enabled: string[];
    /** The path to Loki; undefined when events stay on the platform. */
    logsGoTo: string | undefined;
    retention: RetentionHop[];
    /** What the Audit Trail dashboard cannot show for this cluster. */
    gaps: string[];
}

/** The per-cluster status, from the validated config (pure). */
export function clusterStatus(c: ClusterConfig, config: StackConfig): ClusterStatus {
    const retention = retentionHops(c, config.logs);
    if (c.kind === "k3s") {
        return {
            kind: "k3s",
            enabled: [`audit policy + kube-apiserver audit flags on ${c.servers.length} server node(s) (${c.servers.map((s) => s.host).join(", ")})`],
            logsGoTo: `${c.auditLogPath} -> Alloy (HelmChart in the cluster) -> Loki {job="k3s-audit", cluster="${c.name}"}`,
            retention,
            gaps: [],
        };
    }
    const s = c.kind === "eks" ? eksSummary(c) : c.kind === "gke" ? gkeSummary(c) : c.kind === "aks" ? aksSummary(c) : openShiftSummary(c);
    return { kind: c.kind, enabled: s.enabled, logsGoTo: s.toLoki, retention, gaps: s.gaps };
}
