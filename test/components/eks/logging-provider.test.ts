/**
 * The EKS logging logic against a stubbed AWS SDK (aws-sdk-client-mock replaces EKSClient#send): the
 * narrowest boundary, since EKS itself cannot run here. The stub keeps a cluster's logging state so that
 * read -> update -> wait -> restore is exercised as a sequence, not call by call.
 */
import { strict as assert } from "node:assert";
import { DescribeClusterCommand, DescribeUpdateCommand, EKSClient, UpdateClusterConfigCommand } from "@aws-sdk/client-eks";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import {
    eksLoggingProvider,
    EksLoggingOutputs,
    logTypeChange,
    readEnabledLogTypes,
    setLogTypes,
    waitForUpdate,
} from "../../../components/eks/logging-provider";

let eks: AwsStub<any, any, any>;
const noSleep = { sleep: async () => undefined };

/** A fake cluster: DescribeCluster reports `enabled`; an update applies after `pollsUntilDone` DescribeUpdate polls. */
function fakeCluster(initial: string[], opts: { pollsUntilDone?: number; fail?: { errorCode: string; errorMessage: string }[] } = {}) {
    const state = { enabled: new Set(initial), polls: 0, updates: 0 };
    const all = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
    eks.on(DescribeClusterCommand).callsFake((input) => {
        if (input.name !== "pay") {
            const e = new Error(`No cluster found for name: ${input.name}.`);
            e.name = "ResourceNotFoundException";
            throw e;
        }
        const on = all.filter((t) => state.enabled.has(t));
        const off = all.filter((t) => !state.enabled.has(t));
        return {
            cluster: {
                name: "pay",
                logging: {
                    clusterLogging: [
                        { types: on, enabled: true },
                        { types: off, enabled: false },
                    ],
                },
            },
        };
    });
    let pending: { types: string[]; enabled: boolean }[] = [];
    eks.on(UpdateClusterConfigCommand).callsFake((input) => {
        state.updates++;
        pending = input.logging.clusterLogging;
        state.polls = 0;
        return { update: { id: `upd-${state.updates}`, status: "InProgress", type: "LoggingUpdate" } };
    });
    eks.on(DescribeUpdateCommand).callsFake(() => {
        state.polls++;
        if (state.polls < (opts.pollsUntilDone ?? 2)) return { update: { status: "InProgress" } };
        if (opts.fail) return { update: { status: "Failed", errors: opts.fail } };
        for (const s of pending) for (const t of s.types) s.enabled ? state.enabled.add(t) : state.enabled.delete(t);
        return { update: { status: "Successful" } };
    });
    return state;
}

