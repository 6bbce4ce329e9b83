import { AKS_CLUSTER_ID } from "../config/aks";

/** Resource group and cluster name from an AKS resource id (already validated against AKS_CLUSTER_ID). */
export function parseAksClusterId(id: string): { subscriptionId: string; resourceGroup: string; clusterName: string } {
    if (!AKS_CLUSTER_ID.test(id)) throw new Error(`not an AKS resource id: ${JSON.stringify(id)}`);
    const parts = id.split("/");
    // /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>
    return { subscriptionId: parts[2], resourceGroup: parts[4], clusterName: parts[8] };
}
