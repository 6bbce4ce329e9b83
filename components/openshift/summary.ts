import type { OpenShiftCluster } from "../config/openshift";
import type { ClusterSummary } from "../platform";

const BODIES: Record<string, string> = {
    Default: "metadata only for every request (no bodies)",
    WriteRequestBodies: "request bodies of writes (create, update, patch, delete)",
    AllRequestBodies: "request bodies of reads and writes",
    None: "nothing (auditing off)",
};

/** The summary of an OpenShift cluster's audit profile (pure: for status outputs and the coverage report). */
export function openShiftSummary(c: OpenShiftCluster): ClusterSummary {
    const gaps: string[] = [];
    if (c.profile === "None") gaps.unshift("auditing is off (profile None): nothing is recorded");
    if (c.profile === "Default") gaps.push("no request bodies: the dashboard shows who and what, not the changed content");
    for (const r of c.customRules) if (r.profile === "None") gaps.push(`group ${r.group}: auditing off (custom rule None)`);
    return {
        cluster: c.name,
        kind: "openshift",
        enabled: [
            `APIServer audit profile ${c.profile}: ${BODIES[c.profile]}`,
            ...c.customRules.map((r) => `group ${r.group}: profile ${r.profile}`),
        ],
        cloudCopy: "the control-plane nodes' audit log files (rotated by OpenShift)",
        // Shipping is in-cluster (Alloy on the control-plane nodes), wired outside this component.
        toLoki: c.profile === "None" ? undefined : "in-cluster Alloy reading the API servers' audit logs on the control-plane nodes",
        cloudRetentionDays: undefined,
        gaps,
    };
}
