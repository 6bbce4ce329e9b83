import { AKS_CLUSTER_ID } from "../config/aks";

/** Resource group and cluster name from an AKS resource id (already validated against AKS_CLUSTER_ID). */
export function parseAksClusterId(id: string): { subscriptionId: string; resourceGroup: string; clusterName: string } {
    if (!AKS_CLUSTER_ID.test(id)) throw new Error(`not an AKS resource id: ${JSON.stringify(id)}`);
    const parts = id.split("/");
    // /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>
    return { subscriptionId: parts[2], resourceGroup: parts[4], clusterName: parts[8] };
}

/** Diagnostic setting name on the cluster (a resource has at most 5 settings). */
export const DIAGNOSTIC_SETTING_NAME = "akko-audit";
/** The hub Azure Monitor writes to; one namespace per cluster, so a fixed name is unique. */
export const EVENT_HUB_NAME = "kube-audit";
/** Alloy's consumer group (logs.receivers.eventHubs[].consumerGroup defaults to the same name). */
export const ALLOY_CONSUMER_GROUP = "akko-audit";
