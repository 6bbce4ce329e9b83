import type { LogsConfig } from "../config/logs";
import type { ClusterConfig } from "../config/stack";
import type { RetentionHop } from "../platform";
import { platformOf } from "../platforms";

export type { RetentionHop } from "../platform";

/** Retention on each hop for one cluster: the platform's hops before Loki (<kind>/describe.ts), then Loki. */
export function retentionHops(cluster: ClusterConfig, logs: LogsConfig): RetentionHop[] {
    return [
        ...platformOf(cluster).retention(cluster),
        { hop: "Loki", days: logs.retentionDays, text: `${logs.retentionDays} days, enforced by Loki's compactor` },
    ];
}
