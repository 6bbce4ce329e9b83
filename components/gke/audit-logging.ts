import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { GkeClusterSchema } from "../config/gke";
import { checkArgs } from "../config/stack";
import { GkeClusterLogging } from "./cluster-logging";
import { GkeDataAccessBaseline } from "./data-access-baseline";
import type { GcpIdentity } from "./identity";
import { alloyServiceAccountId, gkeAuditSinkFilter, gkePubsubName, pubsubServiceAgent } from "./filter";

/** The args' settings, checked with the config's own field schemas (defaults applied there). */
const SETTINGS = z.object({
    project: GkeClusterSchema.shape.project,
    location: GkeClusterSchema.shape.location,
    clusterName: GkeClusterSchema.shape.clusterName,
    dataAccessLogTypes: GkeClusterSchema.shape.dataAccessLogTypes,
    apiServerComponentLogs: GkeClusterSchema.shape.apiServerComponentLogs,
    subscriptionRetentionDays: GkeClusterSchema.shape.subscriptionRetentionDays,
    maxDeliveryAttempts: GkeClusterSchema.shape.maxDeliveryAttempts,
    alloyServiceAccountEmail: GkeClusterSchema.shape.alloyServiceAccountEmail,
    allowAuditOff: GkeClusterSchema.shape.allowAuditOff,
});

/** The Kubernetes Engine API, whose Data Access logs carry the k8s.io read events (e.g. Secret gets). */
export const CONTAINER_SERVICE = "container.googleapis.com";
/** Alloy acknowledges within seconds; a minute leaves room for a slow Loki push. */
export const ACK_DEADLINE_SECONDS = 60;

export interface GkeAuditLoggingArgs {
    /** GCP project of the cluster (the sink, topic and subscription live there too). Required. */
    project: string;
    /** Region or zone of the cluster. Required. */
    location: string;
    /** Name of the existing GKE cluster. Required. */
    clusterName: string;
    /** Data Access log types for container.googleapis.com. Default ADMIN_READ, DATA_READ, DATA_WRITE; [] = Admin Activity only. */
    dataAccessLogTypes?: string[];
    /**
     * Own the project's Data Access audit config for container.googleapis.com. Only one component per project
     * may (the setting is per project and authoritative); false for the other clusters of that project. Default true.
     */
    manageDataAccessLogs?: boolean;
    /** Turn on the API_SERVER logging component. Default true. */
    apiServerComponentLogs?: boolean;
    /** Days the subscription keeps unacknowledged events (1-31). Default 7. */
    subscriptionRetentionDays?: number;
    /** Deliveries before an event goes to the dead-letter topic (5-100). Default 10. */
    maxDeliveryAttempts?: number;
    /** Account id of the dedicated service account created for Alloy. Default alloy-<name> (cut to 30 characters). */
    serviceAccountId?: pulumi.Input<string>;
    /**
     * Use this existing service account (email) for Alloy instead of creating one: a plain email, or another
     * cluster's `serviceAccountEmail` output (one reader for the fleet). Default: create one.
     */
    alloyServiceAccountEmail?: pulumi.Input<string>;
    /**
     * Create a key for Alloy's account and output it (`alloyKey`, secret), so the central Alloy pulls with it
     * in the same deployment. Default false (the key comes from logs.receivers.gcpCredentialsSecret).
     */
    createAlloyKey?: boolean;
    /** Name of the topic and the subscription (logs.receivers.gcpSubscriptions' default). Default akko-audit-<name>. */
    pubsubName?: string;
    /**
     * Let this stack turn the cluster's audit logging off. Default false: the Data Access config (and its
     * baseline) and the API_SERVER logging setting are protected, so deleting this component (cluster removed
     * from config, `pulumi destroy`) stops with Pulumi's protect error.
     */
    allowAuditOff?: boolean;
    /**
     * Who the GKE API calls (a dynamic resource) act as: give the same identity as the `gcp.Provider` passed in
     * `opts.providers`, so every call of this cluster acts as one identity. Default: Application Default Credentials.
     */
    identity?: GcpIdentity;
}

