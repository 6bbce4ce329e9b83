import { strict as assert } from "node:assert";
import { configProblems, validateClusters } from "../../helpers/config";
import { aksArgsFromConfig } from "../../../components/aks";
import { aksSummary } from "../../../components/aks/summary";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const BASE = {
    name: "hds",
    kind: "aks",
    clusterResourceId: `/subscriptions/${SUB}/resourceGroups/rg-hds-prod/providers/Microsoft.ContainerService/managedClusters/aks-hds-prod`,
    workspaceResourceId: `/subscriptions/${SUB}/resourceGroups/rg-hds-prod/providers/Microsoft.OperationalInsights/workspaces/law-hds-audit`,
};
const W = 'akko-audit:clusters[0] (cluster "hds", kind aks)';

function validate(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return validateClusters([cluster], [], extra);
}
function problems(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
    return configProblems(() => validate(cluster, extra));
}

describe("AKS config (Event Hub)", () => {
    it("an Event Hub in another subscription needs its resource group named; the cluster's own subscription does not", () => {
        const other = "7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5";
        assert.deepEqual(problems({ ...BASE, eventHubLocation: "francecentral", eventHubSubscriptionId: other }), [
            `${W}: field eventHubResourceGroup: missing; allowed: a resource group of subscription ${other} (required when eventHubSubscriptionId is not the cluster's subscription ${SUB})`,
        ]);
        assert.deepEqual(problems({ ...BASE, eventHubSubscriptionId: "not-a-uuid" }), [
            `${W}: field eventHubSubscriptionId: got "not-a-uuid"; allowed: an Azure subscription id (a UUID)`,
        ]);
        // The cluster's own subscription (any case) needs nothing more.
        validate({ ...BASE, eventHubLocation: "francecentral", eventHubSubscriptionId: SUB.toUpperCase() });
    });

    it("defaults: no Event Hub; 7 days when there is one", () => {
        const [c] = validate({ ...BASE, eventHubLocation: "francecentral" }).clusters;
        assert.ok(c.kind === "aks");
        assert.deepEqual(aksArgsFromConfig(c), {
            clusterResourceId: BASE.clusterResourceId,
            workspaceResourceId: BASE.workspaceResourceId,
            categories: ["kube-audit"],
            allowBothAuditCategories: false,
            eventHubLocation: "francecentral",
            eventHubResourceGroup: undefined,
            eventHubRetentionDays: 7,
            allowAuditOff: false,
        });
    });

    it("refuses a bad region, group, retention beyond 7 days or beyond Loki's", () => {
        assert.deepEqual(problems({ ...BASE, eventHubLocation: "France Central", eventHubResourceGroup: "rg.", eventHubRetentionDays: 10 }), [
            `${W}: field eventHubLocation: got "France Central"; allowed: an Azure region name such as francecentral or westeurope`,
            `${W}: field eventHubResourceGroup: got "rg."; allowed: an Azure resource group name (1-90 letters, digits, '.', '_', '-', '(', ')')`,
            `${W}: field eventHubRetentionDays: got 10; allowed: a whole number of days from 1 to 7`,
        ]);
        assert.deepEqual(problems({ ...BASE, eventHubLocation: "westeurope" }, { logs: { retentionDays: 3 } }), [
            `${W}: field eventHubRetentionDays: got 7; allowed: at most akko-audit:logs.retentionDays (3): the buffer must not outlive Loki, the record`,
        ]);
        // Without an Event Hub there is no buffer to check.
        assert.equal(validate(BASE, { logs: { retentionDays: 3 } }).clusters.length, 1);
    });

    it("summarizes, naming the Secret-read gap of kube-audit-admin", () => {
        const [c] = validate({ ...BASE, categories: ["kube-audit-admin"] }).clusters;
        assert.ok(c.kind === "aks");
        assert.deepEqual(aksSummary(c), {
            cluster: "hds",
            kind: "aks",
            enabled: ["diagnostic category kube-audit-admin of aks-hds-prod"],
            cloudCopy: "Log Analytics workspace law-hds-audit (resource-specific tables AKSAuditAdmin), the workspace's retention",
            toLoki: undefined,
            cloudRetentionDays: undefined,
            gaps: [
                "nothing reaches Loki: no eventHubLocation (events stay in Log Analytics)",
                "no reads: kube-audit-admin drops get/list/watch, so Secret reads are not shown",
                "AKS's audit policy is fixed by Microsoft and cannot be changed",
            ],
        });
    });
});

describe("managed clusters listed twice", () => {
    it("refuses the same AKS cluster under two names (ids compare case-insensitively)", () => {
        const second = { ...BASE, name: "hds-2", clusterResourceId: BASE.clusterResourceId.toLowerCase() };
        assert.deepEqual(problems(BASE, { clusters: [BASE, second] }), [
            `akko-audit:clusters[1] (cluster "hds-2", kind aks): field clusterResourceId: got ${JSON.stringify(second.clusterResourceId)}; allowed: a cluster not already listed (clusters[0] is the same cluster)`,
        ]);
    });
});
