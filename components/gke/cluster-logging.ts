import * as pulumi from "@pulumi/pulumi";
import type { GcpIdentity } from "./identity";
import { gkeLoggingProvider } from "./logging-provider";

export interface GkeClusterLoggingArgs {
    /** GCP project of the cluster. */
    project: pulumi.Input<string>;
    /** Region or zone of the cluster. */
    location: pulumi.Input<string>;
    /** Name of the existing GKE cluster. */
    clusterName: pulumi.Input<string>;
    /** Logging components that must be on, e.g. ["APISERVER"]. */
    components: pulumi.Input<pulumi.Input<string>[]>;
    /** Seconds between operation polls. Default 10. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Minutes an update may run. Default 30. */
    updateTimeoutMinutes?: pulumi.Input<number>;
    /** Who the GKE calls act as. Default: Application Default Credentials. */
    identity?: GcpIdentity;
}

/**
 * Logging components of an existing GKE cluster (updateCluster desiredLoggingConfig): adds what is missing,
 * leaves what others turned on, and on delete turns off only what it added.
 */
export class GkeClusterLogging extends pulumi.dynamic.Resource {
    declare public readonly components: pulumi.Output<string[]>;
    /** Components this resource turned on; turned off again on delete. */
    declare public readonly addedComponents: pulumi.Output<string[]>;

    constructor(name: string, args: GkeClusterLoggingArgs, opts?: pulumi.CustomResourceOptions) {
        super(gkeLoggingProvider, name, { addedComponents: undefined, ...args }, opts, "akko-audit", "GkeClusterLogging");
    }
}
