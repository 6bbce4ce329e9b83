import * as pulumi from "@pulumi/pulumi";
import { firstName } from "../config/fields";
import type { OpenShiftCluster } from "../config/openshift";
import type { OpenShiftAuditProfileArgs } from "./audit-profile";

/** Component args from a validated cluster config; `secret` reads a secret config key (secretConfig). */
export function openShiftArgsFromConfig(c: OpenShiftCluster, secret: (key: string) => pulumi.Output<string>): OpenShiftAuditProfileArgs {
    return {
        kubeconfig: secret(c.kubeconfigSecret),
        profile: c.profile,
        customRules: c.customRules,
        confirmAuditingOff: c.confirmAuditingOff,
        allowAuditOff: c.allowAuditOff,
        clusterIdentifier: firstName(c),
    };
}
