import { z } from "zod";
import { allowAuditOff, allowed, clusterName, previousNames, oneOf, secretRef, strictObject } from "./fields";
import type { KindRules } from "./kind-rules";

export const OPENSHIFT_PROFILES = ["Default", "WriteRequestBodies", "AllRequestBodies", "None"] as const;
export type OpenShiftProfile = (typeof OPENSHIFT_PROFILES)[number];
export const DEFAULT_OPENSHIFT_PROFILE: OpenShiftProfile = "WriteRequestBodies";

/** Group names as OpenShift writes them, e.g. system:authenticated:oauth. */
export const OPENSHIFT_GROUP = /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,252}$/;

export const OpenShiftCustomRuleSchema = strictObject({
    /** The group the rule applies to, e.g. system:authenticated:oauth. */
    group: z
        .string(allowed("a group name such as system:authenticated:oauth"))
        .regex(OPENSHIFT_GROUP, allowed("a group name such as system:authenticated:oauth")),
    /** The profile for that group's requests. */
    profile: oneOf(OPENSHIFT_PROFILES),
});
export type OpenShiftCustomRule = z.infer<typeof OpenShiftCustomRuleSchema>;

export const OpenShiftClusterSchema = strictObject({
    name: clusterName,
    /** Earlier names of this cluster: renaming keeps its resources (aliases). Default none. */
    previousNames,
    kind: z.literal("openshift"),
    /** Secret config key holding the cluster's kubeconfig (cluster-admin). Required. */
    kubeconfigSecret: secretRef,
    /** APIServer audit profile. Default WriteRequestBodies. */
    profile: oneOf(OPENSHIFT_PROFILES).default(DEFAULT_OPENSHIFT_PROFILE),
    /** Must be true for profile None, which turns auditing off. Default false. */
    confirmAuditingOff: z.boolean(allowed("true or false")).default(false),
    /**
     * Per-group profiles (spec.audit.customRules), first match wins; each group once; None for a group
     * also needs confirmAuditingOff. Default: none.
     */
    customRules: z.array(OpenShiftCustomRuleSchema, allowed("a list of {group, profile}")).default([]),
    allowAuditOff,
});

export type OpenShiftCluster = z.infer<typeof OpenShiftClusterSchema>;

/** The fleet rules of an OpenShift cluster (KIND_RULES). */
export const openShiftRules: KindRules<OpenShiftCluster> = {
    secretRefs: (c) => [{ field: "kubeconfigSecret", key: c.kubeconfigSecret }],
    bufferRetention: () => undefined,
    identity: () => undefined,
    problems: (c, { where }) => {
        const problems: string[] = [];
        if (c.profile === "None" && !c.confirmAuditingOff) {
            problems.push(
                `${where}: field profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns API-server auditing off)`,
            );
        }
        c.customRules.forEach((r, j) => {
            const first = c.customRules.findIndex((x) => x.group === r.group);
            if (first < j)
                problems.push(
                    `${where}: field customRules[${j}].group: got ${JSON.stringify(r.group)}; allowed: a group not already listed (customRules[${first}] has it)`,
                );
            if (r.profile === "None" && !c.confirmAuditingOff) {
                problems.push(
                    `${where}: field customRules[${j}].profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns auditing off for group ${JSON.stringify(r.group)})`,
                );
            }
        });
        return problems;
    },
};
