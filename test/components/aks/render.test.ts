import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../components/config";
import { renderAksArtifacts } from "../../../components/aks/render";

function cluster(c: Record<string, unknown>, secrets: string[] = []) {
    const values: Record<string, unknown> = { clusters: [c] };
    for (const s of secrets) values[s] = "[secret]";
    const [v] = validateStackConfig({ stack: "t", values, secretKeys: new Set(secrets) }).clusters;
    assert.ok(v.kind === c.kind);
    return v as any;
}

describe("render: AKS review file", () => {
    it("managed/<cluster>.json has the diagnostic setting; no Event Hub without a location", () => {
        const [a] = renderAksArtifacts(cluster({
            name: "hds",
            kind: "aks",
            clusterResourceId: "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1",
            workspaceResourceId: "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
        }));
        assert.equal(a.path, "managed/hds.json");
        const doc = JSON.parse(a.content);
        assert.deepEqual(doc.diagnosticSetting.logs, [{ category: "kube-audit", enabled: true }]);
        assert.equal(doc.diagnosticSetting.logAnalyticsDestinationType, "Dedicated");
        assert.equal(doc.diagnosticSetting.eventHub, null);
    });
});
