import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ClusterConfig, StackConfig } from "../../config/stack";
import { platformOf } from "../../platforms";
import { AuditSource, LokiTarget } from "./config";
import { envName } from "./syntax";
import { CENTRAL_PUSH_USER, pushUser } from "../loki/access";

export { OPENSHIFT_AUDIT_LOG_PATH } from "../../openshift/describe";
export { usesClusterLogForwarder } from "../../config/logs";
/** First port of the per-EKS-cluster Firehose receivers (one port, one access key, one ingress host each). */
export const FIREHOSE_BASE_PORT = 9000;
/** First port of the per-OpenShift-cluster OTLP receivers (ClusterLogForwarder mode). */
export const OTLP_BASE_PORT = 9100;

/** The OTLP path a ClusterLogForwarder posts to (one per cluster, so the ingress routes by path). */
export function otlpPath(cluster: string): string {
    return `/otlp/${cluster}/v1/logs`;
}

/** Environment variable with the Alloy's own push password (its gateway user's), in every Alloy. */
export const LOKI_PASSWORD_ENV = "LOKI_PASSWORD";
/** Where the GCP service-account key is mounted in the central Alloy (GOOGLE_APPLICATION_CREDENTIALS). */
export const GCP_KEY_PATH = "/etc/alloy/gcp/key.json";
/** Release name of Loki: its gateway Service is `<release>-gateway`. */
export const LOKI_RELEASE = "loki";

/**
 * An environment variable of an Alloy and the secret config key its value comes from; with htpasswdUser,
 * the value is the htpasswd line of that user and the secret (for an OTLP receiver's basic auth).
 */
export type SecretEnv =
    | {
          env: string;
          secretKey: string;
          htpasswdUser?: string;
          /** The config field that names the key, for the error when its value is empty: "cluster payments-eu: field firehoseAccessKeySecret". */
          field: string;
          /** What an empty value would do, said in that error. */
          ifEmpty: string;
      }
    /** The generated password of a gateway push user (LogsLayer makes one per push user); with htpasswdUser, its htpasswd line. */
    | { env: string; pushPassword: string; htpasswdUser?: string }
    /** From a cluster component's output in the same deployment (WiredOutputs). */
    | { env: string; wired: { cluster: string; output: keyof WiredEventHub } };

/**
 * A receiver credential read from secret config, refused when empty. Secret values are only decrypted during
 * `pulumi preview`/`up` (validation sees the key's name, and refuses it in plain text), so the check runs
 * there, before any resource takes the value; the error names the key and the field, never the value.
 */
export function nonEmptySecret(value: pulumi.Output<string>, e: { secretKey: string; field: string; ifEmpty: string }): pulumi.Output<string> {
    return value.apply((v) => {
        if (v.trim() === "")
            throw new Error(
                `${e.field}: secret ${CONFIG_NAMESPACE}:${e.secretKey} is empty; allowed: a non-empty value (empty, ${e.ifEmpty}); set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${e.secretKey}\``,
            );
        return v;
    });
}

/** What an AKS cluster's component gives the central Alloy (its outputs): the Kafka endpoint and the listen key. */
export interface WiredEventHub {
    /** <namespace>.servicebus.windows.net:9093 */
    kafkaEndpoint: string;
    /** Listen-only connection string (secret). */
    listenConnectionString: string;
}

/** Outputs of the cluster components the central Alloy reads, by cluster name (resolved during `up`). */
export interface WiredOutputs {
    eventHubs: Record<string, WiredEventHub>;
    /** The GCP key JSON of the fleet's reader account (secret), when no gcpCredentialsSecret is set. */
    gcpKey?: string;
}

export function logsNamespace(config: StackConfig): string {
    return config.logs.namespace;
}

/** Loki's push URL inside the logs cluster (the gateway Service, port 80). */
export function internalPushUrl(namespace: string): string {
    return `http://${LOKI_RELEASE}-gateway.${namespace}.svc.cluster.local/loki/api/v1/push`;
}

/** Loki's push URL for agents outside the logs cluster (the gateway ingress, TLS). */
export function publicPushUrl(host: string): string {
    return `https://${host}/loki/api/v1/push`;
}

/** The gateway's read user (Grafana, people). */
export function gatewayUser(config: StackConfig): string {
    return config.logs.gatewayUser;
}

/** The Loki target of the Alloy on a cluster outside the logs cluster (k3s, OpenShift): that cluster's push user. */
export function externalLokiTarget(config: StackConfig, cluster: string): LokiTarget {
    const host = config.logs.ingress?.lokiHost;
    // Validated beforehand (logsProblems): a node agent needs the public host.
    return { url: publicPushUrl(host ?? "loki.invalid"), username: pushUser(cluster), passwordEnv: LOKI_PASSWORD_ENV };
}

/** The Loki target of the central Alloy: its own push user (the tenants of the clusters it receives). */
export function internalLokiTarget(config: StackConfig): LokiTarget {
    return { url: internalPushUrl(logsNamespace(config)), username: CENTRAL_PUSH_USER, passwordEnv: LOKI_PASSWORD_ENV };
}

