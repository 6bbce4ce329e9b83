import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../components/config";
import { renderEksArtifacts } from "../../../components/eks/render";

function cluster(c: Record<string, unknown>, secrets: string[] = []) {
    const values: Record<string, unknown> = { clusters: [c] };
    for (const s of secrets) values[s] = "[secret]";
    const [v] = validateStackConfig({ stack: "t", values, secretKeys: new Set(secrets) }).clusters;
    assert.ok(v.kind === c.kind);
    return v as any;
}

describe("render: EKS review file", () => {
    it("managed/<cluster>.json names the access-key secret, never holds it", () => {
        const [a] = renderEksArtifacts(cluster({ name: "pay", kind: "eks", clusterName: "pay", region: "eu-west-3", firehoseEndpointUrl: "https://a.example.net/awsfirehose/api/v1/push", firehoseAccessKeySecret: "fh" }, ["fh"]));
        assert.equal(a.path, "managed/pay.json");
        const doc = JSON.parse(a.content);
        assert.deepEqual(doc.forwarding, { subscriptionFilter: '{ ($.kind = "Event") && ($.apiVersion = "audit.k8s.io/v1") }', firehoseEndpointUrl: "https://a.example.net/awsfirehose/api/v1/push", accessKey: "[secret: akko-audit:fh]", failedBatchRetentionDays: 14 });
        assert.deepEqual(doc.logGroup, { name: "/aws/eks/pay/cluster", retentionInDays: 30, kmsKeyArn: null, adopt: false });
    });
});
