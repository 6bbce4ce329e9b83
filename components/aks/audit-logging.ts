import * as eventhub from "@pulumi/azure-native/eventhub";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { AksCluster, AksClusterSchema, aksRules } from "../config/aks";
import { checkArgs } from "../config/stack";
import { ALLOY_CONSUMER_GROUP, DIAGNOSTIC_SETTING_NAME, EVENT_HUB_NAME, parseAksClusterId } from "./ids";

/** The args' settings, checked with the config's own field schemas (defaults applied there) and rules. */
const SETTINGS = AksClusterSchema.pick({
    clusterResourceId: true,
    workspaceResourceId: true,
    categories: true,
    allowBothAuditCategories: true,
    eventHubLocation: true,
    eventHubRetentionDays: true,
    allowAuditOff: true,
});

export { ALLOY_CONSUMER_GROUP, DIAGNOSTIC_SETTING_NAME, EVENT_HUB_NAME } from "./ids";
export const ALLOY_LISTEN_RULE = "alloy-listen";
export const DIAGNOSTICS_SEND_RULE = "azure-monitor-send";
/** Partitions bound Alloy's read parallelism; 2 carries a busy cluster's audit log on 1 throughput unit. */
export const DEFAULT_PARTITIONS = 2;
/** Throughput units of the Standard namespace (1 TU = 1 MB/s in, 2 MB/s out). */
export const DEFAULT_THROUGHPUT_UNITS = 1;
/** Alloy's loki.source.azure_event_hubs speaks Kafka, on port 9093 of the namespace. */
export const KAFKA_PORT = 9093;

export interface AksAuditLoggingArgs {
    /** Resource id of the existing AKS cluster. Required. */
    clusterResourceId: string;
    /** Resource id of the Log Analytics workspace (resource-specific tables). Required. */
    workspaceResourceId: string;
    /** kube-audit (every event) and/or kube-audit-admin (no get/list). Default [kube-audit]. */
    categories?: string[];
    /** Allow both categories (every write stored and billed twice). Default false. */
    allowBothAuditCategories?: boolean;
    /** Region of the cluster, for the Event Hub. Default: none — no Event Hub, nothing reaches Loki. */
    eventHubLocation?: string;
    /** Resource group of the Event Hubs namespace. Default: the cluster's resource group. */
    eventHubResourceGroup?: pulumi.Input<string>;
    /** Days the hub keeps unread events (1-7). Default 7. */
    eventHubRetentionDays?: number;
    /** Partitions of the hub. Default 2. */
    eventHubPartitions?: pulumi.Input<number>;
    /** Throughput units of the namespace. Default 1. */
    throughputUnits?: pulumi.Input<number>;
    /**
     * Let this stack turn the cluster's audit logging off. Default false: the diagnostic setting is protected, so deleting this
     * component (cluster removed from config, `pulumi destroy`) stops with Pulumi's protect error.
     */
    allowAuditOff?: boolean;
    /**
     * Provider for the Event Hubs resources when they live in another subscription than the cluster (the
     * config's eventHubSubscriptionId). Default: the component's own azure-native provider (opts.providers).
     */
    eventHubProvider?: pulumi.ProviderResource;
}

/**
 * AKS audit logs: a diagnostic setting on the existing cluster (the cluster itself is never touched) into
 * resource-specific Log Analytics tables and, with eventHubLocation, into an Event Hub (Standard: Kafka
 * endpoint) that Alloy reads with its own consumer group and a listen-only key.
 */
export class AksAuditLogging extends pulumi.ComponentResource {
    public readonly diagnosticSettingName: pulumi.Output<string>;
    public readonly categories: pulumi.Output<string[]>;
    /** Event Hubs namespace name, when streaming. */
    public readonly eventHubNamespace: pulumi.Output<string | undefined>;
    public readonly eventHubName: pulumi.Output<string | undefined>;
    public readonly consumerGroup: pulumi.Output<string | undefined>;
    /** <namespace>.servicebus.windows.net (logs.receivers.eventHubs[].namespace), when streaming. */
    public readonly eventHubNamespaceFqdn: pulumi.Output<string | undefined>;
    /** host:port of the namespace's Kafka endpoint (Alloy's fully_qualified_namespace), when streaming. */
    public readonly kafkaEndpoint: pulumi.Output<string | undefined>;
    /** Listen-only connection string for Alloy (secret), when streaming. */
    public readonly listenConnectionString: pulumi.Output<string | undefined>;

