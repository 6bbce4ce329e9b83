import type { Platform } from "../platform";
import { ALLOY_CONSUMER_GROUP, EVENT_HUB_NAME } from "./ids";
import { renderAksArtifacts } from "./render";
import { aksSummary } from "./summary";

/** AKS: diagnostic settings to Log Analytics and an Event Hub the central Alloy reads. */
export const aksPlatform: Platform<"aks"> = {
    kind: "aks",
    summary: aksSummary,
    retention: () => [
        { hop: "cloud", text: "Log Analytics workspace: the workspace's retention (30 days unless changed); Event Hub: its message retention" },
    ],
    setting: (c) => `diagnostic categories ${c.categories.join(", ")}`,
    outcome: (c, req) => {
        if (!c.eventHubLocation) return { level: "None", why: "no eventHubLocation: events stay in Log Analytics and never reach Loki" };
        const note = "AKS's audit policy is managed by Microsoft and not published: at least Metadata, bodies not guaranteed";
        if ((c.categories as string[]).includes("kube-audit")) return { level: "Metadata", note };
        if (req.verb === "get" || req.verb === "list")
            return { level: "None", why: "kube-audit-admin drops get and list: choose category kube-audit" };
        return { level: "Metadata", note };
    },
    artifacts: (c) => renderAksArtifacts(c),
    logsRoute: (c, config) => {
        // A hub managed elsewhere (secret config) wins; else the hub this stack creates, wired in the same `up`.
        const hub = config.logs.receivers?.eventHubs?.[c.name];
        if (hub) {
            return {
                via: "event-hub",
                eventHub: hub.eventHub,
                consumerGroup: hub.consumerGroup ?? ALLOY_CONSUMER_GROUP,
                source: { from: "config", namespace: hub.eventHubNamespace, connectionStringSecret: hub.connectionStringSecret },
            };
        }
        if (!c.eventHubLocation)
            return { via: "none", reason: "no eventHubLocation (and no logs.receivers.eventHubs entry): the audit log stays in Log Analytics" };
        return { via: "event-hub", eventHub: EVENT_HUB_NAME, consumerGroup: ALLOY_CONSUMER_GROUP, source: { from: "component" } };
    },
};
