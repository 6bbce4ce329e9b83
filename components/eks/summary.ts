import type { EksCluster } from "../config/eks";
import { eksLogGroupName } from "./names";

/** What the stack turns on for one managed cluster, where it goes, and what the dashboard will and will not show. */
export interface ManagedAuditSummary {
    cluster: string;
    kind: "eks" | "gke" | "aks" | "openshift";
    /** What is switched on, in the platform's own words. */
    enabled: string[];
    /** Where the events are kept on the platform side, with retention. */
    cloudCopy: string;
    /** The path to Loki, or undefined when events do not reach it. */
    toLoki: string | undefined;
    /** Days the platform side keeps events (undefined: not set by this stack). */
    cloudRetentionDays: number | undefined;
    /** What the Audit Trail dashboard cannot show for this cluster. */
    gaps: string[];
}

/** The summary of an EKS cluster's audit logging (pure: for status outputs and the coverage report). */
export function eksSummary(c: EksCluster): ManagedAuditSummary {
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
