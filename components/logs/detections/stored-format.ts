import type { LogsRoute } from "../../platform";
import type { SourceFormat } from "../normalize/table";

/**
 * The format a cluster's events are stored in, from its logs route (the way they reach Loki), as the central
 * Alloy's sources deliver them (alloy/config.ts sourceFormat): a node agent reads the apiserver's file and
 * Firehose carries CloudWatch's copy of the Event (native); Pub/Sub carries GKE LogEntries, Event Hubs AKS
 * diagnostic records, a ClusterLogForwarder OTLP records. undefined: nothing reaches Loki.
 */
export function routeFormat(route: LogsRoute): SourceFormat | undefined {
    switch (route.via) {
        case "node-agent":
        case "firehose":
            return "native";
        case "pubsub":
            return "gke";
        case "event-hub":
            return "aks";
        case "otlp":
            return "otlp";
        case "none":
            return undefined;
    }
}
