import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/stack";
import { pushUser } from "./loki/access";
import { CLF_SECRET, CLF_SERVICE_ACCOUNT, clusterLogForwarder, COLLECT_AUDIT_ROLE, OPENSHIFT_LOGGING_NAMESPACE } from "./openshift/clf";

export const OPENSHIFT_FORWARDER_TYPE = "akko:audit:OpenShiftLogForwarder";

export interface OpenShiftLogForwarderArgs {
    /** The validated stack config. */
    config: StackConfig;
    /** The OpenShift cluster (its Logging operator must be installed). */
    cluster: { name: string };
    /** The cluster's own push password (user pushUser(cluster)), which opens only its receiver at the central Alloy. */
    password: pulumi.Input<string>;
    /** Provider of the OpenShift cluster. */
    provider?: k8s.Provider;
}

/**
 * The OpenShift way: a ClusterLogForwarder (Logging operator) forwarding the kube-apiserver audit log over
 * OTLP to the central Alloy, with its service account, the collect-audit-logs binding and the credentials
 * Secret.
 */
export class OpenShiftLogForwarder extends pulumi.ComponentResource {
    readonly forwarder: k8s.apiextensions.CustomResource;

    constructor(name: string, args: OpenShiftLogForwarderArgs, opts?: pulumi.ComponentResourceOptions) {
        super(OPENSHIFT_FORWARDER_TYPE, name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const sa = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: CLF_SERVICE_ACCOUNT, namespace: OPENSHIFT_LOGGING_NAMESPACE } },
            child,
        );
        const binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-audit`,
            {
                metadata: { name: `${CLF_SERVICE_ACCOUNT}-audit` },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: COLLECT_AUDIT_ROLE },
                subjects: [{ kind: "ServiceAccount", name: CLF_SERVICE_ACCOUNT, namespace: OPENSHIFT_LOGGING_NAMESPACE }],
            },
            child,
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: CLF_SECRET, namespace: OPENSHIFT_LOGGING_NAMESPACE },
                stringData: { username: pushUser(args.cluster.name), password: pulumi.secret(args.password) },
            },
            child,
        );
        const clf = clusterLogForwarder(args.config, args.cluster);
        this.forwarder = new k8s.apiextensions.CustomResource(`${name}-clf`, clf as k8s.apiextensions.CustomResourceArgs, {
            ...child,
            dependsOn: [sa, binding, secret],
        });
        this.registerOutputs({ forwarder: this.forwarder.metadata.name });
    }
}
