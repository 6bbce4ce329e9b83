import type { Platform } from "../platform";
import { eksLogGroupName } from "./names";
import { renderEksArtifacts } from "./render";
import { eksSummary } from "./summary";

/** EKS: control-plane log types into CloudWatch; audit events to Loki through Firehose when configured. */
export const eksPlatform: Platform<"eks"> = {
    kind: "eks",
    summary: eksSummary,
    retention: (c) => [{ hop: "cloud", days: c.retentionDays, text: `CloudWatch ${eksLogGroupName(c.clusterName)}: ${c.retentionDays} days` }],
    setting: (c) => `log types ${c.logTypes.join(", ")} (EKS's fixed policy)`,
    outcome: (c, req, policies) => {
        if (!c.firehoseEndpointUrl) return { level: "None", why: "no firehoseEndpointUrl: events stay in CloudWatch and never reach Loki" };
        const level = policies.managed.evaluate(req).level;
        return level === "None" ? { level, why: "EKS's fixed audit policy drops it" } : { level };
    },
    artifacts: (c) => renderEksArtifacts(c),
    logsRoute: (c) =>
        c.firehoseEndpointUrl && c.firehoseAccessKeySecret
            ? { via: "firehose", endpointUrl: c.firehoseEndpointUrl, accessKeySecret: c.firehoseAccessKeySecret }
            : { via: "none", reason: "no firehoseEndpointUrl: the audit log stays in CloudWatch" },
};
