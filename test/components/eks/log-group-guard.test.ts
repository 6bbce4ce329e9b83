/**
 * The log-group check against a stubbed CloudWatch Logs SDK (aws-sdk-client-mock): AWS cannot run here.
 */
import { strict as assert } from "node:assert";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { logGroupExists, logGroupGuardProvider, logGroupProblem } from "../../../components/eks/log-group-guard";

const NAME = "/aws/eks/payments-prod-eu/cluster";
const inputs = { logGroupName: NAME, region: "eu-west-3", adopt: false, clusterLabel: "payments-eu" };

describe("EKS log group check (stubbed CloudWatch Logs API)", () => {
    let logs: AwsStub<any, any, any>;
    before(() => (logs = mockClient(CloudWatchLogsClient)));
    after(() => logs.restore());
    beforeEach(() => logs.reset());

    it("finds the exact name across pages, not a longer name sharing the prefix", async () => {
        logs.on(DescribeLogGroupsCommand)
            .resolvesOnce({ logGroups: [{ logGroupName: `${NAME}-old` }], nextToken: "p2" })
            .resolvesOnce({ logGroups: [{ logGroupName: NAME }] });
        assert.equal(await logGroupExists(new CloudWatchLogsClient({ region: "eu-west-3" }), NAME), true);
        assert.deepEqual(
            logs.commandCalls(DescribeLogGroupsCommand).map((c) => c.args[0].input),
            [
                { logGroupNamePrefix: NAME, nextToken: undefined },
                { logGroupNamePrefix: NAME, nextToken: "p2" },
            ],
        );
        logs.reset();
        logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: `${NAME}-old` }] });
        assert.equal(await logGroupExists(new CloudWatchLogsClient({ region: "eu-west-3" }), NAME), false);
    });

    it("an existing group without the flag fails with how to adopt it", async () => {
        logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: NAME }] });
        await assert.rejects(logGroupGuardProvider.create(inputs), {
            message:
                'cluster "payments-eu": CloudWatch log group /aws/eks/payments-prod-eu/cluster (eu-west-3) already exists — EKS created it when control-plane logging was on before, with no expiry. Adopt it: set adoptExistingLogGroup: true on cluster "payments-eu" in akko-audit:clusters and run `pulumi up` again (it is imported, not recreated; its retention applies once the flag is removed). Or delete it first (its events are lost): aws logs delete-log-group --log-group-name /aws/eks/payments-prod-eu/cluster --region eu-west-3',
        });
        assert.equal(await logGroupProblem(new CloudWatchLogsClient({ region: "eu-west-3" }), { ...inputs, adopt: true }), undefined);
    });

    it("the flag without a group fails too; no group and no flag passes", async () => {
        logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
        assert.equal(
            await logGroupProblem(new CloudWatchLogsClient({ region: "eu-west-3" }), { ...inputs, adopt: true }),
            'cluster "payments-eu": adoptExistingLogGroup is true but CloudWatch log group /aws/eks/payments-prod-eu/cluster (eu-west-3) does not exist; remove adoptExistingLogGroup so that it is created',
        );
        assert.deepEqual(await logGroupGuardProvider.create(inputs), { id: `eu-west-3${NAME}`, outs: inputs });
    });

    it("check runs the lookup, so preview shows the problem; only for a new group", async () => {
        logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: NAME }] });
        const r = await logGroupGuardProvider.check!({} as never, inputs);
        assert.deepEqual(
            r.failures?.map((f) => f.property),
            ["logGroupName"],
        );
        assert.ok(
            r.failures![0].reason.startsWith(
                'cluster "payments-eu": CloudWatch log group /aws/eks/payments-prod-eu/cluster (eu-west-3) already exists',
            ),
        );
        // Already created: nothing is looked up again (the group now exists because this stack made it).
        const calls = logs.commandCalls(DescribeLogGroupsCommand).length;
        assert.deepEqual(await logGroupGuardProvider.check!(inputs, { ...inputs, adopt: true }), { inputs: { ...inputs, adopt: true } });
        assert.equal(logs.commandCalls(DescribeLogGroupsCommand).length, calls);
    });

    it("runs once: toggling the flag later is no change; another group is a replacement", async () => {
        assert.deepEqual(await logGroupGuardProvider.diff!("x", inputs, { ...inputs, adopt: true }), { changes: false, replaces: [] });
        assert.deepEqual(await logGroupGuardProvider.diff!("x", inputs, { ...inputs, region: "eu-west-1" }), { changes: true, replaces: ["region"] });
    });
});
