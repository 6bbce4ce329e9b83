import * as pulumi from "@pulumi/pulumi";
import { AksAuditLogging } from "../aks/audit-logging";
import { aksArgsFromConfig } from "../aks/from-config";
import { parseAksClusterId } from "../aks/ids";
import { secretConfigOnce } from "../config/pulumi";
import { StackConfig } from "../config/stack";
import { EksAuditLogging } from "../eks/audit-logging";
import { eksArgsFromConfig } from "../eks/from-config";
import { type AwsIdentity, hasAwsIdentity } from "../eks/identity";
import { GkeAuditLogging } from "../gke/audit-logging";
import { gkeArgsFromConfig } from "../gke/from-config";
import { K3sAuditLogging } from "../k3s/cluster";
import { LogsLayer } from "../logs/logs-layer";
import type { WiredEventHub, WiredOutputs } from "../logs/alloy/plan";
import { OpenShiftAuditProfile } from "../openshift/audit-profile";
import { openShiftArgsFromConfig } from "../openshift/from-config";
import { ROLLOUT_TYPE, type ClusterKind, type ClusterOf } from "../platform";
import { platformOf } from "../platforms";
import { ProviderPool, stackCloudIdentities } from "./providers";
import { clusterStatus, ClusterStatus } from "./status";

/** Name of the logs layer under the rollout (also its group in the plan). */
export const LOGS_LAYER_NAME = "logs";

export interface AuditRolloutArgs {
    /** The validated stack config (loadStackConfig() in a program, validateStackConfig() elsewhere). Required. */
    config: StackConfig;
    /** Reads a secret config key as a secret Output. Default: secretConfig (the stack's secret config), each key read once per rollout. */
    secret?: (key: string) => pulumi.Output<string>;
}

type ClusterComponent = K3sAuditLogging | EksAuditLogging | GkeAuditLogging | AksAuditLogging | OpenShiftAuditProfile;

interface BuildContext {
    config: StackConfig;
    secret: (key: string) => pulumi.Output<string>;
    logs: LogsLayer;
    /** Explicit providers, one per cloud identity, shared by the clusters that name the same one. */
    providers: ProviderPool;
    /** The stack's own identities (aws:profile, aws:assumeRoles, gcp:impersonateServiceAccount). */
    stackIdentity: ReturnType<typeof stackCloudIdentities>;
    /** The fleet's GKE reader account and its key, once the first GKE cluster made them (no gcpCredentialsSecret). */
    gkeReader?: { email: pulumi.Output<string>; key: pulumi.Output<string | undefined> };
}

/** A cluster's own AWS identity, if it names one (roleArn, externalId, profile). */
function eksIdentity(c: ClusterOf<"eks">): AwsIdentity | undefined {
    const identity: AwsIdentity = {
        ...(c.profile !== undefined ? { profile: c.profile } : {}),
        ...(c.roleArn !== undefined
            ? { assumeRoles: [{ roleArn: c.roleArn, ...(c.externalId !== undefined ? { externalId: c.externalId } : {}) }] }
            : {}),
    };
    return hasAwsIdentity(identity) ? identity : undefined;
}

/** Adds a provider to a cluster's component options (children inherit it by package). */
function withProvider(opts: pulumi.ComponentResourceOptions, provider: pulumi.ProviderResource | undefined): pulumi.ComponentResourceOptions {
    return provider ? { ...opts, providers: [provider] } : opts;
}
/**
 * What a cluster's component reports once deployed (its outputs), for the stack output `clusters`; secret
 * outputs go to `secrets` (a secret inside `clusters` would make the whole output secret).
 */
export interface Deployed {
    component: ClusterComponent;
    outputs: Record<string, pulumi.Input<unknown>>;
    secrets?: Record<string, pulumi.Output<string | undefined>>;
    /** What the central Alloy reads from this cluster's component (WiredOutputs). */
    wired?: { eventHub?: pulumi.Output<WiredEventHub> };
}
type Builder<K extends ClusterKind> = (c: ClusterOf<K>, ctx: BuildContext, opts: pulumi.ComponentResourceOptions) => Deployed;

function deployed<T extends ClusterComponent>(
    component: T,
    outputs: (c: T) => Deployed["outputs"],
    secrets?: (c: T) => Deployed["secrets"],
): Deployed {
    return { component, outputs: outputs(component), ...(secrets ? { secrets: secrets(component) } : {}) };
}

/**
 * The one table kind -> component (exhaustive: a new kind without an entry does not compile). The only
 * place that imports the components, so everything else stays free of the provider SDKs.
 */
