import * as pulumi from "@pulumi/pulumi";
import type { EksCluster } from "../config/eks";
import type { EksAuditLoggingArgs } from "./audit-logging";

/** Component args from a validated cluster config; `secret` reads a secret config key (secretConfig). */
export function eksArgsFromConfig(c: EksCluster, secret: (key: string) => pulumi.Output<string>): EksAuditLoggingArgs {
    return {
        clusterName: c.clusterName,
        region: c.region,
        logTypes: c.logTypes,
        retentionDays: c.retentionDays,
        kmsKeyArn: c.kmsKeyArn,
        adoptExistingLogGroup: c.adoptExistingLogGroup,
        firehoseEndpointUrl: c.firehoseEndpointUrl,
        firehoseAccessKey: c.firehoseAccessKeySecret !== undefined ? secret(c.firehoseAccessKeySecret) : undefined,
        failedBatchRetentionDays: c.failedBatchRetentionDays,
        lokiClusterLabel: c.name,
        allowAuditOff: c.allowAuditOff,
    };
}
