import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LogsConfig } from "../../config/logs";

/** Service of the central Alloy (the chart names it after the release). */
export const ALLOY_SERVICE = "alloy";

export interface ReceiverRoute {
    host: string;
    path: string;
    pathType: "Prefix" | "Exact";
    port: number;
}

/**
 * A TLS Ingress (cert-manager issuer from config) that routes public receiver paths to the central Alloy's
 * ports: the Firehose endpoints (one host per EKS cluster) and the OTLP endpoints (one path per OpenShift
 * cluster). Pure.
 */
export function receiverIngressArgs(
    ingressName: string,
    namespace: pulumi.Input<string>,
    logs: LogsConfig,
    routes: ReceiverRoute[],
): k8s.networking.v1.IngressArgs {
    const hosts = [...new Set(routes.map((r) => r.host))];
    return {
        metadata: { name: ingressName, namespace, annotations: { "cert-manager.io/cluster-issuer": logs.ingress?.clusterIssuer ?? "" } },
        spec: {
            ...(logs.ingress?.className ? { ingressClassName: logs.ingress.className } : {}),
            tls: [{ hosts, secretName: `${ingressName}-tls` }],
            rules: hosts.map((host) => ({
                host,
                http: {
                    paths: routes
                        .filter((r) => r.host === host)
                        .map((r) => ({
                            path: r.path,
                            pathType: r.pathType,
                            backend: { service: { name: ALLOY_SERVICE, port: { number: r.port } } },
                        })),
                },
            })),
        },
    };
}
