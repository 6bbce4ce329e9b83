import { strict as assert } from "node:assert";
import type { DestroyOptions, RefreshOptions } from "@pulumi/pulumi/automation";
import * as sdk from "@pulumi/pulumi/automation";
import {
    AutomationError,
    CommandError,
    ConcurrentUpdateError,
    destroy,
    outputs,
    PolicyRunOptions,
    preview,
    Progress,
    refresh,
    StackNotFoundError,
    up,
} from "../../automation";
import { ConfigError } from "../../components/config/errors";
import { diagnostic, pre, ROLLOUT, stepDone, summary } from "./events";
import { fakeStacks } from "./fake-stack";
import { prodInput, SECRETS } from "./fixtures";

const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError(r: unknown): CommandError };
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as {
    CommandResult: new (stdout: string, stderr: string, code: number) => unknown;
};

const program = async () => ({});

/** The AutomationError a run rejects with (asserting it is one). */
async function failure(run: Promise<unknown>): Promise<AutomationError> {
    const e = await run.then(
        () => assert.fail("expected the run to fail"),
        (err: unknown) => err,
    );
    assert.ok(e instanceof AutomationError, `not an AutomationError: ${String(e)}`);
    return e;
}

/** What the SDK throws when `pulumi stack select` finds no such stack (its own classifier on the CLI's stderr). */
const notFound = (stack: string) => createCommandError(new CommandResult("", `error: no stack named '${stack}' found`, 255));

// If a later SDK adds policyPacks to DestroyOptions or RefreshOptions, this stops compiling: pass them through then.
const SDK_HAS_NO_POLICY_PACKS_ON_DESTROY_OR_REFRESH: "policyPacks" extends keyof DestroyOptions | keyof RefreshOptions ? never : true = true;
const EVENTS = [
    pre("same", "pulumi:pulumi:Stack", "akko-audit-prod"),
    ...stepDone("create", ROLLOUT, "prod"),
    ...stepDone("create", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]),
    ...stepDone("create", "command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT, "akko:audit:K3sCluster"]),
    ...stepDone("update", "aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group", [ROLLOUT, "akko:audit:EksAuditLogging"]),
    summary({ create: 3, update: 1 }, 90),
];

