import { strict as assert } from "node:assert";
import { validCluster } from "../../helpers/config";
import { renderEksArtifacts } from "../../../components/eks/render";

const cluster = validCluster;

describe("render: EKS review file", () => {
    it("managed/<cluster>.json names the access-key secret, never holds it", () => {
        const [a] = renderEksArtifacts(
            cluster(
                {
                    name: "pay",
                    kind: "eks",
                    clusterName: "pay",
                    region: "eu-west-3",
                    firehoseEndpointUrl: "https://a.example.net/awsfirehose/api/v1/push",
                    firehoseAccessKeySecret: "fh",
                },
                ["fh"],
            ),
        );
        assert.equal(a.path, "managed/pay.json");
        const doc = JSON.parse(a.content);
        assert.deepEqual(doc.forwarding, {
            subscriptionFilter: '{ ($.kind = "Event") && ($.apiVersion = "audit.k8s.io/v1") }',
            firehoseEndpointUrl: "https://a.example.net/awsfirehose/api/v1/push",
            accessKey: "[secret: akko-audit:fh]",
            failedBatchRetentionDays: 14,
        });
        assert.deepEqual(doc.logGroup, { name: "/aws/eks/pay/cluster", retentionInDays: 30, kmsKeyArn: null, adopt: false });
    });
});
