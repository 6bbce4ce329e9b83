/**
 * The GKE logging-component logic against a stubbed ClusterManagerClient (getCluster, updateCluster,
 * getOperation): GKE cannot run here. The stub keeps the cluster's logging state across calls.
 */
import { strict as assert } from "node:assert";
import {
    ensureComponents,
    GkeClusterApi,
    GkeLoggingOutputs,
    makeGkeLoggingProvider,
    readLoggingComponents,
    removeComponents,
    waitForOperation,
} from "../../../components/gke/logging-provider";

const CLUSTER = "projects/akko-analytics-prod/locations/europe-west1/clusters/analytics-prod";
const where = { project: "akko-analytics-prod", location: "europe-west1", clusterName: "analytics-prod" };
const noSleep = { sleep: async () => undefined };

/** A fake cluster; components may be reported as enum names or numbers (both occur in the client). */
function fakeGke(initial: (string | number)[], opts: { pollsUntilDone?: number; error?: { code: number; message: string } } = {}) {
    const state = { components: [...initial], calls: [] as string[], updates: [] as any[], polls: 0 };
    let pending: string[] = [];
    const client: GkeClusterApi = {
        async getCluster(req) {
            state.calls.push(`getCluster ${req.name}`);
            if (req.name !== CLUSTER) throw Object.assign(new Error("5 NOT_FOUND: cluster not found"), { code: 5 });
            return [{ name: "analytics-prod", loggingConfig: { componentConfig: { enableComponents: state.components } } }];
        },
        async updateCluster(req) {
            state.calls.push(`updateCluster ${req.name}`);
            state.updates.push(req.update);
            pending = req.update.desiredLoggingConfig.componentConfig.enableComponents;
            state.polls = 0;
            return [{ name: `operation-${state.updates.length}`, status: "RUNNING" }];
        },
        async getOperation(req) {
            state.calls.push(`getOperation ${req.name}`);
            state.polls++;
            if (state.polls < (opts.pollsUntilDone ?? 2)) return [{ status: "RUNNING" }];
            if (opts.error) return [{ status: "DONE", error: opts.error }];
            state.components = pending;
            return [{ status: 3 }];
        },
    };
    return { state, client };
}

