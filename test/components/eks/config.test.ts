import { strict as assert } from "node:assert";
import { ConfigError, validateStackConfig } from "../../../components/config";
import { eksArgsFromConfig } from "../../../components/eks";
import { eksSummary } from "../../../components/eks/summary";

const BASE = { name: "pay", kind: "eks", clusterName: "payments-prod-eu", region: "eu-west-3" };
const W = 'akko-audit:clusters[0] (cluster "pay", kind eks)';

function validate(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}, secretKeys: string[] = []) {
    return validateStackConfig({ stack: "t", values: { clusters: [cluster], ...extra }, secretKeys: new Set(secretKeys) });
}
function problems(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}, secretKeys: string[] = []): string[] {
    try {
        validate(cluster, extra, secretKeys);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return assert.fail("expected a ConfigError");
}

describe("EKS config (forwarding, adoption)", () => {
    it("identity: a role (with an external id) and/or a profile; bad values and an external id without a role are refused", () => {
        const [c] = validate({
            ...BASE,
            roleArn: "arn:aws:iam::210987654321:role/path/akko-audit",
            externalId: "akko-audit-prod",
            profile: "prod",
        }).clusters;
        assert.ok(c.kind === "eks");
        assert.deepEqual([c.roleArn, c.externalId, c.profile], ["arn:aws:iam::210987654321:role/path/akko-audit", "akko-audit-prod", "prod"]);
        assert.deepEqual(problems({ ...BASE, roleArn: "arn:aws:iam::2109:role/x", profile: "a b" }), [
            `${W}: field roleArn: got "arn:aws:iam::2109:role/x"; allowed: an IAM role ARN such as arn:aws:iam::123456789012:role/akko-audit`,
            `${W}: field profile: got "a b"; allowed: a profile name of the shared AWS config files: letters, digits and ._+@-`,
        ]);
        assert.deepEqual(problems({ ...BASE, externalId: "akko-audit-prod" }), [
            `${W}: field externalId: got "akko-audit-prod"; allowed: only with roleArn (the role whose trust policy asks for it)`,
        ]);
    });

    it("defaults: no forwarding, no adoption, 14 days of failed batches", () => {
        const [c] = validate(BASE).clusters;
        assert.ok(c.kind === "eks");
        assert.deepEqual(
            { adopt: c.adoptExistingLogGroup, url: c.firehoseEndpointUrl, key: c.firehoseAccessKeySecret, failed: c.failedBatchRetentionDays },
            { adopt: false, url: undefined, key: undefined, failed: 14 },
        );
    });

    it("forwarding needs the URL and the secret together, the secret set and secret", () => {
        const url = "https://alloy.example.net/awsfirehose/api/v1/push";
        assert.deepEqual(problems({ ...BASE, firehoseEndpointUrl: url }), [
            `${W}: field firehoseAccessKeySecret: missing; allowed: set together with firehoseEndpointUrl (both to forward to Loki through Firehose, neither to keep the audit log in CloudWatch only)`,
        ]);
        assert.deepEqual(problems({ ...BASE, firehoseAccessKeySecret: "fhKey" }, { fhKey: "[secret]" }, ["fhKey"]), [
            `${W}: field firehoseEndpointUrl: missing; allowed: set together with firehoseAccessKeySecret (both to forward to Loki through Firehose, neither to keep the audit log in CloudWatch only)`,
        ]);
        assert.deepEqual(problems({ ...BASE, firehoseEndpointUrl: url, firehoseAccessKeySecret: "fhKey" }), [
            `${W}: field firehoseAccessKeySecret: got "fhKey", but akko-audit:fhKey is not set; allowed: a secret config key, set it with \`pulumi config set --secret akko-audit:fhKey\``,
        ]);
        assert.deepEqual(problems({ ...BASE, firehoseEndpointUrl: url, firehoseAccessKeySecret: "fhKey" }, { fhKey: "plain" }), [
            `${W}: field firehoseAccessKeySecret: got "fhKey", but akko-audit:fhKey is stored in plain text; allowed: a secret config key, set it again with \`pulumi config set --secret akko-audit:fhKey\``,
        ]);
        const ok = validate({ ...BASE, firehoseEndpointUrl: url, firehoseAccessKeySecret: "fhKey" }, { fhKey: "[secret]" }, ["fhKey"]);
        assert.deepEqual(ok.secretKeys, ["fhKey"]);
    });

    it("refuses a non-https endpoint, a bad cluster name, and failed batches outliving Loki", () => {
        assert.deepEqual(
            problems(
                {
                    ...BASE,
                    clusterName: "-payments",
                    firehoseEndpointUrl: "http://alloy:9999/awsfirehose/api/v1/push",
                    firehoseAccessKeySecret: "k",
                    failedBatchRetentionDays: 60,
                },
                { k: "[secret]", logs: { retentionDays: 45 } },
                ["k"],
            ),
            [
                `${W}: field clusterName: got "-payments"; allowed: an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters`,
                `${W}: field firehoseEndpointUrl: got "http://alloy:9999/awsfirehose/api/v1/push"; allowed: the https URL of Alloy's loki.source.awsfirehose receiver, e.g. https://alloy.example.net/awsfirehose/api/v1/push`,
            ],
        );
        assert.deepEqual(
            problems(
                { ...BASE, firehoseEndpointUrl: "https://alloy.example.net/x", firehoseAccessKeySecret: "k", failedBatchRetentionDays: 60 },
                { k: "[secret]", logs: { retentionDays: 45 } },
                ["k"],
            ),
            [
                `${W}: field failedBatchRetentionDays: got 60; allowed: at most akko-audit:logs.retentionDays (45): the buffer must not outlive Loki, the record`,
            ],
        );
    });

    it("maps config to component args (secret read by key) and summarizes", async () => {
        const [c] = validate({ ...BASE, firehoseEndpointUrl: "https://alloy.example.net/x", firehoseAccessKeySecret: "k" }, { k: "[secret]" }, [
            "k",
        ]).clusters;
        assert.ok(c.kind === "eks");
        const asked: string[] = [];
        const args = eksArgsFromConfig(c, (key) => (asked.push(key), undefined as any));
        assert.deepEqual(asked, ["k"]);
        assert.deepEqual(
            { ...args, firehoseAccessKey: "x" },
            {
                clusterName: "payments-prod-eu",
                region: "eu-west-3",
                logTypes: ["audit", "authenticator", "controllerManager"],
                retentionDays: 30,
                kmsKeyArn: undefined,
                adoptExistingLogGroup: false,
                firehoseEndpointUrl: "https://alloy.example.net/x",
                firehoseAccessKey: "x",
                failedBatchRetentionDays: 14,
                lokiClusterLabel: "pay",
                allowAuditOff: false,
            },
        );
        assert.deepEqual(eksSummary(c), {
            cluster: "pay",
            kind: "eks",
            enabled: ["control-plane log audit", "control-plane log authenticator", "control-plane log controllerManager"],
            cloudCopy: "CloudWatch /aws/eks/payments-prod-eu/cluster (eu-west-3), 30 days",
            toLoki: "subscription filter (audit events only) -> Firehose -> https://alloy.example.net/x; failed batches kept 14 days in S3",
            cloudRetentionDays: 30,
            gaps: ["EKS's audit policy is fixed by AWS and cannot be changed (no request bodies for most writes)"],
        });
        const [plain] = validate(BASE).clusters;
        assert.ok(plain.kind === "eks");
        assert.equal(eksSummary(plain).toLoki, undefined);
        assert.equal(eksSummary(plain).gaps[0], "nothing reaches Loki: no firehoseEndpointUrl (events stay in CloudWatch)");
    });
});

describe("EKS cluster listed twice", () => {
    it("refuses the same cluster and region under two names; another region is another cluster", () => {
        assert.deepEqual(problems(BASE, { clusters: [BASE, { ...BASE, name: "pay-2" }] }), [
            `akko-audit:clusters[1] (cluster "pay-2", kind eks): field clusterName: got "payments-prod-eu"; allowed: a cluster not already listed (clusters[0] is the same cluster)`,
        ]);
        assert.equal(validate(BASE, { clusters: [BASE, { ...BASE, name: "pay-2", region: "eu-west-1" }] }).clusters.length, 2);
    });
});
