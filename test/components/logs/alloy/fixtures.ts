import { validateStackConfig, StackConfig } from "../../../../components/config/stack";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";

/** A fleet of every kind with the logs block filled in, validated by the real config model. */
export function fleet(logs: Record<string, unknown> = {}, extraSecrets: string[] = [], projectDir?: string): StackConfig {
    const secrets = ["sshKey", "kc", "lokiPw", "fhKey", "gcpKey", "ehConn", ...extraSecrets];
    return validateStackConfig({
        stack: "test",
        values: {
            clusters: [
                { name: "edge-paris", kind: "k3s", sshPrivateKeySecret: "sshKey", servers: [{ host: "192.0.2.10", hostKey: HOST_KEY }] },
                {
                    name: "payments-eu",
                    kind: "eks",
                    clusterName: "payments",
                    region: "eu-west-3",
                    firehoseEndpointUrl: "https://firehose-payments.example.net/awsfirehose/api/v1/push",
                    firehoseAccessKeySecret: "fhKey",
                },
                { name: "analytics", kind: "gke", project: "akko-analytics-prod", location: "europe-west1", clusterName: "analytics-prod" },
                {
                    name: "hds-sante",
                    kind: "aks",
                    clusterResourceId:
                        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-hds",
                    workspaceResourceId:
                        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law-hds",
                },
                { name: "ocp-core", kind: "openshift", kubeconfigSecret: "kc" },
            ],
            logs: {
                kubeconfigSecret: "kc",
                gatewayPasswordSecret: "lokiPw",
                ingress: { className: "nginx", clusterIssuer: "letsencrypt", lokiHost: "loki.example.net" },
                receivers: {
                    gcpCredentialsSecret: "gcpKey",
                    eventHubs: {
                        "hds-sante": {
                            eventHubNamespace: "evhns-hds.servicebus.windows.net",
                            eventHub: "aks-audit",
                            connectionStringSecret: "ehConn",
                        },
                    },
                },
                ...logs,
            },
            ...Object.fromEntries(secrets.map((s) => [s, "[secret]"])),
        },
        secretKeys: new Set(secrets),
        ...(projectDir !== undefined ? { projectDir } : {}),
    });
}
