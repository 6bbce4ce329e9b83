import type { EksCluster } from "../config/eks";
import { AUDIT_FILTER_PATTERN, eksLogGroupName } from "./names";
import { eksSummary } from "./summary";

/** `render`'s review file for an EKS cluster: the summary and the exact settings the stack applies. */
export function renderEksArtifacts(c: EksCluster): { path: string; content: string; description: string }[] {
    const doc = {
        summary: eksSummary(c),
        eks: { cluster: c.clusterName, region: c.region, logTypes: c.logTypes },
        logGroup: {
            name: eksLogGroupName(c.clusterName),
            retentionInDays: c.retentionDays,
            kmsKeyArn: c.kmsKeyArn ?? null,
            adopt: c.adoptExistingLogGroup,
        },
        forwarding: c.firehoseEndpointUrl
            ? {
                  subscriptionFilter: AUDIT_FILTER_PATTERN,
                  firehoseEndpointUrl: c.firehoseEndpointUrl,
                  accessKey: `[secret: akko-audit:${c.firehoseAccessKeySecret}]`,
                  failedBatchRetentionDays: c.failedBatchRetentionDays,
              }
            : null,
    };
    return [
        {
            path: `managed/${c.name}.json`,
            content: JSON.stringify(doc, null, 2) + "\n",
            description: `EKS ${c.clusterName}: log types, log group, forwarding`,
        },
    ];
}
