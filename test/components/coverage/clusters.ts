import { StackConfig, validateStackConfig } from "../../../components/config";

/** Clusters of each kind, as a stack file writes them, for the coverage tests. */
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";
const SUB = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers";

export const K3S = { name: "edge", kind: "k3s", sshPrivateKeySecret: "key", servers: [{ host: "10.0.0.1", hostKey: HOST_KEY }] };
export const GKE = (dataAccessLogTypes: string[]) => ({
    name: "ana",
    kind: "gke",
    project: "akko-analytics",
    location: "europe-west1",
    clusterName: "ana",
    dataAccessLogTypes,
});
export const AKS = (categories: string[]) => ({
    name: "hds",
    kind: "aks",
    clusterResourceId: `${SUB}/Microsoft.ContainerService/managedClusters/aks1`,
    workspaceResourceId: `${SUB}/Microsoft.OperationalInsights/workspaces/law`,
    categories,
    eventHubLocation: "francecentral",
});
export const OCP = (profile: string, extra = {}) => ({ name: "ocp", kind: "openshift", kubeconfigSecret: "key", profile, ...extra });

/** A validated stack of these clusters; its logs block is retentionDays 30 and `logs`. */
export function fleet(clusters: Record<string, unknown>[], logs: Record<string, unknown> = {}): StackConfig {
    return validateStackConfig({
        stack: "t",
        values: { clusters, logs: { retentionDays: 30, ...logs }, key: "[secret]" },
        secretKeys: new Set(["key"]),
    });
}