/** Only a set identity is an input: a cluster without one keeps the inputs (and state) it had. */
function identityInput(identity: GcpIdentity | undefined): { identity?: GcpIdentity } {
    return identity?.impersonateServiceAccount !== undefined ? { identity } : {};
}

export { gkePubsubName } from "./filter";

/**
 * GKE audit logging: Data Access audit logs for the Kubernetes Engine API (so reads are recorded), the
 * API_SERVER logging component on the existing cluster (through the GKE API), and a Log Router sink ->
 * Pub/Sub topic -> pull subscription (with dead-lettering) for Alloy's loki.source.gcplog, read by a
 * dedicated service account that may do nothing else.
 */
export class GkeAuditLogging extends pulumi.ComponentResource {
    /** projects/<p>/subscriptions/<s>: Alloy's loki.source.gcplog pull subscription. */
    public readonly subscriptionPath: pulumi.Output<string>;
    /** With createAlloyKey: the key JSON of Alloy's account (secret), for the central Alloy. */
    public readonly alloyKey: pulumi.Output<string | undefined>;
    /** Alloy's service account (subscriber on the subscription only). */
    public readonly serviceAccountEmail: pulumi.Output<string>;
    /** The sink's writer identity (publisher on the topic only). */
    public readonly sinkWriterIdentity: pulumi.Output<string>;
    public readonly sinkFilter: pulumi.Output<string>;

