import { ClusterConfig, StackConfig } from "../config/stack";
import { retentionHops, RetentionHop } from "../coverage/retention";
import { platformOf } from "../platforms";

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

/** The per-cluster status, from the validated config (pure): the platform's summary and retention hops. */
export function clusterStatus(c: ClusterConfig, config: StackConfig): ClusterStatus {
    const s = platformOf(c).summary(c);
    return { kind: c.kind, enabled: s.enabled, logsGoTo: s.toLoki, retention: retentionHops(c, config.logs), gaps: s.gaps };
}
