/**
 * EksAuditLogging under the real Pulumi SDK with mocked engine and providers (test/helpers/pulumi-mocks):
 * exact resource types, names, inputs, ordering and secrecy. AWS itself is not reached.
 */
import { strict as assert } from "node:assert";
import { DescribeClusterCommand, DescribeUpdateCommand, EKSClient, UpdateClusterConfigCommand } from "@aws-sdk/client-eks";
import * as pulumi from "@pulumi/pulumi";
import { mockClient } from "aws-sdk-client-mock";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { logGroupRetentionPolicy } from "../../../policy/pack/rules/log-group-retention";
import { analyze } from "../../policy/pack/analyze";

const ACCOUNT = "123456789012";

function outputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:eu-west-3:${ACCOUNT}:log-group:${inputs.name}` };
        case "aws:s3/bucket:Bucket":
            return { bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket` };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
        case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
            return { arn: `arn:aws:firehose:eu-west-3:${ACCOUNT}:deliverystream/${name}` };
        default:
            return {};
    }
}

describe("EksAuditLogging (Pulumi mocks)", () => {
    let run: MockRun;
    let mod: typeof import("../../../components/eks");

    before(async () => {
        run = await setupMocks({ outputs });
        mod = await import("../../../components/eks/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks({ outputs });
    });

    const forwarding = {
        clusterName: "payments-prod-eu",
        region: "eu-west-3",
        kmsKeyArn: `arn:aws:kms:eu-west-3:${ACCOUNT}:key/6f1c2f4e-8a2b-4c8e-9f0a-2d7b1e3c5a90`,
        firehoseEndpointUrl: "https://alloy.example.net/awsfirehose/api/v1/push",
        firehoseAccessKey: pulumi.secret("fh-access-key-value"),
    };

    it("registers exactly the log group, logging, and the Firehose path, named from the component name", async () => {
        new mod.EksAuditLogging("payments-eu", forwarding);
        await settle();
        assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "akko:audit:EksAuditLogging payments-eu",
            "aws:cloudwatch/logGroup:LogGroup payments-eu-log-group",
            "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter payments-eu-audit",
            "aws:iam/role:Role payments-eu-firehose",
            "aws:iam/role:Role payments-eu-logs",
            "aws:iam/rolePolicy:RolePolicy payments-eu-firehose-s3",
            "aws:iam/rolePolicy:RolePolicy payments-eu-logs-firehose",
            "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream payments-eu-audit",
            "aws:s3/bucket:Bucket payments-eu-failed-batches",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration payments-eu-failed-batches",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock payments-eu-failed-batches",
            "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging payments-eu-control-plane-logging",
            "pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard payments-eu-log-group-check",
        ]);
        const component = run.one("akko:audit:EksAuditLogging", "payments-eu");
        for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn, `${r.name} is parented to the component`);
    });

    it("pre-creates /aws/eks/<cluster>/cluster with retention and KMS, then enables logging after it and after the forwarding path", async () => {
        new mod.EksAuditLogging("payments-eu", forwarding);
        await settle();
        const group = run.one("aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group");
        assert.deepEqual(
            {
                name: group.inputs.name,
                retention: group.inputs.retentionInDays,
                kms: group.inputs.kmsKeyId,
                region: group.inputs.region,
                importId: group.importId,
                retain: group.retainOnDelete,
            },
            { name: "/aws/eks/payments-prod-eu/cluster", retention: 30, kms: forwarding.kmsKeyArn, region: "eu-west-3", importId: "", retain: true },
        );
        const logging = run.one("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "payments-eu-control-plane-logging");
        assert.deepEqual(
            { clusterName: logging.inputs.clusterName, region: logging.inputs.region, logTypes: logging.inputs.logTypes },
            { clusterName: "payments-prod-eu", region: "eu-west-3", logTypes: ["audit", "authenticator", "controllerManager"] },
        );
        const subscription = run.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "payments-eu-audit");
        assert.ok(logging.dependencies.includes(group.urn), "logging waits for the log group");
        const check = run.one("pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard", "payments-eu-log-group-check");
        assert.ok(group.dependencies.includes(check.urn), "the group is created after the existence check");
        assert.deepEqual(
            { name: check.inputs.logGroupName, region: check.inputs.region, adopt: check.inputs.adopt, label: check.inputs.clusterLabel },
            { name: "/aws/eks/payments-prod-eu/cluster", region: "eu-west-3", adopt: false, label: "payments-eu" },
        );
        assert.ok(logging.dependencies.includes(subscription.urn), "logging waits for the subscription filter");
        // The provider is serialized into the resource (what `pulumi up` runs): it must carry the EKS calls.
        assert.match(logging.inputs.__provider, /UpdateClusterConfigCommand/);
        assert.match(logging.inputs.__provider, /require\("@aws-sdk\/client-eks"\)/);
    });

    it("destroy: the logging setting is protected (allowAuditOff lifts it); the log group and the failed-batch bucket, its access block and lifecycle are retained", async () => {
        new mod.EksAuditLogging("payments-eu", forwarding);
        new mod.EksAuditLogging("lab", { clusterName: "lab", region: "eu-west-1", allowAuditOff: true });
        await settle();
        assert.deepEqual(
            run.resources
                .filter((r) => r.protect || r.retainOnDelete)
                .map((r) => `${r.type} ${r.name}${r.protect ? " protect" : ""}${r.retainOnDelete ? " retain" : ""}`)
                .sort(),
            [
                "aws:cloudwatch/logGroup:LogGroup lab-log-group retain",
                "aws:cloudwatch/logGroup:LogGroup payments-eu-log-group retain",
                "aws:s3/bucket:Bucket payments-eu-failed-batches retain",
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration payments-eu-failed-batches retain",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock payments-eu-failed-batches retain",
                "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging payments-eu-control-plane-logging protect",
            ],
        );
    });

    it("the serialized provider (the code the engine runs) is self-contained and works against the stubbed EKS API", async () => {
        new mod.EksAuditLogging("p", { clusterName: "p", region: "eu-west-1", pollIntervalSeconds: 0 });
        await settle();
        const text: string = run.one("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "p-control-plane-logging").inputs.__provider;
        const exported: { handler?: () => pulumi.dynamic.ResourceProvider } = {};
        new Function("exports", "require", text)(exported, require);
        const provider = exported.handler!();
        const eks = mockClient(EKSClient);
        try {
            eks.on(DescribeClusterCommand).resolves({ cluster: { logging: { clusterLogging: [{ types: ["api"], enabled: true }] } } });
            eks.on(UpdateClusterConfigCommand).resolves({ update: { id: "u1" } });
            eks.on(DescribeUpdateCommand).resolves({ update: { status: "Successful" } });
            const created = await provider.create({ clusterName: "p", region: "eu-west-1", logTypes: ["audit"], pollIntervalSeconds: 0 });
            assert.deepEqual(created.outs.previousLogTypes, ["api"]);
            assert.deepEqual(eks.commandCalls(UpdateClusterConfigCommand)[0].args[0].input.logging, {
                clusterLogging: [
                    { types: ["audit"], enabled: true },
                    { types: ["api"], enabled: false },
                ],
            });
        } finally {
            eks.restore();
        }
    });

    it("forwards only audit events to Alloy through Firehose, the access key kept secret, failures backed up to S3", async () => {
        new mod.EksAuditLogging("payments-eu", forwarding);
        await settle();
        const sub = run.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "payments-eu-audit");
        const stream = run.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "payments-eu-audit");
        const logsRole = run.one("aws:iam/role:Role", "payments-eu-logs");
        const logsPolicy = run.one("aws:iam/rolePolicy:RolePolicy", "payments-eu-logs-firehose");
        assert.deepEqual(
            { logGroup: sub.inputs.logGroup, pattern: sub.inputs.filterPattern, dest: sub.inputs.destinationArn, role: sub.inputs.roleArn },
            {
                logGroup: "/aws/eks/payments-prod-eu/cluster",
                pattern: '{ ($.kind = "Event") && ($.apiVersion = "audit.k8s.io/v1") }',
                dest: `arn:aws:firehose:eu-west-3:${ACCOUNT}:deliverystream/payments-eu-audit`,
                role: `arn:aws:iam::${ACCOUNT}:role/payments-eu-logs`,
            },
        );
        assert.ok(sub.dependencies.includes(logsPolicy.urn), "the filter is created once the role may put records");

        const http = stream.inputs.httpEndpointConfiguration;
        assert.equal(stream.inputs.destination, "http_endpoint");
        assert.deepEqual(
            {
                url: http.url,
                key: http.accessKey,
                role: http.roleArn,
                mode: http.s3BackupMode,
                bucket: http.s3Configuration.bucketArn,
                retry: http.retryDuration,
                attrs: http.requestConfiguration.commonAttributes,
            },
            {
                url: "https://alloy.example.net/awsfirehose/api/v1/push",
                key: "fh-access-key-value",
                role: `arn:aws:iam::${ACCOUNT}:role/payments-eu-firehose`,
                mode: "FailedDataOnly",
                bucket: "arn:aws:s3:::payments-eu-failed-batches-bucket",
                retry: 3600,
                attrs: [{ name: "lbl_cluster", value: "payments-eu" }],
            },
        );
        assert.deepEqual(stream.secretInputs, ["httpEndpointConfiguration"]);

        const lifecycle = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "payments-eu-failed-batches");
        assert.deepEqual(lifecycle.inputs.rules, [
            {
                id: "expire-failed-batches",
                status: "Enabled",
                filter: { prefix: "" },
                expiration: { days: 14 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            },
        ]);

        // Least privilege: Logs may put into this stream only; Firehose may write this bucket only.
        assert.deepEqual(JSON.parse(logsRole.inputs.assumeRolePolicy).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringLike: { "aws:SourceArn": `arn:aws:logs:eu-west-3:${ACCOUNT}:*` } },
            },
        ]);
        assert.deepEqual(JSON.parse(logsPolicy.inputs.policy).Statement, [
            {
                Effect: "Allow",
                Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
                Resource: `arn:aws:firehose:eu-west-3:${ACCOUNT}:deliverystream/payments-eu-audit`,
            },
        ]);
        const fhRole = run.one("aws:iam/role:Role", "payments-eu-firehose");
        assert.deepEqual(JSON.parse(fhRole.inputs.assumeRolePolicy).Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT } });
        const fhPolicy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "payments-eu-firehose-s3").inputs.policy);
        assert.deepEqual(fhPolicy.Statement[0].Resource, [
            "arn:aws:s3:::payments-eu-failed-batches-bucket",
            "arn:aws:s3:::payments-eu-failed-batches-bucket/*",
        ]);
        assert.ok(fhPolicy.Statement[0].Action.every((a: string) => a.startsWith("s3:")));
    });

    it("the access key never appears in plain text in any non-secret input", async () => {
        new mod.EksAuditLogging("payments-eu", forwarding);
        await settle();
        for (const r of run.resources) {
            for (const [k, v] of Object.entries(r.inputs)) {
                if (JSON.stringify(v)?.includes("fh-access-key-value"))
                    assert.ok(r.secretInputs.includes(k), `${r.type} ${r.name}.${k} holds the key in plain text`);
            }
        }
    });

    it("without a Firehose endpoint: only the log group and logging (the audit log stays in CloudWatch)", async () => {
        const c = new mod.EksAuditLogging("dev", { clusterName: "dev_1", region: "us-east-1", logTypes: ["audit"], retentionDays: 7 });
        await settle();
        assert.deepEqual(run.resources.map((r) => r.type).sort(), [
            "akko:audit:EksAuditLogging",
            "aws:cloudwatch/logGroup:LogGroup",
            "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging",
            "pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard",
        ]);
        assert.equal(run.one("aws:cloudwatch/logGroup:LogGroup", "dev-log-group").inputs.retentionInDays, 7);
        assert.deepEqual(run.one("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "dev-control-plane-logging").inputs.logTypes, ["audit"]);
        assert.equal((await resolve(c.deliveryStreamArn)).value, undefined);
        assert.equal((await resolve(c.logGroupName)).value, "/aws/eks/dev_1/cluster");
    });

    it("adoptExistingLogGroup imports the group by its name in the cluster's region, and the policy pack still passes", async () => {
        new mod.EksAuditLogging("pay", { clusterName: "pay", region: "eu-west-1", adoptExistingLogGroup: true });
        await settle();
        const group = run.one("aws:cloudwatch/logGroup:LogGroup", "pay-log-group");
        // @pulumi/aws v7: "<id>@<region>" imports from that region whatever the provider's region is.
        assert.equal(group.importId, "/aws/eks/pay/cluster@eu-west-1");
        assert.equal(group.inputs.region, "eu-west-1");
        assert.deepEqual(group.ignoreChanges, ["retentionInDays", "kmsKeyId", "tags"]);
        assert.deepEqual(await analyze(logGroupRetentionPolicy, group.type, group.name, group.inputs), { violations: [] });
        assert.equal(run.one("pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard", "pay-log-group-check").inputs.adopt, true);
        // Omitted settings take the config schema's defaults (applied there, nowhere else).
        assert.equal(group.inputs.retentionInDays, 30);
        assert.deepEqual(run.one("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "pay-control-plane-logging").inputs.logTypes, [
            "audit",
            "authenticator",
            "controllerManager",
        ]);
    });

    it("refuses bad args with one line each, before registering anything", async () => {
        assert.throws(
            () =>
                new mod.EksAuditLogging("x", {
                    clusterName: "-bad name",
                    region: "eu-west-9",
                    logTypes: ["api", "kubelet"],
                    retentionDays: 10,
                    firehoseEndpointUrl: "https://a.example",
                }),
            {
                name: "ConfigError",
                // The config's schemas and messages (ConfigError), under the component's name.
                message: [
                    "5 config problems:",
                    "  - EksAuditLogging \"x\": field clusterName: got \"-bad name\"; allowed: an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters",
                    '  - EksAuditLogging "x": field region: got "eu-west-9"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)',
                    '  - EksAuditLogging "x": field logTypes[1]: got "kubelet"; allowed: api | audit | authenticator | controllerManager | scheduler',
                    '  - EksAuditLogging "x": field retentionDays: got 10; allowed: one of CloudWatch\'s retention values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
                    '  - EksAuditLogging "x": field firehoseAccessKey: missing; allowed: set together with firehoseEndpointUrl (both to forward to Loki through Firehose, neither to keep the audit log in CloudWatch only)',
                ].join("\n"),
            },
        );
        await settle();
        assert.deepEqual(run.resources, []);
    });
});
