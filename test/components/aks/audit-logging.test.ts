/**
 * AksAuditLogging under the real Pulumi SDK with mocked engine and providers. The listEventHubKeys invoke
 * (which reads keys from Azure) is mocked explicitly; any other invoke would throw.
 */
import { strict as assert } from "node:assert";
import { mockInvokes } from "../../helpers/invoke-mocks";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { parseAksClusterId } from "../../../components/aks/ids";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const CLUSTER = `/subscriptions/${SUB}/resourceGroups/rg-hds-prod/providers/Microsoft.ContainerService/managedClusters/aks-hds-prod`;
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-hds-prod/providers/Microsoft.OperationalInsights/workspaces/law-hds-audit`;
const CONNECTION = "Endpoint=sb://hds-ns.servicebus.windows.net/;SharedAccessKeyName=alloy-listen;SharedAccessKey=c2VjcmV0;EntityPath=kube-audit";

function outputs(type: string, _name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "azure-native:eventhub:Namespace":
            return { name: "hds-ns" };
        case "azure-native:eventhub:EventHub":
            return { name: inputs.eventHubName };
        case "azure-native:eventhub:ConsumerGroup":
            return { name: inputs.consumerGroupName };
        case "azure-native:eventhub:EventHubAuthorizationRule":
        case "azure-native:eventhub:NamespaceAuthorizationRule":
            return { name: inputs.authorizationRuleName };
        default:
            return {};
    }
}

describe("AksAuditLogging (Pulumi mocks)", () => {
    let run: MockRun;
    let invokes: ReturnType<typeof mockInvokes>;
    let mod: typeof import("../../../components/aks");

    before(async () => {
        mod = await import("../../../components/aks/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks({ outputs });
        invokes = mockInvokes({ "azure-native:eventhub:listEventHubKeys": () => ({ primaryConnectionString: CONNECTION, keyName: "alloy-listen" }) });
    });
    afterEach(() => invokes.restore());

    it("puts a diagnostic setting on the cluster: kube-audit, dedicated tables in the workspace, streamed to the hub", async () => {
        new mod.AksAuditLogging("hds-sante", { clusterResourceId: CLUSTER, workspaceResourceId: WORKSPACE, eventHubLocation: "francecentral" });
        await settle();
        assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "akko:audit:AksAuditLogging hds-sante",
            "azure-native:eventhub:ConsumerGroup hds-sante-alloy",
            "azure-native:eventhub:EventHub hds-sante-audit",
            "azure-native:eventhub:EventHubAuthorizationRule hds-sante-alloy-listen",
            "azure-native:eventhub:Namespace hds-sante-audit",
            "azure-native:eventhub:NamespaceAuthorizationRule hds-sante-diagnostics",
            "azure-native:monitor:DiagnosticSetting hds-sante-audit",
        ]);
        const setting = run.one("azure-native:monitor:DiagnosticSetting", "hds-sante-audit");
        assert.deepEqual(setting.inputs, {
            name: "akko-audit",
            resourceUri: CLUSTER,
            workspaceId: WORKSPACE,
            logAnalyticsDestinationType: "Dedicated",
            logs: [{ category: "kube-audit", enabled: true }],
            // The id of the namespace-level rule (the mock ids a resource "<name>-id").
            eventHubAuthorizationRuleId: "hds-sante-diagnostics-id",
            eventHubName: "kube-audit",
        });
        const sendRule = run.one("azure-native:eventhub:NamespaceAuthorizationRule", "hds-sante-diagnostics");
        assert.ok(setting.dependencies.includes(sendRule.urn), "the setting is created after the rule it streams through");
        const component = run.one("akko:audit:AksAuditLogging", "hds-sante");
        for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn);
    });

    it("the diagnostic setting (its delete stops the audit export) is protected unless allowAuditOff; nothing else is", async () => {
        new mod.AksAuditLogging("hds-sante", { clusterResourceId: CLUSTER, workspaceResourceId: WORKSPACE, eventHubLocation: "francecentral" });
        await settle();
        assert.deepEqual(
            run.resources.filter((r) => r.protect).map((r) => `${r.type} ${r.name}`),
            ["azure-native:monitor:DiagnosticSetting hds-sante-audit"],
        );
        run = await setupMocks({ outputs });
        new mod.AksAuditLogging("hds-sante", { clusterResourceId: CLUSTER, workspaceResourceId: WORKSPACE, allowAuditOff: true });
        await settle();
        assert.equal(run.one("azure-native:monitor:DiagnosticSetting", "hds-sante-audit").protect, false);
    });

    it("Event Hubs: Standard namespace in the cluster's group and region, hub with retention, Alloy consumer group, listen-only rule", async () => {
        new mod.AksAuditLogging("hds-sante", {
            clusterResourceId: CLUSTER,
            workspaceResourceId: WORKSPACE,
            eventHubLocation: "francecentral",
            eventHubRetentionDays: 3,
        });
        await settle();
        const ns = run.one("azure-native:eventhub:Namespace", "hds-sante-audit");
        assert.deepEqual(
            { rg: ns.inputs.resourceGroupName, location: ns.inputs.location, sku: ns.inputs.sku, tls: ns.inputs.minimumTlsVersion },
            { rg: "rg-hds-prod", location: "francecentral", sku: { name: "Standard", tier: "Standard", capacity: 1 }, tls: "1.2" },
        );
        const hub = run.one("azure-native:eventhub:EventHub", "hds-sante-audit");
        assert.deepEqual(hub.inputs, {
            resourceGroupName: "rg-hds-prod",
            namespaceName: "hds-ns",
            eventHubName: "kube-audit",
            partitionCount: 2,
            messageRetentionInDays: 3,
        });
        assert.deepEqual(run.one("azure-native:eventhub:ConsumerGroup", "hds-sante-alloy").inputs, {
            resourceGroupName: "rg-hds-prod",
            namespaceName: "hds-ns",
            eventHubName: "kube-audit",
            consumerGroupName: "akko-audit",
        });
        assert.deepEqual(run.one("azure-native:eventhub:EventHubAuthorizationRule", "hds-sante-alloy-listen").inputs.rights, ["Listen"]);
        assert.deepEqual(run.one("azure-native:eventhub:NamespaceAuthorizationRule", "hds-sante-diagnostics").inputs.rights, [
            "Manage",
            "Send",
            "Listen",
        ]);
    });

    it("gives Alloy a listen-only connection string as a secret output, read from the listen rule", async () => {
        const c = new mod.AksAuditLogging("hds-sante", {
            clusterResourceId: CLUSTER,
            workspaceResourceId: WORKSPACE,
            eventHubLocation: "francecentral",
        });
        const conn = await resolve(c.listenConnectionString);
        assert.deepEqual(conn, { value: CONNECTION, secret: true });
        assert.deepEqual(invokes.calls, [
            {
                token: "azure-native:eventhub:listEventHubKeys",
                inputs: {
                    resourceGroupName: "rg-hds-prod",
                    namespaceName: "hds-ns",
                    eventHubName: "kube-audit",
                    authorizationRuleName: "alloy-listen",
                },
            },
        ]);
        assert.deepEqual(await resolve(c.kafkaEndpoint), { value: "hds-ns.servicebus.windows.net:9093", secret: false });
        assert.equal((await resolve(c.consumerGroup)).value, "akko-audit");
        assert.equal((await resolve(c.eventHubNamespaceFqdn)).value, "hds-ns.servicebus.windows.net");
        await settle();
        for (const r of run.resources) assert.ok(!JSON.stringify(r.inputs).includes("SharedAccessKey="), `${r.name} carries no key`);
    });

    it("kube-audit-admin alone; an explicit resource group; both categories only with the opt-in", async () => {
        new mod.AksAuditLogging("a", {
            clusterResourceId: CLUSTER,
            workspaceResourceId: WORKSPACE,
            categories: ["kube-audit-admin"],
            eventHubLocation: "westeurope",
            eventHubResourceGroup: "rg-shared-eh",
        });
        new mod.AksAuditLogging("b", {
            clusterResourceId: CLUSTER,
            workspaceResourceId: WORKSPACE,
            categories: ["kube-audit", "kube-audit-admin"],
            allowBothAuditCategories: true,
        });
        await settle();
        assert.deepEqual(run.one("azure-native:monitor:DiagnosticSetting", "a-audit").inputs.logs, [{ category: "kube-audit-admin", enabled: true }]);
        assert.equal(run.one("azure-native:eventhub:Namespace", "a-audit").inputs.resourceGroupName, "rg-shared-eh");
        assert.deepEqual(run.one("azure-native:monitor:DiagnosticSetting", "b-audit").inputs.logs, [
            { category: "kube-audit", enabled: true },
            { category: "kube-audit-admin", enabled: true },
        ]);
    });

    it("without eventHubLocation: only the diagnostic setting to Log Analytics, no invoke, no stream", async () => {
        const c = new mod.AksAuditLogging("law-only", { clusterResourceId: CLUSTER, workspaceResourceId: WORKSPACE });
        await settle();
        assert.deepEqual(run.resources.map((r) => r.type).sort(), ["akko:audit:AksAuditLogging", "azure-native:monitor:DiagnosticSetting"]);
        const setting = run.one("azure-native:monitor:DiagnosticSetting", "law-only-audit");
        assert.equal(setting.inputs.eventHubAuthorizationRuleId, undefined);
        assert.equal(setting.inputs.eventHubName, undefined);
        assert.deepEqual(invokes.calls, []);
        assert.equal((await resolve(c.listenConnectionString)).value, undefined);
    });

    it("refuses a malformed resource id, an unknown category, both without opt-in, a bad region — one line each, nothing registered", async () => {
        assert.throws(
            () =>
                new mod.AksAuditLogging("x", {
                    clusterResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`,
                    workspaceResourceId: "law-hds-audit",
                    categories: ["kube-audit", "kube-audit-admin", "kube-apiserver"],
                    eventHubLocation: "France Central",
                    eventHubRetentionDays: 30,
                }),
            {
                name: "ConfigError",
                message: [
                    "5 config problems:",
                    // (values are shortened to 80 characters, as in every config message)
                    `  - AksAuditLogging "x": field clusterResourceId: got "/subscriptions/${SUB}/resourceGroups/rg/provid...; allowed: an AKS resource id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>`,
                    '  - AksAuditLogging "x": field workspaceResourceId: got "law-hds-audit"; allowed: a Log Analytics workspace id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>',
                    '  - AksAuditLogging "x": field categories[2]: got "kube-apiserver"; allowed: kube-audit | kube-audit-admin',
                    '  - AksAuditLogging "x": field eventHubLocation: got "France Central"; allowed: an Azure region name such as francecentral or westeurope',
                    '  - AksAuditLogging "x": field eventHubRetentionDays: got 30; allowed: a whole number of days from 1 to 7',
                ].join("\n"),
            },
        );
        // The rule across fields (the config's): both categories need the opt-in.
        assert.throws(
            () =>
                new mod.AksAuditLogging("y", {
                    clusterResourceId: CLUSTER,
                    workspaceResourceId: WORKSPACE,
                    categories: ["kube-audit", "kube-audit-admin"],
                }),
            {
                name: "ConfigError",
                message:
                    'AksAuditLogging "y": field categories: got ["kube-audit","kube-audit-admin"]; allowed: one of kube-audit | kube-audit-admin, or both with allowBothAuditCategories: true (every write is then stored and billed twice)',
            },
        );
        await settle();
        assert.deepEqual(run.resources, []);
    });

    it("parses the cluster id", () => {
        assert.deepEqual(parseAksClusterId(CLUSTER), { subscriptionId: SUB, resourceGroup: "rg-hds-prod", clusterName: "aks-hds-prod" });
    });
});
