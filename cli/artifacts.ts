import { readFileSync } from "node:fs";
import { StackConfig } from "../components/config/stack";
import { renderAksArtifacts } from "../components/aks/render";
import { renderEksArtifacts } from "../components/eks/render";
import { renderGkeArtifacts } from "../components/gke/render";
import { renderK3sArtifacts } from "../components/k3s/render";
import { renderOpenShiftArtifacts } from "../components/openshift/render";
import { renderLogsArtifacts } from "../components/logs/render";
import { SHIPPED_POLICY } from "./io";

/** One file `render` writes: a path relative to the output directory and its exact content. */
export interface Artifact {
    path: string;
    content: string;
    /** What it is, for the listing `render` prints. */
    description: string;
}

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
        ...config.clusters.flatMap((c) => (c.kind === "k3s" ? renderK3sArtifacts(c) : [])),
        ...config.clusters.flatMap((c) => (c.kind === "eks" ? renderEksArtifacts(c) : c.kind === "gke" ? renderGkeArtifacts(c) : c.kind === "aks" ? renderAksArtifacts(c) : c.kind === "openshift" ? renderOpenShiftArtifacts(c) : [])),
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
