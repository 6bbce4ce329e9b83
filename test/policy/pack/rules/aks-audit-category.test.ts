import { strict as assert } from "node:assert";
import { aksAuditCategoryPolicy, aksAuditCategoryViolations, DIAGNOSTIC_SETTING_TYPE } from "../../../../policy/pack/rules/aks-audit-category";
import { analyze, UNKNOWN_STRING } from "../analyze";

const AKS =
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-hds-prod/providers/Microsoft.ContainerService/managedClusters/aks-hds-prod";
const STORAGE = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";
const on = (category: string) => ({ category, enabled: true });
const BOTH = (name: string, got: string, uri = AKS) =>
    `azure-native:monitor:DiagnosticSetting "${name}": logs: got ${got}; allowed: exactly one of kube-audit | kube-audit-admin, or both when this policy's allowBothFor config lists the cluster ${JSON.stringify(uri)} (every write is then stored and billed twice)`;

describe("policy pack: aks-single-audit-category", () => {
    it("passes exactly one audit category, with other categories alongside", () => {
        assert.deepEqual(aksAuditCategoryViolations("hds-sante-audit", { resourceUri: AKS, logs: [on("kube-audit")] }), []);
        assert.deepEqual(
            aksAuditCategoryViolations("s", {
                resourceUri: AKS,
                logs: [on("kube-audit-admin"), on("kube-apiserver"), { category: "kube-audit", enabled: false }],
            }),
            [],
        );
    });

    it("fails both categories, naming the cluster to list for the opt-in", () => {
        assert.deepEqual(aksAuditCategoryViolations("hds-sante-audit", { resourceUri: AKS, logs: [on("kube-audit"), on("kube-audit-admin")] }), [
            BOTH("hds-sante-audit", "kube-audit and kube-audit-admin enabled"),
        ]);
    });

    it("counts the audit and allLogs category groups as both categories on an AKS cluster", () => {
        assert.deepEqual(aksAuditCategoryViolations("s", { resourceUri: AKS, logs: [{ categoryGroup: "audit", enabled: true }] }), [
            BOTH("s", 'kube-audit and kube-audit-admin enabled (via categoryGroup "audit")'),
        ]);
        assert.deepEqual(aksAuditCategoryViolations("s", { resourceUri: AKS, logs: [{ categoryGroup: "allLogs", enabled: true }] }), [
            BOTH("s", 'kube-audit and kube-audit-admin enabled (via categoryGroup "allLogs")'),
        ]);
    });

    it("fails an audit setting that enables neither category", () => {
        assert.deepEqual(
            aksAuditCategoryViolations("s", { resourceUri: AKS, logs: [{ category: "kube-audit", enabled: false }, on("kube-apiserver")] }),
            ['azure-native:monitor:DiagnosticSetting "s": logs: got none enabled; allowed: exactly one of kube-audit | kube-audit-admin enabled'],
        );
    });

    it("opt-in: allowBothFor lists the cluster (resource ids compare case-insensitively); other clusters still fail", () => {
        const both = { resourceUri: AKS, logs: [on("kube-audit"), on("kube-audit-admin")] };
        assert.deepEqual(aksAuditCategoryViolations("s", both, { allowBothFor: [AKS.toLowerCase()] }), []);
        const other = AKS.replace("aks-hds-prod", "aks-other");
        assert.deepEqual(aksAuditCategoryViolations("s", { ...both, resourceUri: other }, { allowBothFor: [AKS] }), [
            BOTH("s", "kube-audit and kube-audit-admin enabled", other),
        ]);
    });

    it("ignores diagnostic settings that are not for AKS audit", () => {
        assert.deepEqual(aksAuditCategoryViolations("s", { resourceUri: AKS, logs: [on("kube-apiserver"), on("guard")] }), []);
        assert.deepEqual(aksAuditCategoryViolations("s", { resourceUri: STORAGE, logs: [{ categoryGroup: "allLogs", enabled: true }] }), []);
        assert.deepEqual(aksAuditCategoryViolations("s", { resourceUri: AKS }), []);
    });

    it("is wired to exactly azure-native:monitor:DiagnosticSetting, with the opt-in read from the policy config", async () => {
        assert.equal(DIAGNOSTIC_SETTING_TYPE, "azure-native:monitor:DiagnosticSetting");
        const props = { name: "akko-audit", resourceUri: AKS, workspaceId: "/subscriptions/x", logs: [on("kube-audit"), on("kube-audit-admin")] };
        assert.deepEqual((await analyze(aksAuditCategoryPolicy, DIAGNOSTIC_SETTING_TYPE, "hds-sante-audit", props)).violations, [
            BOTH("hds-sante-audit", "kube-audit and kube-audit-admin enabled"),
        ]);
        assert.deepEqual(await analyze(aksAuditCategoryPolicy, DIAGNOSTIC_SETTING_TYPE, "hds-sante-audit", props, { allowBothFor: [AKS] }), {
            violations: [],
        });
        assert.equal(
            (await analyze(aksAuditCategoryPolicy, "azure-native:insights:DiagnosticSetting", "x", props)).notApplicable,
            "Policy only applies to resources of type 'azure-native:monitor:DiagnosticSetting'",
        );
        const schema = aksAuditCategoryPolicy.configSchema!.properties.allowBothFor;
        assert.deepEqual(
            { type: schema.type, items: schema.items, default: schema.default },
            { type: "array", items: { type: "string" }, default: [] },
        );
    });

    it("during preview, an unknown cluster id is reported as unknown, not guessed", async () => {
        const r = await analyze(aksAuditCategoryPolicy, DIAGNOSTIC_SETTING_TYPE, "s", { resourceUri: UNKNOWN_STRING, logs: [on("kube-audit")] });
        assert.deepEqual(r.violations, []);
        assert.match(r.unknown ?? "", /resourceUri/);
    });
});
