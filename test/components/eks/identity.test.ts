/**
 * Who the dynamic providers' AWS calls act as, against the real credential providers with STS stubbed
 * (aws-sdk-client-mock on the STS client the SDK's fromTemporaryCredentials uses): STS cannot run here.
 */
import { strict as assert } from "node:assert";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { awsCredentials, awsIdentityText, sameAwsIdentity } from "../../../components/eks/identity";

describe("EKS identity: the dynamic providers act as the cluster's role", () => {
    let sts: AwsStub<any, any, any>;
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    before(() => {
        sts = mockClient(STSClient);
        // The base credentials the role is assumed with (the environment's, as on a CI runner).
        process.env.AWS_ACCESS_KEY_ID = "AKIDBASE";
        process.env.AWS_SECRET_ACCESS_KEY = "base-secret";
    });
    after(() => {
        sts.restore();
        for (const [k, v] of [
            ["AWS_ACCESS_KEY_ID", saved.id],
            ["AWS_SECRET_ACCESS_KEY", saved.secret],
        ] as const)
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
    });
    beforeEach(() => sts.reset());

    it("no identity: the SDK's default chain (no credentials passed)", () => {
        assert.equal(awsCredentials(undefined, "eu-west-3"), undefined);
        assert.equal(awsCredentials({}, "eu-west-3"), undefined);
        assert.equal(awsCredentials({ assumeRoles: [] }, "eu-west-3"), undefined);
    });

    it("a role: sts:AssumeRole with its ARN, external id and the session name akko-audit; the role's keys are used", async () => {
        sts.on(AssumeRoleCommand).resolves({
            Credentials: {
                AccessKeyId: "ASIAROLE",
                SecretAccessKey: "role-secret",
                SessionToken: "token",
                Expiration: new Date(Date.now() + 3600_000),
            },
        });
        const provider = awsCredentials(
            { assumeRoles: [{ roleArn: "arn:aws:iam::210987654321:role/akko-audit-deployer", externalId: "akko-audit-prod" }] },
            "us-east-1",
        )!;
        const creds = await provider();
        assert.equal(creds.accessKeyId, "ASIAROLE");
        assert.deepEqual(
            sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input),
            [{ RoleArn: "arn:aws:iam::210987654321:role/akko-audit-deployer", ExternalId: "akko-audit-prod", RoleSessionName: "akko-audit" }],
        );
    });

    it("a chain (aws:assumeRoles): the last role is assumed with credentials that come from assuming the ones before", async () => {
        sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
            Credentials: {
                AccessKeyId: input.RoleArn.endsWith("/hub") ? "ASIAHUB" : "ASIASPOKE",
                SecretAccessKey: "s",
                SessionToken: "t",
                Expiration: new Date(Date.now() + 3600_000),
            },
        }));
        const provider = awsCredentials(
            {
                assumeRoles: [
                    { roleArn: "arn:aws:iam::111111111111:role/hub", sessionName: "ci" },
                    { roleArn: "arn:aws:iam::222222222222:role/spoke" },
                ],
            },
            "eu-west-1",
        )!;
        assert.equal((await provider()).accessKeyId, "ASIASPOKE");
        // The stub answers before the STS client resolves its own credentials; resolving them shows they are
        // the hub role's, assumed in turn.
        const outer = sts.send.getCall(0).thisValue as STSClient;
        assert.equal((await outer.config.credentials()).accessKeyId, "ASIAHUB");
        assert.deepEqual(
            sts.commandCalls(AssumeRoleCommand).map((c) => [c.args[0].input.RoleArn, c.args[0].input.RoleSessionName]),
            [
                ["arn:aws:iam::222222222222:role/spoke", "akko-audit"],
                ["arn:aws:iam::111111111111:role/hub", "ci"],
            ],
        );
    });

    it("messages name who the call acted as; identities compare by content", () => {
        assert.equal(
            awsIdentityText({ assumeRoles: [{ roleArn: "arn:aws:iam::1:role/a" }, { roleArn: "arn:aws:iam::2:role/b" }] }),
            " (as arn:aws:iam::2:role/b)",
        );
        assert.equal(awsIdentityText({ profile: "prod" }), " (as profile prod)");
        assert.equal(awsIdentityText(undefined), "");
        assert.equal(sameAwsIdentity(undefined, {}), true);
        assert.equal(sameAwsIdentity({ profile: "a" }, { profile: "a", assumeRoles: [] }), true);
        assert.equal(sameAwsIdentity({ assumeRoles: [{ roleArn: "r", externalId: "x" }] }, { assumeRoles: [{ roleArn: "r" }] }), false);
    });
});
