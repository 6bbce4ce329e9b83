import { z } from "zod";
import { allowed, clusterName, oneOf, secretRef, strictObject } from "./fields";

export const OPENSHIFT_PROFILES = ["Default", "WriteRequestBodies", "AllRequestBodies", "None"] as const;
export type OpenShiftProfile = (typeof OPENSHIFT_PROFILES)[number];
export const DEFAULT_OPENSHIFT_PROFILE: OpenShiftProfile = "WriteRequestBodies";

export const OpenShiftClusterSchema = strictObject({
    name: clusterName,
    kind: z.literal("openshift"),
    /** Secret config key holding the cluster's kubeconfig (cluster-admin). Required. */
    kubeconfigSecret: secretRef,
    /** APIServer audit profile. Default WriteRequestBodies. */
    profile: oneOf(OPENSHIFT_PROFILES).default(DEFAULT_OPENSHIFT_PROFILE),
    /** Must be true for profile None, which turns auditing off. Default false. */
    confirmAuditingOff: z.boolean(allowed("true or false")).default(false),
});

export type OpenShiftCluster = z.infer<typeof OpenShiftClusterSchema>;
