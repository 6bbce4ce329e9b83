import { strict as assert } from "node:assert";
import { validCluster } from "../../helpers/config";
import { renderGkeArtifacts } from "../../../components/gke/render";

const cluster = validCluster;

describe("render: GKE review file", () => {
    it("managed/<cluster>.json has the sink filter and the subscription the central Alloy pulls", () => {
        const [a] = renderGkeArtifacts(
            cluster({ name: "ana", kind: "gke", project: "akko-analytics", location: "europe-west1", clusterName: "ana" }),
        );
        assert.equal(a.path, "managed/ana.json");
        const doc = JSON.parse(a.content);
        assert.equal(doc.subscription, "projects/akko-analytics/subscriptions/akko-audit-ana");
        assert.equal(doc.sinkFilter.length, 7);
        assert.equal(doc.sinkFilter.at(-1), 'AND NOT protoPayload.methodName="io.k8s.coordination.v1.leases.update"');
    });
});
