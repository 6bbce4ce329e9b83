import * as pulumi from "@pulumi/pulumi";
import type { AuditConfig } from "./data-access-provider";
import { dataAccessBaselineProvider } from "./data-access-provider";
import type { GcpIdentity } from "./identity";

export interface GkeDataAccessBaselineArgs {
    /** GCP project whose IAM policy holds the audit config. */
    project: pulumi.Input<string>;
    /** The service, e.g. container.googleapis.com. */
    service: pulumi.Input<string>;
    /** Who the Resource Manager calls act as. Default: Application Default Credentials. */
    identity?: GcpIdentity;
}

/**
 * A service's Data Access audit config as it was before this stack: recorded on create, written back on
 * delete (after the IAMAuditConfig that depends on it has removed ours).
 */
export class GkeDataAccessBaseline extends pulumi.dynamic.Resource {
    /** The recorded config; null when the service had none. */
    declare public readonly baseline: pulumi.Output<AuditConfig | null>;

    constructor(name: string, args: GkeDataAccessBaselineArgs, opts?: pulumi.CustomResourceOptions) {
        super(dataAccessBaselineProvider, name, { baseline: undefined, ...args }, opts, "akko-audit", "GkeDataAccessBaseline");
    }
}