describe("GKE logging-component logic (stubbed GKE API)", () => {
    it("reads components, normalizing enum numbers", async () => {
        const { client } = fakeGke([3, "SYSTEM_COMPONENTS", 2]);
        assert.deepEqual(await readLoggingComponents(client, CLUSTER), ["APISERVER", "SYSTEM_COMPONENTS", "WORKLOADS"]);
    });

    it("adds APISERVER to what is on, leaving WORKLOADS alone, and waits for the operation", async () => {
        const { client, state } = fakeGke(["SYSTEM_COMPONENTS", "WORKLOADS"], { pollsUntilDone: 3 });
        const r = await ensureComponents(client, where, ["APISERVER"], noSleep);
        assert.deepEqual(r, { before: ["SYSTEM_COMPONENTS", "WORKLOADS"], added: ["APISERVER"] });
        assert.deepEqual(state.updates, [
            { desiredLoggingConfig: { componentConfig: { enableComponents: ["APISERVER", "SYSTEM_COMPONENTS", "WORKLOADS"] } } },
        ]);
        assert.deepEqual(state.calls, [
            `getCluster ${CLUSTER}`,
            `updateCluster ${CLUSTER}`,
            ...[1, 2, 3].map(() => "getOperation projects/akko-analytics-prod/locations/europe-west1/operations/operation-1"),
        ]);
        assert.deepEqual(state.components, ["APISERVER", "SYSTEM_COMPONENTS", "WORKLOADS"]);
    });

    it("calls nothing but getCluster when APISERVER is already on", async () => {
        const { client, state } = fakeGke([1, 3]);
        assert.deepEqual(await ensureComponents(client, where, ["APISERVER"], noSleep), { before: ["APISERVER", "SYSTEM_COMPONENTS"], added: [] });
        assert.deepEqual(state.calls, [`getCluster ${CLUSTER}`]);
    });

    it("with logging off entirely, adds SYSTEM_COMPONENTS too (GKE requires it) and removes both on restore", async () => {
        const { client, state } = fakeGke([]);
        const r = await ensureComponents(client, where, ["APISERVER"], noSleep);
        assert.deepEqual(r.added, ["APISERVER", "SYSTEM_COMPONENTS"]);
        assert.deepEqual(await removeComponents(client, where, r.added, noSleep), { removed: ["APISERVER", "SYSTEM_COMPONENTS"] });
        assert.deepEqual(state.components, []);
    });

    it("fails with GKE's own error when the operation fails", async () => {
        const { client } = fakeGke(["SYSTEM_COMPONENTS"], { error: { code: 9, message: "Cluster is running incompatible operation operation-77." } });
        await assert.rejects(ensureComponents(client, where, ["APISERVER"], noSleep), {
            message: "GKE operation operation-1 failed: Cluster is running incompatible operation operation-77.",
        });
    });

    it("fails when the operation outlives the timeout", async () => {
        const client: GkeClusterApi = {
            getCluster: async () => [{}],
            updateCluster: async () => [{}],
            getOperation: async () => [{ status: "RUNNING" }],
        };
        let t = 0;
        await assert.rejects(
            waitForOperation(client, "p-123456", "europe-west1", "op-1", {
                timeoutMs: 120_000,
                pollIntervalMs: 60_000,
                now: () => t,
                sleep: async (ms) => void (t += ms),
            }),
            {
                message:
                    "GKE operation op-1 still RUNNING after 2 minutes; check it with gcloud container operations describe op-1 --location europe-west1 --project p-123456",
            },
        );
    });

    describe("the dynamic provider", () => {
        const inputs = { ...where, components: ["APISERVER"], pollIntervalSeconds: 0 };

        it("create records what it added; delete removes only that, keeping changes made since", async () => {
            const fake = fakeGke(["SYSTEM_COMPONENTS"]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            const created = await provider.create(inputs);
            assert.equal(created.id, CLUSTER);
            assert.deepEqual(created.outs!.addedComponents, ["APISERVER"]);
            fake.state.components = [...fake.state.components, "WORKLOADS"]; // someone else turns on WORKLOADS
            await provider.delete!(created.id, created.outs as GkeLoggingOutputs);
            assert.deepEqual(fake.state.components, ["SYSTEM_COMPONENTS", "WORKLOADS"]);
        });

        it("create on a cluster that already has APISERVER adds nothing, and delete then changes nothing", async () => {
            const fake = fakeGke(["APISERVER", "SYSTEM_COMPONENTS"]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            const created = await provider.create(inputs);
            assert.deepEqual(created.outs!.addedComponents, []);
            await provider.delete!(created.id, created.outs as GkeLoggingOutputs);
            assert.equal(fake.state.updates.length, 0);
            assert.deepEqual(fake.state.components, ["APISERVER", "SYSTEM_COMPONENTS"]);
        });

        it("update that drops APISERVER from the config turns it off only when this stack had added it", async () => {
            const fake = fakeGke(["SYSTEM_COMPONENTS"]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            const created = await provider.create(inputs);
            const updated = await provider.update!(created.id, created.outs as GkeLoggingOutputs, { ...inputs, components: [] });
            assert.deepEqual(updated.outs!.addedComponents, []);
            assert.deepEqual(fake.state.components, ["SYSTEM_COMPONENTS"]);
        });

        it("delete succeeds when the cluster is gone", async () => {
            const fake = fakeGke([]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            await provider.delete!("x", { ...inputs, clusterName: "gone", addedComponents: ["APISERVER"] });
            assert.equal(fake.state.updates.length, 0);
        });

        it("read: a cluster that is gone is a resource that is gone (empty id: refresh drops it instead of failing)", async () => {
            const fake = fakeGke([]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            assert.deepEqual(await provider.read!("x", { ...inputs, clusterName: "gone", addedComponents: [] }), { id: "", props: {} });
        });

        it("check: a missing cluster fails preview, naming it and the identity; an unchanged target calls nothing", async () => {
            const fake = fakeGke([]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            const identity = { impersonateServiceAccount: "deployer@akko-analytics-prod.iam.gserviceaccount.com" };
            const gone = { ...inputs, clusterName: "gone", identity };
            assert.deepEqual(await provider.check!({} as never, gone), {
                inputs: gone,
                failures: [
                    {
                        property: "clusterName",
                        reason: `GKE cluster projects/${inputs.project}/locations/${inputs.location}/clusters/gone not found (as deployer@akko-analytics-prod.iam.gserviceaccount.com): check project, location and clusterName in akko-audit:clusters`,
                    },
                ],
            });
            assert.deepEqual(await provider.check!({} as never, inputs), { inputs });
            assert.deepEqual(await provider.check!(inputs, { ...inputs, components: ["APISERVER", "WORKLOADS"] }), {
                inputs: { ...inputs, components: ["APISERVER", "WORKLOADS"] },
            });
            assert.deepEqual(await provider.diff!("x", { ...inputs, addedComponents: [] }, { ...inputs, identity }), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: true,
            });
        });

        it("read shows drift when APISERVER was turned off elsewhere", async () => {
            const fake = fakeGke(["SYSTEM_COMPONENTS"]);
            const provider = makeGkeLoggingProvider(() => fake.client);
            const r = await provider.read!(CLUSTER, { ...inputs, addedComponents: ["APISERVER"] });
            assert.deepEqual(r.props!.components, []);
        });

        it("diff: another cluster is a replacement; the same components are no change", async () => {
            const provider = makeGkeLoggingProvider(() => fakeGke([]).client);
            const olds = { ...inputs, addedComponents: [] };
            assert.deepEqual(await provider.diff!("x", olds, inputs), { changes: false, replaces: [], deleteBeforeReplace: true });
            assert.deepEqual(await provider.diff!("x", olds, { ...inputs, location: "europe-west1-b" }), {
                changes: true,
                replaces: ["location"],
                deleteBeforeReplace: true,
            });
        });
    });
});