    constructor(name: string, args: GkeAuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before anything is registered: the config's rules, the config's messages.
        const settings = checkArgs(`GkeAuditLogging ${JSON.stringify(name)}`, SETTINGS, {
            project: args.project,
            location: args.location,
            clusterName: args.clusterName,
            dataAccessLogTypes: args.dataAccessLogTypes,
            apiServerComponentLogs: args.apiServerComponentLogs,
            subscriptionRetentionDays: args.subscriptionRetentionDays,
            maxDeliveryAttempts: args.maxDeliveryAttempts,
            // An Output (the fleet's reader account, made by another cluster's component) is known later.
            alloyServiceAccountEmail: pulumi.Output.isInstance(args.alloyServiceAccountEmail) ? undefined : args.alloyServiceAccountEmail,
            allowAuditOff: args.allowAuditOff,
        });
        super("akko:audit:GkeAuditLogging", name, {}, opts);
        const project = args.project;
        const types = [...new Set(settings.dataAccessLogTypes)];
        const retentionSeconds = settings.subscriptionRetentionDays * 86_400;
        // The deletes that turn audit logging off run only with the cluster's explicit opt-in.
        const protect = !settings.allowAuditOff;

        // Admin Activity logs are always on; Data Access adds reads (Secret gets) and is billed per GiB.
        if (types.length > 0 && (args.manageDataAccessLogs ?? true)) {
            // Recorded before ours is applied, put back after ours is removed (delete runs dependents first).
            const baseline = new GkeDataAccessBaseline(
                `${name}-data-access-baseline`,
                { project, service: CONTAINER_SERVICE, ...identityInput(args.identity) },
                { parent: this, protect },
            );
            new gcp.projects.IAMAuditConfig(
                `${name}-data-access`,
                { project, service: CONTAINER_SERVICE, auditLogConfigs: types.map((logType) => ({ logType })) },
                { parent: this, dependsOn: [baseline], protect },
            );
        }

        const pubsubName = args.pubsubName ?? gkePubsubName(name);
        const topic = new gcp.pubsub.Topic(`${name}-audit`, { project, name: pubsubName, labels: { "managed-by": "akko-audit" } }, { parent: this });
        const deadLetter = new gcp.pubsub.Topic(
            `${name}-audit-dead-letter`,
            { project, name: `${pubsubName}-dead-letter`, labels: { "managed-by": "akko-audit" } },
            { parent: this },
        );
        const subscription = new gcp.pubsub.Subscription(
            `${name}-audit`,
            {
                project,
                name: pubsubName,
                topic: topic.id,
                ackDeadlineSeconds: ACK_DEADLINE_SECONDS,
                messageRetentionDuration: `${retentionSeconds}s`,
                expirationPolicy: { ttl: "" }, // never expire while Alloy is away
                retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
                deadLetterPolicy: { deadLetterTopic: deadLetter.id, maxDeliveryAttempts: settings.maxDeliveryAttempts },
                labels: { "managed-by": "akko-audit" },
            },
            { parent: this },
        );
        // A topic without a subscription drops messages: keep dead letters for inspection and replay.
        new gcp.pubsub.Subscription(
            `${name}-audit-dead-letter`,
            {
                project,
                name: `${pubsubName}-dead-letter`,
                topic: deadLetter.id,
                messageRetentionDuration: `${retentionSeconds}s`,
                expirationPolicy: { ttl: "" },
                labels: { "managed-by": "akko-audit" },
            },
            { parent: this },
        );

        const filter = gkeAuditSinkFilter(project, args.location, args.clusterName);
        const sink = new gcp.logging.ProjectSink(
            `${name}-audit`,
            {
                project,
                destination: pulumi.interpolate`pubsub.googleapis.com/projects/${project}/topics/${topic.name}`,
                filter,
                uniqueWriterIdentity: true,
                description: `Kubernetes audit events of GKE cluster ${args.clusterName} for Loki (akko-audit)`,
            },
            { parent: this },
        );
        new gcp.pubsub.TopicIAMMember(
            `${name}-sink-publisher`,
            { project, topic: topic.name, role: "roles/pubsub.publisher", member: sink.writerIdentity },
            { parent: this },
        );

        const account =
            args.alloyServiceAccountEmail === undefined
                ? new gcp.serviceaccount.Account(
                      `${name}-alloy`,
                      {
                          project,
                          accountId: args.serviceAccountId ?? alloyServiceAccountId(name),
                          displayName: `Alloy: audit events of ${args.clusterName}`,
                          description: "Pulls one Pub/Sub subscription (akko-audit); nothing else",
                      },
                      { parent: this },
                  )
                : undefined;
        const email = account ? account.email : pulumi.output(args.alloyServiceAccountEmail!);
        // The key the central Alloy pulls with (GOOGLE_APPLICATION_CREDENTIALS is one file per Alloy, so one
        // account reads every GKE subscription of the fleet). The private key is a secret output.
        let alloyKey: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (args.createAlloyKey) {
            const key = new gcp.serviceaccount.Key(
                `${name}-alloy-key`,
                { serviceAccountId: account ? account.name : pulumi.interpolate`projects/-/serviceAccounts/${email}` },
                { parent: this, additionalSecretOutputs: ["privateKey"] },
            );
            alloyKey = pulumi.secret(key.privateKey.apply((k) => Buffer.from(k, "base64").toString("utf8")));
        }
        new gcp.pubsub.SubscriptionIAMMember(
            `${name}-alloy-subscriber`,
            { project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: pulumi.interpolate`serviceAccount:${email}` },
            { parent: this },
        );

        // Dead-lettering is done by the Pub/Sub service agent: it must publish to the dead-letter topic and
        // acknowledge on the source subscription.
        const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }, { parent: this }).apply((p) => p.number);
        const agent = projectNumber.apply(pubsubServiceAgent);
        new gcp.pubsub.TopicIAMMember(
            `${name}-dead-letter-publisher`,
            { project, topic: deadLetter.name, role: "roles/pubsub.publisher", member: agent },
            { parent: this },
        );
        new gcp.pubsub.SubscriptionIAMMember(
            `${name}-dead-letter-subscriber`,
            { project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: agent },
            { parent: this },
        );

        if (settings.apiServerComponentLogs) {
            new GkeClusterLogging(
                `${name}-apiserver-logs`,
                { project, location: args.location, clusterName: args.clusterName, components: ["APISERVER"], ...identityInput(args.identity) },
                { parent: this, protect },
            );
        }

        this.subscriptionPath = pulumi.interpolate`projects/${project}/subscriptions/${subscription.name}`;
        this.alloyKey = alloyKey;
        this.serviceAccountEmail = email;
        this.sinkWriterIdentity = sink.writerIdentity;
        this.sinkFilter = pulumi.output(filter);
        this.registerOutputs({
            subscriptionPath: this.subscriptionPath,
            alloyKey: this.alloyKey,
            serviceAccountEmail: this.serviceAccountEmail,
            sinkWriterIdentity: this.sinkWriterIdentity,
            sinkFilter: this.sinkFilter,
        });
    }
}