const COMPONENTS: { [K in ClusterKind]: Builder<K> } = {
    k3s: (c, ctx, opts) =>
        deployed(
            new K3sAuditLogging(
                c.name,
                {
                    cluster: c,
                    privateKey: c.sshPrivateKeySecret ? ctx.secret(c.sshPrivateKeySecret) : undefined,
                    bastionPrivateKey: c.bastionSshPrivateKeySecret ? ctx.secret(c.bastionSshPrivateKeySecret) : undefined,
                    extraManifests: ctx.logs.k3sManifests[c.name] ?? [],
                },
                opts,
            ),
            (k) => ({ nodes: k.nodes }),
        ),
    eks: (c, ctx, opts) => {
        // Its own identity: an explicit provider (shared) and the same identity for the dynamic resources.
        // Else the stack's default provider, and the dynamic resources act as the stack's identity.
        const own = eksIdentity(c);
        const provider = own ? ctx.providers.aws(own, c.region) : undefined;
        const args = { ...eksArgsFromConfig(c, ctx.secret), identity: own ?? ctx.stackIdentity.aws };
        return deployed(new EksAuditLogging(c.name, args, withProvider(opts, provider)), (e) => ({
            logGroupName: e.logGroupName,
            enabledLogTypes: e.enabledLogTypes,
            previousLogTypes: e.previousLogTypes,
            deliveryStreamArn: e.deliveryStreamArn,
            failedBatchBucket: e.failedBatchBucket,
        }));
    },
    gke: (c, ctx, opts) => {
        const own = c.impersonateServiceAccount;
        const provider = own !== undefined ? ctx.providers.gcp({ impersonateServiceAccount: own }) : undefined;
        // Without logs.receivers.gcpCredentialsSecret, the first GKE cluster's account is the fleet's reader:
        // its component makes the key the central Alloy pulls with (one key file per Alloy), and the other GKE
        // clusters grant that account on their subscriptions. All in the same `up`.
        const wireKey = !ctx.config.logs.receivers?.gcpCredentialsSecret;
        const keyOwner = wireKey && ctx.gkeReader === undefined;
        const args = {
            ...gkeArgsFromConfig(c, ctx.config.clusters),
            identity: own !== undefined ? { impersonateServiceAccount: own } : ctx.stackIdentity.gcp,
            ...(keyOwner ? { createAlloyKey: true } : {}),
            ...(wireKey && !keyOwner && c.alloyServiceAccountEmail === undefined ? { alloyServiceAccountEmail: ctx.gkeReader!.email } : {}),
        };
        const gke = new GkeAuditLogging(c.name, args, withProvider(opts, provider));
        if (keyOwner) ctx.gkeReader = { email: gke.serviceAccountEmail, key: gke.alloyKey };
        return deployed(gke, (g) => ({
            subscriptionPath: g.subscriptionPath,
            serviceAccountEmail: g.serviceAccountEmail,
            sinkWriterIdentity: g.sinkWriterIdentity,
        }));
    },
    aks: (c, ctx, opts) => {
        // Always the cluster's subscription (from its resource id), never whatever ARM_SUBSCRIPTION_ID says.
        const clusterSubscription = parseAksClusterId(c.clusterResourceId).subscriptionId;
        const provider = ctx.providers.azure(clusterSubscription);
        const hubSubscription = c.eventHubSubscriptionId ?? clusterSubscription;
        const eventHubProvider =
            hubSubscription.toLowerCase() !== clusterSubscription.toLowerCase() ? ctx.providers.azure(hubSubscription) : undefined;
        const aks = new AksAuditLogging(
            c.name,
            { ...aksArgsFromConfig(c), ...(eventHubProvider ? { eventHubProvider } : {}) },
            withProvider(opts, provider),
        );
        const result = deployed(
            aks,
            (a) => ({
                diagnosticSettingName: a.diagnosticSettingName,
                categories: a.categories,
                eventHubNamespaceFqdn: a.eventHubNamespaceFqdn,
                eventHubName: a.eventHubName,
                consumerGroup: a.consumerGroup,
            }),
            (a) => ({ listenConnectionString: a.listenConnectionString }),
        );
        // The hub this stack creates feeds the central Alloy (unless secret config names a hub managed elsewhere).
        const route = platformOf(c).logsRoute(c, ctx.config);
        if (route.via === "event-hub" && route.source.from === "component") {
            const eventHub = pulumi.all([aks.kafkaEndpoint, aks.listenConnectionString]).apply(([kafkaEndpoint, listenConnectionString]) => ({
                kafkaEndpoint: kafkaEndpoint ?? "",
                listenConnectionString: listenConnectionString ?? "",
            }));
            return { ...result, wired: { eventHub } };
        }
        return result;
    },
    openshift: (c, ctx, opts) =>
        deployed(new OpenShiftAuditProfile(c.name, openShiftArgsFromConfig(c, ctx.secret), opts), (o) => ({
            profile: o.profile,
            customRules: o.customRules,
        })),
};

