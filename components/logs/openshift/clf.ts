import { StackConfig } from "../../config/stack";
import { otlpPath } from "../alloy/plan";

/** Where the Logging operator runs (and where the forwarder, its service account and Secret live). */
export const OPENSHIFT_LOGGING_NAMESPACE = "openshift-logging";
export const CLF_NAME = "akko-audit";
export const CLF_SERVICE_ACCOUNT = "akko-audit-collector";
/** Secret with the username and password the collector sends to the central Alloy. */
export const CLF_SECRET = "akko-audit-otlp";
/** ClusterRole the Logging operator ships for collecting audit logs. */
export const COLLECT_AUDIT_ROLE = "collect-audit-logs";

/** The URL a cluster's forwarder posts to: the central Alloy's OTLP receiver for that cluster. */
export function clfUrl(config: StackConfig, cluster: { name: string }): string {
    return `https://${config.logs.ingress?.receiversHost ?? "receivers.invalid"}${otlpPath(cluster.name)}`;
}

/**
 * The `observability.openshift.io/v1` ClusterLogForwarder that sends the API server's audit log (input type
 * audit, source kubeAPI) over OTLP, with basic auth from a Secret, to the central Alloy, which normalises it
 * like every other source. Pure.
 */
export function clusterLogForwarder(config: StackConfig, cluster: { name: string }): Record<string, unknown> {
    return {
        apiVersion: "observability.openshift.io/v1",
        kind: "ClusterLogForwarder",
        metadata: { name: CLF_NAME, namespace: OPENSHIFT_LOGGING_NAMESPACE },
        spec: {
            serviceAccount: { name: CLF_SERVICE_ACCOUNT },
            inputs: [{ name: "kube-api-audit", type: "audit", audit: { sources: ["kubeAPI"] } }],
            outputs: [
                {
                    name: "akko-audit-alloy",
                    type: "otlp",
                    otlp: {
                        url: clfUrl(config, cluster),
                        authentication: {
                            username: { secretName: CLF_SECRET, key: "username" },
                            password: { secretName: CLF_SECRET, key: "password" },
                        },
                    },
                },
            ],
            pipelines: [{ name: "akko-audit", inputRefs: ["kube-api-audit"], outputRefs: ["akko-audit-alloy"] }],
        },
    };
}

/** The collector's service account and its binding to the operator's collect-audit-logs role. */
export function clfServiceAccountManifests(): Record<string, unknown>[] {
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: CLF_SERVICE_ACCOUNT, namespace: OPENSHIFT_LOGGING_NAMESPACE } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: `${CLF_SERVICE_ACCOUNT}-audit` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: COLLECT_AUDIT_ROLE },
            subjects: [{ kind: "ServiceAccount", name: CLF_SERVICE_ACCOUNT, namespace: OPENSHIFT_LOGGING_NAMESPACE }],
        },
    ];
}
