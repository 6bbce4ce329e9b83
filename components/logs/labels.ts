import { ClusterKind } from "../config/stack";

/**
 * The only stream labels the logs layer sets: low cardinality, one stream per cluster. Everything else is
 * in the line (a native audit Event) or in structured metadata.
 */
export const STREAM_LABELS = ["job", "cluster", "source"] as const;

/** `job` per cluster kind; the runbook's queries use `{job="k3s-audit"}`, the other kinds follow the pattern. */
export function jobLabel(kind: ClusterKind): string {
    return `${kind}-audit`;
}

/** Labels of every line from one cluster. `source` is the cluster kind. */
export function streamLabels(cluster: { name: string; kind: ClusterKind }): Record<(typeof STREAM_LABELS)[number], string> {
    return { job: jobLabel(cluster.kind), cluster: cluster.name, source: cluster.kind };
}
