import type { EksCluster } from "../config/eks";
import type { ClusterSummary } from "../platform";
import { eksLogGroupName } from "./names";

/** Was the managed kinds' summary; every kind has one now. */
export type ManagedAuditSummary = ClusterSummary;

/** The summary of an EKS cluster's audit logging (pure: for status outputs and the coverage report). */
export function eksSummary(c: EksCluster): ClusterSummary {
    const gaps = ["EKS's audit policy is fixed by AWS and cannot be changed (no request bodies for most writes)"];
    if (!c.firehoseEndpointUrl) gaps.unshift("nothing reaches Loki: no firehoseEndpointUrl (events stay in CloudWatch)");
    return {
        cluster: c.name,
        kind: "eks",
        enabled: c.logTypes.map((t) => `control-plane log ${t}`),
        cloudCopy: `CloudWatch ${eksLogGroupName(c.clusterName)} (${c.region}), ${c.retentionDays} days${c.kmsKeyArn ? ", KMS-encrypted" : ""}`,
        toLoki: c.firehoseEndpointUrl
            ? `subscription filter (audit events only) -> Firehose -> ${c.firehoseEndpointUrl}; failed batches kept ${c.failedBatchRetentionDays} days in S3`
            : undefined,
        cloudRetentionDays: c.retentionDays,
        gaps,
    };
}
