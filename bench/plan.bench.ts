/**
 * Benchmark: the change preview's step computation (components/plan/steps.ts, effects.ts) for fleets of
 * 100, 1000 and 2000 k3s nodes plus 50 managed clusters, on the registrations the real program makes under
 * the SDK's mocks. Two changes: none (a second `pulumi up`), and a policy change on every node (its apply
 * command and policy upload differ). Baseline: matching the same registrations by URN and comparing their
 * inputs as JSON, the least any diff must do. Prints JSON.
 *
 *   npm run bench:plan                   # sizes 100,1000,2000
 *   npm run bench:plan -- --sizes 100
 */
import { buildPlan } from "../components/plan";
import { changePreview } from "../components/plan/effects";
import { Registration } from "../components/plan/steps";
import { auditProgram } from "../components/rollout/program";
import { printResult, round, syntheticFleet } from "./scale.bench";

const AT = { project: "akko-audit", stack: "bench" };

/** The registrations after a policy change: each node's policy upload and apply command differ. */
function withPolicyChange(base: Registration[]): Registration[] {
    return base.map((r) => {
        if (r.name.endsWith("-policy")) return { ...r, inputs: { ...r.inputs, source: { asset: "changed policy" } } };
        if (r.name.endsWith("-apply")) return { ...r, inputs: { ...r.inputs, update: `${String(r.inputs.update)} # changed` } };
        return r;
    });
}

function time<T>(fn: () => T): { value: T; seconds: number } {
    const start = process.hrtime.bigint();
    const value = fn();
    return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function baseline(olds: Registration[], news: Registration[]): number {
    const byUrn = new Map(olds.map((r) => [r.urn, r]));
    let changed = 0;
    for (const r of news) if (JSON.stringify(byUrn.get(r.urn)?.inputs) !== JSON.stringify(r.inputs)) changed++;
    return changed;
}

async function main(): Promise<void> {
    const i = process.argv.indexOf("--sizes");
    const sizes = (i >= 0 ? process.argv[i + 1] : "100,1000,2000").split(",").map(Number);
    const results = [];
    for (const nodes of sizes) {
        const base = (await buildPlan(syntheticFleet(nodes), auditProgram)).registrations;
        const changed = withPolicyChange(base);
        changePreview({ label: "warm-up", resources: base }, { label: "head", resources: changed }, AT);
        const same = time(() => changePreview({ label: "base", resources: base }, { label: "head", resources: base }, AT));
        const policy = time(() => changePreview({ label: "base", resources: base }, { label: "head", resources: changed }, AT));
        const bare = time(() => baseline(base, changed));
        results.push({
            k3sNodes: nodes,
            registrations: base.length,
            noChange: { seconds: round(same.seconds), steps: same.value.steps.length },
            policyChange: { seconds: round(policy.seconds), steps: policy.value.steps.length, updates: policy.value.counts.update },
            jsonCompareBaseline: { seconds: round(bare.seconds), changed: bare.value },
            ratioToBaseline: round(policy.seconds / bare.seconds),
        });
    }
    printResult("change preview steps", "linear growth; seconds, not minutes, at 2000 nodes", results);
}

void main();