/** The file an Alloy on the cluster's control-plane nodes reads (its platform's route), or undefined. */
export function nodeAgentSource(c: ClusterConfig, config: StackConfig): AuditSource | undefined {
    const route = platformOf(c).logsRoute(c, config);
    return route.via === "node-agent" ? { type: "file", cluster: c, path: route.path } : undefined;
}

export interface CentralPlan {
    sources: AuditSource[];
    /** Environment variables of the central Alloy, each from a secret config key. */
    env: SecretEnv[];
    /**
     * Where the GCP service-account key comes from, when a GKE cluster is shipped: a secret config key, or the
     * first GKE cluster's component (`wired`: it creates the fleet's reader account's key in the same `up`).
     */
    gcpCredentials?: { secretKey: string } | { wired: true };
    /** Firehose receivers to expose: ingress host (from the EKS cluster's endpoint URL) and port. */
    firehose: { cluster: string; host: string; port: number }[];
    /** OTLP receivers to expose on logs.ingress.receiversHost: path and port per OpenShift cluster. */
    otlp: { cluster: string; path: string; port: number }[];
    /** Managed clusters that do not reach Loki, and why (for render and the README). */
    notShipped: { cluster: string; reason: string }[];
}

/** What the central Alloy in the logs cluster receives: EKS (Firehose), GKE (Pub/Sub) and AKS (Event Hubs). */
export function centralPlan(config: StackConfig): CentralPlan {
    const plan: CentralPlan = {
        sources: [],
        env: [{ env: LOKI_PASSWORD_ENV, pushPassword: CENTRAL_PUSH_USER }],
        firehose: [],
        otlp: [],
        notShipped: [],
    };
    let port = FIREHOSE_BASE_PORT;
    let otlpPort = OTLP_BASE_PORT;
    // By route, not by kind: a new kind that ships one of these ways needs nothing here.
    for (const c of config.clusters) {
        const route = platformOf(c).logsRoute(c, config);
        switch (route.via) {
            case "none":
                plan.notShipped.push({ cluster: c.name, reason: route.reason });
                break;
            case "firehose": {
                const accessKeyEnv = envName("FIREHOSE_ACCESS_KEY", c.name);
                plan.sources.push({ type: "awsfirehose", cluster: c, port, accessKeyEnv });
                plan.env.push({
                    env: accessKeyEnv,
                    secretKey: route.accessKeySecret,
                    field: `cluster ${c.name}: field firehoseAccessKeySecret`,
                    ifEmpty: "loki.source.awsfirehose would accept a push from anyone",
                });
                plan.firehose.push({ cluster: c.name, host: new URL(route.endpointUrl).hostname, port });
                port++;
                break;
            }
            case "pubsub":
                plan.sources.push({ type: "gcplog", cluster: c, projectId: route.projectId, subscription: route.subscription });
                plan.gcpCredentials = config.logs.receivers?.gcpCredentialsSecret
                    ? { secretKey: config.logs.receivers.gcpCredentialsSecret }
                    : { wired: true };
                break;
            case "event-hub": {
                const connectionStringEnv = envName("EVENTHUB_CONNECTION_STRING", c.name);
                const source = route.source;
                // A hub this stack creates has a generated name: its endpoint reaches Alloy as an environment
                // variable from the component's output, so the config text stays the same before and after `up`.
                const namespaceEnv = source.from === "component" ? envName("EVENTHUB_ENDPOINT", c.name) : undefined;
                plan.sources.push({
                    type: "azure_event_hubs",
                    cluster: c,
                    endpoint: source.from === "config" ? { host: source.namespace } : { env: namespaceEnv! },
                    eventHub: route.eventHub,
                    consumerGroup: route.consumerGroup,
                    connectionStringEnv,
                });
                if (source.from === "config") {
                    plan.env.push({
                        env: connectionStringEnv,
                        secretKey: source.connectionStringSecret,
                        field: `${CONFIG_NAMESPACE}:logs: field receivers.eventHubs.${c.name}.connectionStringSecret`,
                        ifEmpty: "loki.source.azure_event_hubs would read nothing, silently",
                    });
                } else {
                    plan.env.push({ env: namespaceEnv!, wired: { cluster: c.name, output: "kafkaEndpoint" } });
                    plan.env.push({ env: connectionStringEnv, wired: { cluster: c.name, output: "listenConnectionString" } });
                }
                break;
            }
            case "otlp": {
                const htpasswdEnv = envName("OTLP_HTPASSWD", c.name);
                plan.sources.push({ type: "otlp", cluster: c, port: otlpPort, path: otlpPath(c.name), htpasswdEnv });
                // The forwarder's own push user: its password opens this cluster's receiver only.
                plan.env.push({ env: htpasswdEnv, pushPassword: pushUser(c.name), htpasswdUser: pushUser(c.name) });
                plan.otlp.push({ cluster: c.name, path: otlpPath(c.name), port: otlpPort });
                otlpPort++;
                break;
            }
            case "node-agent":
                break;
        }
    }
    return plan;
}