describe("automation: preview / up / refresh / destroy / outputs (Automation API stubbed at StackSource)", () => {
    it("preview: selects (never creates) the inline stack, sets the typed config, streams progress, summarises changes", async () => {
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

        assert.deepEqual(rec.calls, ["selectStack", "setAllConfig", "preview"]);
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
        assert.deepEqual(rec.calls, ["selectStack", "destroy"]);
    });

    it("bad config fails before any stack is created or selected, with every problem", async () => {
        const { stacks, rec } = fakeStacks();
        const input = prodInput();
        const i = input.clusters.findIndex((c) => c.name === "payments-eu");
        (input.clusters[i] as { region: string }).region = "eu-west-9";
        await assert.rejects(up({ stackName: "prod", program, stacks, config: input }), (e: unknown) => {
            assert.ok(e instanceof AutomationError);
            assert.equal(e.message, "stack prod: 1 config problem(s); nothing was changed");
            assert.ok(e.cause instanceof ConfigError);
            assert.deepEqual(e.cause.problems, e.problems);
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
        // The SDK's error is kept as the cause, with the CLI's exit code.
        const e = await failure(up({ stackName: "prod", program, stacks }));
        assert.ok(e.cause instanceof CommandError);
        assert.equal(e.cause.name, "CommandError");
        assert.match(e.cause.message, /^code: 255\n/);
    });

    it("a locked stack: the ConcurrentUpdateError message", async () => {
        const locked = createCommandError(new CommandResult("", "error: the stack is currently locked by 1 lock(s)", 255));
        const { stacks } = fakeStacks({ error: locked });
        await assert.rejects(preview({ stackName: "prod", program, stacks }), {
            message:
                "stack prod: another update is running (the stack is locked); wait for it, or if none is running clear the stale lock with 'pulumi cancel --stack prod'",
        });
        const e = await failure(preview({ stackName: "prod", program, stacks }));
        assert.ok(e.cause instanceof ConcurrentUpdateError);
        assert.equal(e.cause, locked);
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
        // The stacks could not be listed (best effort): the message leaves them out; nothing was created.
        assert.deepEqual(missing.rec.calls, ["selectStack", "listStacks"]);
        const e = await failure(outputs({ stackName: "qa", stacks: missing.stacks }));
        assert.ok(e.cause instanceof StackNotFoundError);
    });

    it("preview, refresh and destroy of a missing stack: one line naming the stacks there; nothing is created, configured or run", async () => {
        for (const run of [preview, refresh, destroy]) {
            const { stacks, rec } = fakeStacks({ selectError: notFound("prdo"), stacks: ["dev", "prod"] });
            const e = await failure(run({ stackName: "prdo", program, stacks, config: prodInput() }));
            assert.equal(e.name, "AutomationError");
            assert.equal(
                e.message,
                "stack prdo: no such stack in the backend (it has dev, prod); create it with 'akko-audit up --stack prdo' (or 'pulumi stack init prdo')",
            );
            assert.ok(e.cause instanceof StackNotFoundError);
            assert.deepEqual(e.problems, []);
            assert.deepEqual(rec.calls, ["selectStack", "listStacks"], run.name);
        }
        const empty = fakeStacks({ selectError: notFound("prod"), stacks: [] });
        assert.equal(
            (await failure(destroy({ stackName: "prod", program, stacks: empty.stacks }))).message,
            "stack prod: no such stack in the backend (it has none); create it with 'akko-audit up --stack prod' (or 'pulumi stack init prod')",
        );
    });

    it("up is the one operation that creates a missing stack (createOrSelectStack), then sets its config", async () => {
        const { stacks, rec } = fakeStacks();
        await up({ stackName: "qa", program, stacks, config: prodInput() });
        assert.deepEqual(rec.calls, ["createOrSelectStack", "setAllConfig", "up"]);
        assert.equal(rec.args!.stackName, "qa");
    });

    it("refresh: selects the stack, streams progress, returns the engine's totals; its reads are not changes", async () => {
        const { stacks, rec } = fakeStacks({
            events: [
                ...stepDone("refresh", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]),
                ...stepDone("refresh", "aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group", [ROLLOUT, "akko:audit:EksAuditLogging"]),
                summary({ same: 1, update: 1 }, 12),
            ],
            changeSummary: { same: 1, update: 1 },
        });
        const seen: Progress[] = [];
        const r = await refresh({ stackName: "prod", program, stacks, clusters: ["edge-paris", "payments-eu"], onProgress: (p) => seen.push(p) });
        assert.deepEqual(rec.calls, ["selectStack", "refresh"]);
        assert.equal(r.operation, "refresh");
        assert.equal(r.stack, "prod");
        assert.deepEqual(r.totals, { same: 1, update: 1 });
        assert.deepEqual(r.changes, {});
        assert.equal(r.durationSeconds, 90);
        assert.deepEqual(r.progress.steps, { started: 2, done: 2, failed: 0 });
        assert.deepEqual(r.progress.byCluster["payments-eu"], { started: 1, done: 1, failed: 0 });
        assert.equal(seen.length, 5);
        assert.deepEqual(Object.keys(rec.runOpts!).sort(), ["onEvent", "onOutput"]);
    });

    it("refresh and destroy refuse policyPacks (the SDK's RefreshOptions/DestroyOptions have none) before touching anything", async () => {
        assert.equal(SDK_HAS_NO_POLICY_PACKS_ON_DESTROY_OR_REFRESH, true);
        // The types do not offer it (see the @ts-expect-error below); a JavaScript caller or a wider type can still pass it.
        const opts: PolicyRunOptions = { stackName: "prod", program, policyPacks: ["policy/pack"] };
        for (const [op, run] of [
            ["refresh", refresh],
            ["destroy", destroy],
        ] as const) {
            const { stacks, rec } = fakeStacks();
            const e = await failure(run({ ...opts, stacks }));
            assert.equal(
                e.message,
                `${op} of stack prod: option policyPacks: got ["policy/pack"]; allowed: none on ${op} (the Automation API of @pulumi/pulumi 3.270 cannot enforce policy packs on ${op}, they would be ignored); enforce them on preview and up`,
            );
            assert.equal(e.cause, undefined);
            assert.deepEqual(rec.calls, []);
        }
        // @ts-expect-error destroy's options do not offer policyPacks
        await destroy({ stackName: "prod", program, policyPacks: [], stacks: fakeStacks().stacks }).catch(() => undefined);
        // preview and up pass them to the SDK.
        const { stacks, rec } = fakeStacks();
        await up({ ...opts, stacks });
        assert.deepEqual(rec.runOpts?.policyPacks, ["policy/pack"]);
    });

    it("the barrel's error classes are the SDK's own (instanceof holds for a consumer without its own copy)", () => {
        assert.equal(CommandError, sdk.CommandError);
        assert.equal(StackNotFoundError, sdk.StackNotFoundError);
        assert.equal(ConcurrentUpdateError, sdk.ConcurrentUpdateError);
        assert.ok(notFound("x") instanceof StackNotFoundError);
    });
});
