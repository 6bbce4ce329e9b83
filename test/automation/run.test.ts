import { strict as assert } from "node:assert";
import type { CommandError } from "@pulumi/pulumi/automation";
import { AutomationError, destroy, outputs, preview, Progress, up } from "../../automation";
import { diagnostic, pre, ROLLOUT, stepDone, summary } from "./events";
import { fakeStacks } from "./fake-stack";
import { prodInput, SECRETS } from "./fixtures";

const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError(r: unknown): CommandError };
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as {
    CommandResult: new (stdout: string, stderr: string, code: number) => unknown;
};

const program = async () => ({});
const EVENTS = [
    pre("same", "pulumi:pulumi:Stack", "akko-audit-prod"),
    ...stepDone("create", ROLLOUT, "prod"),
    ...stepDone("create", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]),
    ...stepDone("create", "command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT, "akko:audit:K3sCluster"]),
    ...stepDone("update", "aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group", [ROLLOUT, "akko:audit:EksAuditLogging"]),
    summary({ create: 3, update: 1 }, 90),
];

describe("automation: preview / up / destroy / outputs (Automation API stubbed at StackSource)", () => {
    it("preview: creates or selects the inline stack, sets the typed config, streams progress, summarises changes", async () => {
        const { stacks, rec } = fakeStacks({
            events: EVENTS,
            output: ["Previewing update (prod)\n"],
            changeSummary: { create: 3, update: 1, same: 1 },
        });
        const seen: Progress[] = [];
        const out: string[] = [];
        const r = await preview({
            stackName: "prod",
            program,
            config: prodInput(),
            stacks,
            workDir: "/tmp/akko",
            onProgress: (p) => seen.push(p),
            onOutput: (t) => out.push(t),
        });

        assert.deepEqual(rec.calls, ["createOrSelectStack", "setAllConfig", "preview"]);
        assert.equal(rec.args!.stackName, "prod");
        assert.equal(rec.args!.projectName, "akko-audit");
        assert.equal(rec.args!.program, program);
        assert.deepEqual(rec.wsOpts, { workDir: "/tmp/akko" });
        assert.deepEqual(rec.config!["akko-audit:edgeSshKey"], { value: SECRETS.edgeSshKey, secret: true });
        assert.deepEqual(out, ["Previewing update (prod)\n"]);

        assert.deepEqual(r.totals, { create: 3, update: 1, same: 1 });
        assert.deepEqual(r.changes, {
            [ROLLOUT]: { create: 1 },
            "akko:audit:K3sCluster": { create: 1 },
            "command:remote:Command": { create: 1 },
            "aws:cloudwatch/logGroup:LogGroup": { update: 1 },
        });
        assert.deepEqual(r.clusters, {});
        assert.equal(r.durationSeconds, 90);
        // Cluster names come from the typed config; progress was reported as events arrived.
        assert.deepEqual(r.progress.byCluster["edge-paris"], { started: 2, done: 2, failed: 0 });
        assert.deepEqual(r.progress.byCluster["payments-eu"], { started: 1, done: 1, failed: 0 });
        assert.equal(seen.length, 9);
        assert.deepEqual(seen[2].steps, { started: 2, done: 1, failed: 0 });
    });

    it("up: returns per-cluster status from the clusters output and hides secret outputs", async () => {
        const { stacks } = fakeStacks({
            events: EVENTS,
            changeSummary: { create: 3 },
            outputs: {
                clusters: { value: { "edge-paris": { kind: "k3s", enabled: ["audit policy"], logsTo: "loki" } }, secret: false },
                lokiPushUrl: { value: "http://loki.akko.svc:3100/loki/api/v1/push", secret: false },
                grafanaAdminPassword: { value: "hunter2", secret: true },
            },
        });
        const r = await up({ stackName: "prod", program, stacks, clusters: ["edge-paris"] });
        assert.deepEqual(r.clusters, { "edge-paris": { kind: "k3s", enabled: ["audit policy"], logsTo: "loki" } });
        assert.deepEqual(r.outputs, { lokiPushUrl: "http://loki.akko.svc:3100/loki/api/v1/push", grafanaAdminPassword: "[secret]" });
        assert.ok(!JSON.stringify(r).includes("hunter2"));
        assert.equal(r.durationSeconds, 90);
        assert.deepEqual(r.totals, { create: 3 });
    });

    it("up: a list of cluster statuses is keyed by name", async () => {
        const { stacks } = fakeStacks({
            outputs: { clusters: { value: [{ name: "edge", kind: "k3s" }, { cluster: "aks1", kind: "aks" }, 3], secret: false } },
        });
        assert.deepEqual((await up({ stackName: "dev", program, stacks })).clusters, {
            edge: { name: "edge", kind: "k3s" },
            aks1: { cluster: "aks1", kind: "aks" },
        });
    });

    it("without config, uses the stack's own config (Pulumi.<stack>.yaml): nothing is set", async () => {
        const { stacks, rec } = fakeStacks();
        await destroy({ stackName: "prod", program, stacks, workDir: "/repo" });
        assert.deepEqual(rec.calls, ["createOrSelectStack", "destroy"]);
    });

    it("bad config fails before any stack is created or selected, with every problem", async () => {
        const { stacks, rec } = fakeStacks();
        const input = prodInput();
        const i = input.clusters.findIndex((c) => c.name === "payments-eu");
        (input.clusters[i] as { region: string }).region = "eu-west-9";
        await assert.rejects(up({ stackName: "prod", program, stacks, config: input }), (e: unknown) => {
            assert.ok(e instanceof AutomationError);
            assert.equal(e.message, "stack prod: 1 config problem(s); nothing was changed");
            assert.deepEqual(e.problems, [
                `akko-audit:clusters[${i}] (cluster "payments-eu", kind eks): field region: got "eu-west-9"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)`,
            ]);
            return true;
        });
        assert.deepEqual(rec.calls, []);
    });

    it("a failed update: one line naming the first engine error", async () => {
        const { stacks } = fakeStacks({
            events: [
                ...EVENTS.slice(0, 3),
                diagnostic(
                    "error",
                    "ssh: handshake failed: host key mismatch\n",
                    "urn:pulumi:prod::akko-audit::command:remote:Command::edge-paris-server-0-policy",
                ),
            ],
            error: createCommandError(new CommandResult("", "error: update failed\n", 255)),
        });
        await assert.rejects(up({ stackName: "prod", program, stacks }), {
            name: "AutomationError",
            message: "pulumi up of stack prod failed (exit 255): edge-paris-server-0-policy: ssh: handshake failed: host key mismatch",
        });
    });

    it("a locked stack: the ConcurrentUpdateError message", async () => {
        const { stacks } = fakeStacks({ error: createCommandError(new CommandResult("", "error: the stack is currently locked by 1 lock(s)", 255)) });
        await assert.rejects(preview({ stackName: "prod", program, stacks }), {
            message:
                "stack prod: another update is running (the stack is locked); wait for it, or if none is running clear the stale lock with 'pulumi cancel --stack prod'",
        });
    });

    it("outputs: selects (never creates) the stack and returns per-cluster status; an unknown stack is StackNotFoundError's message", async () => {
        const { stacks, rec } = fakeStacks({
            outputs: { clusters: { value: { edge: { kind: "k3s" } }, secret: false }, token: { value: "t", secret: true } },
        });
        assert.deepEqual(await outputs({ stackName: "prod", stacks }), { clusters: { edge: { kind: "k3s" } }, outputs: { token: "[secret]" } });
        assert.deepEqual(rec.calls, ["selectStack", "outputs"]);

        const missing = fakeStacks({ selectError: createCommandError(new CommandResult("", "error: no stack named 'qa' found", 255)) });
        await assert.rejects(outputs({ stackName: "qa", stacks: missing.stacks }), {
            message: "stack qa: no such stack in the backend; create it with 'akko-audit up --stack qa' (or 'pulumi stack init qa')",
        });
    });
});
