/**
 * The benchmarks' synthetic fleet must stay a valid, deployable stack as the schema evolves (a bench that
 * fails to start measures nothing). No timing here: benchmarks measure, tests check.
 */
import { strict as assert } from "node:assert";
import { syntheticFleet } from "../../bench/scale.bench";

describe("bench: the synthetic fleet is a deployable stack", () => {
    it("validates with every kind, and has the node count it was asked for", () => {
        const fleet = syntheticFleet(20);
        const nodes = fleet.clusters.flatMap((c) => (c.kind === "k3s" ? c.servers : [])).length;
        assert.equal(nodes, 20);
        assert.deepEqual([...new Set(fleet.clusters.map((c) => c.kind))].sort(), ["aks", "eks", "gke", "k3s", "openshift"]);
    });
});