describe("EKS logging provider logic (stubbed EKS API)", () => {
    before(() => (eks = mockClient(EKSClient)));
    after(() => eks.restore());
    beforeEach(() => eks.reset());

    it("reads the enabled log types, sorted", async () => {
        fakeCluster(["controllerManager", "audit"]);
        assert.deepEqual(await readEnabledLogTypes(new EKSClient({ region: "eu-west-3" }), "pay"), ["audit", "controllerManager"]);
    });

    it("computes what to turn on and off, or nothing", () => {
        assert.deepEqual(logTypeChange(["api", "audit"], ["audit", "authenticator"]), { enable: ["authenticator"], disable: ["api"] });
        assert.equal(logTypeChange(["audit", "api"], ["api", "audit"]), undefined);
    });

    it("calls nothing but DescribeCluster when the cluster already matches (EKS rejects a no-op update)", async () => {
        fakeCluster(["audit", "authenticator"]);
        const r = await setLogTypes(new EKSClient({ region: "eu-west-3" }), "pay", ["authenticator", "audit"], noSleep);
        assert.deepEqual(r, { before: ["audit", "authenticator"] });
        assert.equal(eks.commandCalls(UpdateClusterConfigCommand).length, 0);
        assert.equal(eks.commandCalls(DescribeUpdateCommand).length, 0);
    });

    it("updates only the difference and waits until the update is Successful", async () => {
        const state = fakeCluster(["api"], { pollsUntilDone: 3 });
        const slept: number[] = [];
        const r = await setLogTypes(new EKSClient({ region: "eu-west-3" }), "pay", ["audit", "authenticator", "controllerManager"], {
            pollIntervalMs: 5000,
            sleep: async (ms) => void slept.push(ms),
        });
        assert.deepEqual(r, { before: ["api"], updateId: "upd-1" });
        const update = eks.commandCalls(UpdateClusterConfigCommand);
        assert.equal(update.length, 1);
        assert.deepEqual(update[0].args[0].input, {
            name: "pay",
            logging: {
                clusterLogging: [
                    { types: ["audit", "authenticator", "controllerManager"], enabled: true },
                    { types: ["api"], enabled: false },
                ],
            },
        });
        assert.deepEqual(
            eks.commandCalls(DescribeUpdateCommand).map((c) => c.args[0].input),
            [1, 2, 3].map(() => ({ name: "pay", updateId: "upd-1" })),
        );
        assert.deepEqual(slept, [5000, 5000]);
        assert.deepEqual([...state.enabled].sort(), ["audit", "authenticator", "controllerManager"]);
    });

    it("fails with the update's own errors when it does not succeed", async () => {
        fakeCluster([], {
            fail: [
                { errorCode: "AccessDenied", errorMessage: "not authorized to perform logs:CreateLogGroup" },
                { errorCode: "ClusterUnreachable", errorMessage: "try later" },
            ],
        });
        await assert.rejects(setLogTypes(new EKSClient({ region: "eu-west-3" }), "pay", ["audit"], noSleep), {
            message:
                'EKS cluster "pay": logging update upd-1 failed: AccessDenied: not authorized to perform logs:CreateLogGroup; ClusterUnreachable: try later',
        });
    });

    it("says what to do when another update is running", async () => {
        eks.on(DescribeClusterCommand).resolves({ cluster: { logging: { clusterLogging: [] } } });
        const busy = Object.assign(new Error("Cluster has update in progress"), { name: "ResourceInUseException" });
        eks.on(UpdateClusterConfigCommand).rejects(busy);
        await assert.rejects(setLogTypes(new EKSClient({ region: "eu-west-3" }), "pay", ["audit"], noSleep), {
            message:
                'EKS cluster "pay": another update is in progress (Cluster has update in progress); run `pulumi up` again once it has finished (aws eks list-updates --name pay)',
        });
    });

    it("fails when the update outlives the timeout", async () => {
        eks.on(DescribeUpdateCommand).resolves({ update: { status: "InProgress" } });
        let t = 0;
        await assert.rejects(
            waitForUpdate(new EKSClient({ region: "eu-west-3" }), "pay", "upd-9", {
                timeoutMs: 60_000,
                pollIntervalMs: 20_000,
                now: () => t,
                sleep: async (ms) => void (t += ms),
            }),
            {
                message:
                    'EKS cluster "pay": logging update upd-9 still InProgress after 1 minutes; check it with aws eks describe-update --name pay --update-id upd-9',
            },
        );
        assert.equal(eks.commandCalls(DescribeUpdateCommand).length, 4);
    });

    describe("the dynamic provider", () => {
        const inputs = { clusterName: "pay", region: "eu-west-3", logTypes: ["controllerManager", "audit"], pollIntervalSeconds: 0 };

        it("create remembers what was on; delete restores exactly that", async () => {
            const state = fakeCluster(["api", "audit"]);
            const created = await eksLoggingProvider.create(inputs);
            assert.equal(created.id, "eu-west-3/pay");
            assert.deepEqual(created.outs, { ...inputs, logTypes: ["audit", "controllerManager"], previousLogTypes: ["api", "audit"] });
            assert.deepEqual([...state.enabled].sort(), ["audit", "controllerManager"]);

            await eksLoggingProvider.delete!(created.id, created.outs as EksLoggingOutputs);
            assert.deepEqual([...state.enabled].sort(), ["api", "audit"]);
            assert.deepEqual(eks.commandCalls(UpdateClusterConfigCommand).at(-1)!.args[0].input.logging, {
                clusterLogging: [
                    { types: ["api"], enabled: true },
                    { types: ["controllerManager"], enabled: false },
                ],
            });
        });

        it("a second create/update with the same types calls no update (idempotent)", async () => {
            fakeCluster(["audit", "controllerManager"]);
            const created = await eksLoggingProvider.create(inputs);
            const updated = await eksLoggingProvider.update!(created.id, created.outs as EksLoggingOutputs, inputs);
            assert.equal(eks.commandCalls(UpdateClusterConfigCommand).length, 0);
            assert.deepEqual((updated.outs as EksLoggingOutputs).previousLogTypes, ["audit", "controllerManager"]);
        });

        it("update keeps the original previousLogTypes for the eventual restore", async () => {
            fakeCluster([]);
            const created = await eksLoggingProvider.create(inputs);
            const updated = await eksLoggingProvider.update!(created.id, created.outs as EksLoggingOutputs, { ...inputs, logTypes: ["audit"] });
            assert.deepEqual(updated.outs, { ...inputs, logTypes: ["audit"], previousLogTypes: [] });
        });

        it("delete succeeds when the cluster is already gone", async () => {
            fakeCluster([]);
            await eksLoggingProvider.delete!("eu-west-3/gone", { ...inputs, clusterName: "gone", previousLogTypes: [] });
            assert.equal(eks.commandCalls(UpdateClusterConfigCommand).length, 0);
        });

        it("read reports the live log types (drift shows on refresh)", async () => {
            fakeCluster(["api"]);
            const r = await eksLoggingProvider.read!("eu-west-3/pay", { ...inputs, previousLogTypes: [] });
            assert.deepEqual(r.props!.logTypes, ["api"]);
        });

        it("read: a cluster that is gone is a resource that is gone (empty id: refresh drops it instead of failing)", async () => {
            fakeCluster([]);
            assert.deepEqual(await eksLoggingProvider.read!("eu-west-3/gone", { ...inputs, clusterName: "gone", previousLogTypes: [] }), {
                id: "",
                props: {},
            });
        });

        it("check: a missing cluster fails preview, naming it, the region and the identity; an unchanged target calls nothing", async () => {
            fakeCluster([]);
            const identity = { assumeRoles: [{ roleArn: "arn:aws:iam::210987654321:role/akko-audit-deployer" }] };
            assert.deepEqual(await eksLoggingProvider.check!({} as never, { ...inputs, clusterName: "gone", identity }), {
                inputs: { ...inputs, clusterName: "gone", identity },
                failures: [
                    {
                        property: "clusterName",
                        reason: 'EKS cluster "gone" not found in eu-west-3 (as arn:aws:iam::210987654321:role/akko-audit-deployer): check clusterName, region and the cluster\'s roleArn/profile in akko-audit:clusters',
                    },
                ],
            });
            assert.deepEqual(await eksLoggingProvider.check!({} as never, inputs), { inputs, failures: [] });
            const calls = eks.commandCalls(DescribeClusterCommand).length;
            assert.deepEqual(await eksLoggingProvider.check!(inputs, { ...inputs, logTypes: ["audit"] }), {
                inputs: { ...inputs, logTypes: ["audit"] },
            });
            assert.equal(eks.commandCalls(DescribeClusterCommand).length, calls);
        });

        it("diff: a new identity is an update that records it (delete and refresh then act as it); no replace", async () => {
            const olds = { ...inputs, logTypes: ["audit", "controllerManager"], previousLogTypes: [] };
            assert.deepEqual(await eksLoggingProvider.diff!("x", olds, { ...olds, identity: { profile: "prod" } }), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: true,
            });
        });

        it("diff: log types in any order are no change; other types are a change; another cluster is a replacement", async () => {
            const olds = { ...inputs, logTypes: ["audit", "controllerManager"], previousLogTypes: [] };
            assert.deepEqual(await eksLoggingProvider.diff!("x", olds, { ...inputs, logTypes: ["controllerManager", "audit"] }), {
                changes: false,
                replaces: [],
                deleteBeforeReplace: true,
            });
            assert.deepEqual(await eksLoggingProvider.diff!("x", olds, { ...inputs, logTypes: ["audit"] }), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: true,
            });
            assert.deepEqual(await eksLoggingProvider.diff!("x", olds, { ...inputs, clusterName: "other" }), {
                changes: true,
                replaces: ["clusterName"],
                deleteBeforeReplace: true,
            });
        });
    });
});
