import type { OpenShiftCluster } from "../config/openshift";
import { apiServerAuditSpec, FIELD_MANAGER } from "./spec";
import { openShiftSummary } from "./summary";

/** `render`'s review file for an OpenShift cluster: the summary and the exact APIServer patch. */
export function renderOpenShiftArtifacts(c: OpenShiftCluster): { path: string; content: string; description: string }[] {
    const doc = {
        summary: openShiftSummary(c),
        patch: {
            apiVersion: "config.openshift.io/v1",
            kind: "APIServer",
            metadata: { name: "cluster" },
            spec: apiServerAuditSpec(c.profile, c.customRules),
            fieldManager: FIELD_MANAGER,
        },
    };
    return [
        {
            path: `managed/${c.name}.json`,
            content: JSON.stringify(doc, null, 2) + "\n",
            description: `OpenShift APIServer audit profile ${c.profile}`,
        },
    ];
}
