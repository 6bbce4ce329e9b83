import { READ_VERBS, type Platform } from "../platform";
import { gkeSubscriptionPath } from "./filter";
import { renderGkeArtifacts } from "./render";
import { gkeSummary } from "./summary";

/** GKE: Cloud Audit Logs (Data Access for reads), a Log Router sink to Pub/Sub, pulled by the central Alloy. */
export const gkePlatform: Platform<"gke"> = {
    kind: "gke",
    summary: gkeSummary,
    retention: () => [
        {
            hop: "cloud",
            text: "Cloud Logging: Admin Activity in the _Required bucket (400 days, fixed by Google); Data Access in _Default (30 days unless changed)",
        },
    ],
    setting: (c) => `Data Access log types: ${c.dataAccessLogTypes.length > 0 ? c.dataAccessLogTypes.join(", ") : "none"}`,
    outcome: (c, req, policies) => {
        const level = policies.managed.evaluate(req).level;
        if (level === "None") return { level, why: "GKE's audit policy drops it" };
        // Admin Activity (writes) is always on; reads are Data Access logs, off unless enabled.
        if (READ_VERBS.has(req.verb) && !c.dataAccessLogTypes.includes("DATA_READ")) {
            return { level: "None", why: "reads are Cloud Audit Data Access logs: add DATA_READ to dataAccessLogTypes" };
        }
        return { level };
    },
    artifacts: (c) => renderGkeArtifacts(c),
    logsRoute: (c, config) => {
        // logs.receivers.gcpSubscriptions overrides the subscription this stack creates.
        const path = config.logs.receivers?.gcpSubscriptions?.[c.name] ?? gkeSubscriptionPath(c);
        const [, projectId, , subscription] = path.split("/");
        return { via: "pubsub", projectId, subscription };
    },
};
