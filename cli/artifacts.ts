import { readFileSync } from "node:fs";
import { StackConfig } from "../components/config/stack";
import type { Artifact } from "../components/platform";
import { platformOf } from "../components/platforms";
import { renderLogsArtifacts } from "../components/logs/render";
import { SHIPPED_POLICY } from "./io";

export type { Artifact } from "../components/platform";

/**
 * Everything the stack would push, computed offline from the validated config. Deterministic (no clocks,
 * sorted keys) so that two renders of the same config are byte-identical and diffs review cleanly.
 */
export function renderArtifacts(config: StackConfig): Artifact[] {
    return [
        {
            path: "audit-policy.yaml",
            content: readFileSync(SHIPPED_POLICY, "utf8"),
            description: "audit policy installed on k3s nodes (policy/audit-policy.yaml)",
        },
        {
            path: "fleet.json",
            content: JSON.stringify(fleetSummary(config), null, 2) + "\n",
            description: "validated fleet with every default applied; secrets shown as [secret]",
        },
        ...config.clusters.flatMap((c) => platformOf(c).artifacts(c)),
        ...renderLogsArtifacts(config),
    ];
}

export function fleetSummary(config: StackConfig) {
    return {
        stack: config.stack,
        clusters: config.clusters,
        logs: config.logs,
        secrets: Object.fromEntries(config.secretKeys.map((k) => [`akko-audit:${k}`, "[secret]"])),
    };
}
