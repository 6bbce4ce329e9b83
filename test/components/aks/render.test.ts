import { strict as assert } from "node:assert";
import { validCluster } from "../../helpers/config";
import { renderAksArtifacts } from "../../../components/aks/render";

const cluster = validCluster;

describe("render: AKS review file", () => {
    it("managed/<cluster>.json has the diagnostic setting; no Event Hub without a location", () => {
        const [a] = renderAksArtifacts(
            cluster({
                name: "hds",
                kind: "aks",
                clusterResourceId:
                    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1",
                workspaceResourceId:
                    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
            }),
        );
        assert.equal(a.path, "managed/hds.json");
        const doc = JSON.parse(a.content);
        assert.deepEqual(doc.diagnosticSetting.logs, [{ category: "kube-audit", enabled: true }]);
        assert.equal(doc.diagnosticSetting.logAnalyticsDestinationType, "Dedicated");
        assert.equal(doc.diagnosticSetting.eventHub, null);
    });
});
