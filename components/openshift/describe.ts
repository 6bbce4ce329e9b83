import { usesClusterLogForwarder } from "../config/logs";
import { READ_VERBS, type Platform } from "../platform";
import { renderOpenShiftArtifacts } from "./render";
import { openShiftSummary } from "./summary";

/** The path kube-apiserver writes audit events to on OpenShift control-plane nodes. */
export const OPENSHIFT_AUDIT_LOG_PATH = "/var/log/kube-apiserver/audit.log";

/** OpenShift: the APIServer audit profile; an Alloy on the masters or the Logging operator ships the file. */
export const openShiftPlatform: Platform<"openshift"> = {
    kind: "openshift",
    summary: openShiftSummary,
    retention: () => [{ hop: "node disk", text: "control-plane nodes: OpenShift's own rotation of /var/log/kube-apiserver/audit.log (size-based)" }],
    setting: (c) => `audit profile ${c.profile}`,
    outcome: (c, req, policies) => {
        if (c.profile === "None") return { level: "None", why: "audit profile None turns API-server auditing off" };
        const level = policies.openshift[c.profile].evaluate(req).level;
        if (c.profile === "Default" && level === "Metadata" && !READ_VERBS.has(req.verb)) {
            return { level, why: "profile Default logs no bodies: use WriteRequestBodies" };
        }
        return { level };
    },
    artifacts: (c) => renderOpenShiftArtifacts(c),
    logsRoute: (c, config) => {
        const installer = { by: "openshift-api", kubeconfigSecret: c.kubeconfigSecret } as const;
        return usesClusterLogForwarder(config) ? { via: "otlp", installer } : { via: "node-agent", path: OPENSHIFT_AUDIT_LOG_PATH, installer };
    },
};
