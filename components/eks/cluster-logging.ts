import * as pulumi from "@pulumi/pulumi";
import type { AwsIdentity } from "./identity";
import { eksLoggingProvider } from "./logging-provider";

export interface EksClusterLoggingArgs {
    /** Name of the existing EKS cluster. */
    clusterName: pulumi.Input<string>;
    /** Region of the cluster. */
    region: pulumi.Input<string>;
    /** Log types that must be on; every other type is turned off. */
    logTypes: pulumi.Input<pulumi.Input<string>[]>;
    /** Seconds between DescribeUpdate polls. Default 15 (DEFAULT_POLL_INTERVAL_SECONDS). */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Minutes an update may run before failing. Default 30 (DEFAULT_UPDATE_TIMEOUT_MINUTES). */
    updateTimeoutMinutes?: pulumi.Input<number>;
    /** Who the EKS calls act as. Default: the SDK's default credential chain. */
    identity?: AwsIdentity;
}

/**
 * The control-plane log types of an existing EKS cluster (UpdateClusterConfig). Changes nothing when the
 * cluster already matches; on delete turns back on exactly what was on before. Never touches anything else
 * on the cluster.
 */
export class EksClusterLogging extends pulumi.dynamic.Resource {
    /** Log types on now (sorted). */
    declare public readonly logTypes: pulumi.Output<string[]>;
    /** Log types that were on before this resource was created; restored on delete. */
    declare public readonly previousLogTypes: pulumi.Output<string[]>;

    constructor(name: string, args: EksClusterLoggingArgs, opts?: pulumi.CustomResourceOptions) {
        super(eksLoggingProvider, name, { previousLogTypes: undefined, ...args }, opts, "akko-audit", "EksClusterLogging");
    }
}