    constructor(name: string, args: AksAuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before anything is registered: the config's rules, the config's messages.
        const where = `AksAuditLogging ${JSON.stringify(name)}`;
        const {
            clusterResourceId,
            workspaceResourceId,
            categories: wanted,
            allowBothAuditCategories,
            eventHubLocation,
            eventHubRetentionDays,
            allowAuditOff,
        } = args;
        const settings = checkArgs(
            where,
            SETTINGS,
            {
                clusterResourceId,
                workspaceResourceId,
                categories: wanted,
                allowBothAuditCategories,
                eventHubLocation,
                eventHubRetentionDays,
                allowAuditOff,
            },
            (s) => aksRules.problems({ ...s, kind: "aks", name } as AksCluster, { where, index: 0, logsRetentionDays: Infinity, fleet: new Map() }),
        );
        super("akko:audit:AksAuditLogging", name, {}, opts);
        const categories = settings.categories;

        let eventHub: { ruleId: pulumi.Input<string>; hubName: pulumi.Input<string> } | undefined;
        let namespaceName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let hubName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let consumerGroup: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let connection: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (args.eventHubLocation !== undefined) {
            const hubOpts = { parent: this, ...(args.eventHubProvider ? { provider: args.eventHubProvider } : {}) };
            const resourceGroupName = args.eventHubResourceGroup ?? parseAksClusterId(args.clusterResourceId).resourceGroup;
            const ns = new eventhub.Namespace(
                `${name}-audit`,
                {
                    resourceGroupName,
                    location: args.eventHubLocation,
                    // Basic has no Kafka endpoint, which Alloy's azure_event_hubs source needs.
                    sku: { name: "Standard", tier: "Standard", capacity: args.throughputUnits ?? DEFAULT_THROUGHPUT_UNITS },
                    minimumTlsVersion: "1.2",
                    tags: { "managed-by": "akko-audit" },
                },
                hubOpts,
            );
            const hub = new eventhub.EventHub(
                `${name}-audit`,
                {
                    resourceGroupName,
                    namespaceName: ns.name,
                    eventHubName: EVENT_HUB_NAME,
                    partitionCount: args.eventHubPartitions ?? DEFAULT_PARTITIONS,
                    messageRetentionInDays: settings.eventHubRetentionDays,
                },
                hubOpts,
            );
            const group = new eventhub.ConsumerGroup(
                `${name}-alloy`,
                { resourceGroupName, namespaceName: ns.name, eventHubName: hub.name, consumerGroupName: ALLOY_CONSUMER_GROUP },
                hubOpts,
            );
            const listen = new eventhub.EventHubAuthorizationRule(
                `${name}-alloy-listen`,
                { resourceGroupName, namespaceName: ns.name, eventHubName: hub.name, authorizationRuleName: ALLOY_LISTEN_RULE, rights: ["Listen"] },
                hubOpts,
            );
            // Azure Monitor streams through a namespace-level rule and requires Manage, Send and Listen on it.
            // Only Azure Monitor uses it; Alloy has its own listen-only rule on the hub.
            const send = new eventhub.NamespaceAuthorizationRule(
                `${name}-diagnostics`,
                { resourceGroupName, namespaceName: ns.name, authorizationRuleName: DIAGNOSTICS_SEND_RULE, rights: ["Manage", "Send", "Listen"] },
                hubOpts,
            );
            const keys = eventhub.listEventHubKeysOutput(
                { resourceGroupName, namespaceName: ns.name, eventHubName: hub.name, authorizationRuleName: listen.name },
                hubOpts,
            );
            eventHub = { ruleId: send.id, hubName: hub.name };
            namespaceName = ns.name;
            hubName = hub.name;
            consumerGroup = group.name;
            connection = pulumi.secret(keys.primaryConnectionString);
        }

        const setting = new monitor.DiagnosticSetting(
            `${name}-audit`,
            {
                name: DIAGNOSTIC_SETTING_NAME,
                resourceUri: args.clusterResourceId,
                workspaceId: args.workspaceResourceId,
                // Resource-specific tables (AKSAudit, AKSAuditAdmin): cheaper and typed, unlike AzureDiagnostics.
                logAnalyticsDestinationType: "Dedicated",
                logs: categories.map((category) => ({ category, enabled: true })),
                ...(eventHub ? { eventHubAuthorizationRuleId: eventHub.ruleId, eventHubName: eventHub.hubName } : {}),
            },
            // Its delete turns the audit log off: only with the cluster's explicit opt-in.
            { parent: this, protect: !settings.allowAuditOff },
        );

        this.diagnosticSettingName = setting.name;
        this.categories = pulumi.output(categories);
        this.eventHubNamespace = namespaceName;
        this.eventHubName = hubName;
        this.consumerGroup = consumerGroup;
        this.eventHubNamespaceFqdn = namespaceName.apply((n) => (n === undefined ? undefined : `${n}.servicebus.windows.net`));
        this.kafkaEndpoint = namespaceName.apply((n) => (n === undefined ? undefined : `${n}.servicebus.windows.net:${KAFKA_PORT}`));
        this.listenConnectionString = connection;
        this.registerOutputs({
            diagnosticSettingName: this.diagnosticSettingName,
            categories: this.categories,
            eventHubNamespace: this.eventHubNamespace,
            eventHubName: this.eventHubName,
            consumerGroup: this.consumerGroup,
            eventHubNamespaceFqdn: this.eventHubNamespaceFqdn,
            kafkaEndpoint: this.kafkaEndpoint,
            listenConnectionString: this.listenConnectionString,
        });
    }
}