function buildCluster<K extends ClusterKind>(c: ClusterOf<K>, ctx: BuildContext, opts: pulumi.ComponentResourceOptions): Deployed {
    // The mapped type ties each entry to its kind; TypeScript cannot correlate the lookup by itself.
    return (COMPONENTS[c.kind as K] as Builder<K>)(c, ctx, opts);
}

/**
 * The whole fleet: one component per cluster (named after the cluster) and the logs layer. Clusters never
 * depend on each other, so they roll out in parallel; within an HA k3s cluster, servers go one at a time.
 */
export class AuditRollout extends pulumi.ComponentResource {
    /** One component per cluster, by cluster name. */
    readonly clusters: Record<string, ClusterComponent>;
    readonly logs: LogsLayer;
    /** Per-cluster status: kind, what was enabled, where its logs go, retention on each hop. */
    readonly status: Record<string, ClusterStatus>;
    /** Per cluster, what its component reports once deployed (its outputs; none of them secret). */
    readonly deployed: pulumi.Output<Record<string, Record<string, unknown>>>;
    /** Per cluster, its secret outputs (the AKS listen connection string), kept apart so `deployed` stays readable. */
    readonly secretOutputs: pulumi.Output<Record<string, Record<string, string | undefined>>>;
    /** The Loki namespace in the logs cluster. */
    readonly lokiNamespace: pulumi.Output<string>;

    constructor(name: string, args: AuditRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ROLLOUT_TYPE, name, {}, opts);
        const { config } = args;
        // One read per key for this run (a fleet names the same keys once per cluster); a new run reads afresh.
        const secret = args.secret ?? secretConfigOnce();
        const child = { parent: this };

        // The logs layer first: it renders the Alloy manifests each k3s cluster installs. No resource of a
        // cluster depends on it, so nothing waits.
        // The central Alloy reads outputs of cluster components built after it (the AKS Event Hubs): a deferred
        // Output, resolved below once they exist, so one `up` wires them.
        const [wired, resolveWired] = pulumi.deferredOutput<WiredOutputs>();
        this.logs = new LogsLayer(LOGS_LAYER_NAME, { config, secret, wired }, child);
        this.clusters = {};
        const ctx: BuildContext = { config, secret, logs: this.logs, providers: new ProviderPool(this), stackIdentity: stackCloudIdentities() };
        const built: Record<string, Deployed> = {};
        for (const c of config.clusters) {
            // A renamed cluster keeps its resources: the engine finds them under the earlier name (its
            // children follow, their names start with the cluster's), so nothing is deleted and recreated.
            const clusterOpts = { parent: this, aliases: c.previousNames.map((n) => ({ name: n })) };
            built[c.name] = buildCluster(c, ctx, clusterOpts);
            this.clusters[c.name] = built[c.name].component;
        }
        resolveWired(
            pulumi.output({
                eventHubs: Object.fromEntries(
                    Object.entries(built).flatMap(([n, b]) => (b.wired?.eventHub ? [[n, b.wired.eventHub]] : [])),
                ) as Record<string, pulumi.Output<WiredEventHub>>,
                gcpKey: ctx.gkeReader?.key,
            }) as pulumi.Output<WiredOutputs>,
        );
        this.status = Object.fromEntries(config.clusters.map((c) => [c.name, clusterStatus(c, config)]));
        this.deployed = pulumi.output(Object.fromEntries(Object.entries(built).map(([n, b]) => [n, b.outputs]))) as pulumi.Output<
            Record<string, Record<string, unknown>>
        >;
        this.secretOutputs = pulumi.output(
            Object.fromEntries(Object.entries(built).flatMap(([n, b]) => (b.secrets ? [[n, b.secrets]] : []))),
        ) as pulumi.Output<Record<string, Record<string, string | undefined>>>;
        this.lokiNamespace = this.logs.namespace;
        this.registerOutputs({ status: this.status, deployed: this.deployed, secretOutputs: this.secretOutputs, lokiNamespace: this.lokiNamespace });
    }
}
