import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { OpenShiftCluster, OpenShiftClusterSchema, openShiftRules } from "../config/openshift";
import { checkArgs } from "../config/stack";
import { apiServerAuditSpec, FIELD_MANAGER } from "./spec";

/** The args' settings, checked with the config's own field schemas (defaults applied there) and rules. */
const SETTINGS = z.object({
    profile: OpenShiftClusterSchema.shape.profile,
    customRules: OpenShiftClusterSchema.shape.customRules,
    confirmAuditingOff: OpenShiftClusterSchema.shape.confirmAuditingOff,
    allowAuditOff: OpenShiftClusterSchema.shape.allowAuditOff,
});

export interface OpenShiftAuditProfileArgs {
    /** Kubeconfig with cluster-admin on the cluster (kept secret). Required. */
    kubeconfig: pulumi.Input<string>;
    /** spec.audit.profile: Default | WriteRequestBodies | AllRequestBodies | None. Default WriteRequestBodies. */
    profile?: string;
    /** Per-group profiles, spec.audit.customRules (first match wins). Default: none. */
    customRules?: { group: string; profile: string }[];
    /** Must be true for profile None (anywhere): None turns auditing off. Default false. */
    confirmAuditingOff?: boolean;
    /**
     * Let this stack turn the cluster's audit logging off. Default false: the APIServer patch is protected, so deleting this
     * component (cluster removed from config, `pulumi destroy`) stops with Pulumi's protect error.
     */
    allowAuditOff?: boolean;
    /**
     * The Kubernetes provider's clusterIdentifier: a change replaces the provider and so every resource it
     * manages (the patch is deleted, then re-applied). Default: the component's name; from config, the
     * cluster's first name, so that a rename changes nothing.
     */
    clusterIdentifier?: string;
}

/**
 * OpenShift's API-server audit profile, set with a server-side-apply patch on
 * config.openshift.io/v1 APIServer `cluster` (the cluster itself is never created or replaced). Deleting
 * the patch gives spec.audit back: the cluster's own default returns.
 */
export class OpenShiftAuditProfile extends pulumi.ComponentResource {
    public readonly profile: pulumi.Output<string>;
    public readonly customRules: pulumi.Output<{ group: string; profile: string }[]>;

    constructor(name: string, args: OpenShiftAuditProfileArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before anything is registered: the config's rules, the config's messages.
        const where = `OpenShiftAuditProfile ${JSON.stringify(name)}`;
        const settings = checkArgs(
            where,
            SETTINGS,
            { profile: args.profile, customRules: args.customRules, confirmAuditingOff: args.confirmAuditingOff, allowAuditOff: args.allowAuditOff },
            (s) =>
                openShiftRules.problems({ ...s, kind: "openshift", name } as OpenShiftCluster, {
                    where,
                    index: 0,
                    logsRetentionDays: Infinity,
                    fleet: new Map(),
                }),
        );
        super("akko:audit:OpenShiftAuditProfile", name, {}, opts);
        const { profile, customRules } = settings;

        const provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: pulumi.secret(args.kubeconfig),
                // A rotated kubeconfig is an update of the provider, not a new cluster: without this the
                // patch would be deleted and re-applied (two API-server rollouts).
                clusterIdentifier: args.clusterIdentifier ?? name,
                enableServerSideApply: true,
            },
            { parent: this },
        );
        new k8s.apiextensions.CustomResourcePatch(
            `${name}-apiserver-audit`,
            {
                apiVersion: "config.openshift.io/v1",
                kind: "APIServer",
                metadata: {
                    name: "cluster",
                    annotations: {
                        // Take spec.audit over from whoever set it by hand (oc edit, the console): this stack is
                        // its owner from now on.
                        "pulumi.com/patchForce": "true",
                        "pulumi.com/patchFieldManager": FIELD_MANAGER,
                    },
                },
                spec: apiServerAuditSpec(profile, customRules),
            },
            // Its delete gives spec.audit back to the cluster's default: only with the cluster's explicit opt-in.
            { parent: this, provider, protect: !settings.allowAuditOff },
        );

        this.profile = pulumi.output(profile);
        this.customRules = pulumi.output(customRules);
        this.registerOutputs({ profile: this.profile, customRules: this.customRules });
    }
}
