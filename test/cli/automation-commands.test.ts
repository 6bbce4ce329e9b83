import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { CommandError } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { AUTOMATION_HELP, AutomationDeps, automationCommand, AutomationCommand } from "../../cli/automation-commands";
import { main } from "../../cli/main";
import { diagnostic, pre, ROLLOUT, stepDone, summary } from "../automation/events";
import { fakeStacks, Script } from "../automation/fake-stack";
import { projectWithSecrets } from "../automation/fixtures";
import { clusterStatuses, preview } from "../../automation/run";
import { resolve, settle, setupMocks } from "../helpers/pulumi-mocks";
import { exampleStack } from "../helpers/config";
import { k3sFleet } from "../helpers/fleet";

const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError(r: unknown): CommandError };
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as {
    CommandResult: new (stdout: string, stderr: string, code: number) => unknown;
};

const ROOT = path.resolve(__dirname, "../..");
/** The project with Pulumi.prod.yaml's secrets set: the commands refuse a stack whose secrets are missing. */
const PROD = projectWithSecrets("prod");
const program = async () => ({});

async function run(op: AutomationCommand, args: string[], script: Script = {}, deps: AutomationDeps = {}) {
    const { stacks, rec } = fakeStacks(script);
    const out: string[] = [];
    const err: string[] = [];
    let t = 0;
    const code = await automationCommand(
        op,
        args,
        { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
        { stacks, program, now: () => (t += 100), progressIntervalMs: 0, ...deps },
    );
    return { code, out, err, rec };
}

const EVENTS = [
    pre("same", "pulumi:pulumi:Stack", "akko-audit-prod"),
    ...stepDone("create", ROLLOUT, "prod"),
    ...stepDone("create", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]),
    ...stepDone("update", "aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group", [ROLLOUT, "akko:audit:EksAuditLogging"]),
    summary({ create: 2, update: 1, same: 1 }, 7),
];

describe("akko-audit preview|up|refresh|destroy (Automation API stubbed at StackSource)", () => {
    it("preview --stack prod: runs on the project's own stack config, shows progress per cluster, prints the changes", async () => {
        const r = await run("preview", ["--stack", "prod", "--project-dir", PROD], {
            events: EVENTS,
            changeSummary: { create: 2, update: 1, same: 1 },
        });
        assert.equal(r.code, 0);
        assert.deepEqual(r.rec.calls, ["selectStack", "preview"]);
        assert.equal(r.rec.args!.stackName, "prod");
        assert.equal(r.rec.args!.program, program);
        assert.deepEqual(r.rec.wsOpts, { workDir: PROD });
        assert.deepEqual(r.err, [
            "[0/1] resources",
            "[1/1] resources",
            "[1/2] resources · cluster edge-paris",
            "[2/2] resources · cluster edge-paris",
            "[2/3] resources · cluster payments-eu",
            "[3/3] resources · cluster payments-eu",
        ]);
        assert.deepEqual(r.out, [
            "preview of stack prod: create 2, same 1, update 1 (7s)",
            "changes (would), per resource type:",
            "  akko:audit:K3sCluster: create 1",
            "  akko:audit:Rollout: create 1",
            "  aws:cloudwatch/logGroup:LogGroup: update 1",
        ]);
    });

    it("throttles progress lines, but always prints a new cluster and the final state", async () => {
        const events = [
            ...stepDone("create", "command:remote:Command", "edge-paris-server-0-a", [ROLLOUT]),
            ...stepDone("create", "command:remote:Command", "edge-paris-server-0-b", [ROLLOUT]),
            ...stepDone("create", "command:remote:Command", "factory-lyon-server-0-a", [ROLLOUT]),
        ];
        const r = await run("preview", ["--stack", "prod", "--project-dir", PROD], { events }, { progressIntervalMs: 60_000 });
        assert.deepEqual(r.err, [
            "[0/1] resources · cluster edge-paris",
            "[2/3] resources · cluster factory-lyon",
            "[3/3] resources · cluster factory-lyon",
        ]);
    });

    it("up: prints per-cluster status from the outputs, secrets as [secret]", async () => {
        const r = await run("up", ["--stack", "prod", "--project-dir", PROD], {
            events: EVENTS,
            changeSummary: { create: 2 },
            outputs: {
                clusters: { value: { "edge-paris": { kind: "k3s", logsTo: "loki" } }, secret: false },
                adminPassword: { value: "hunter2", secret: true },
            },
        });
        assert.equal(r.code, 0);
        assert.deepEqual(r.out.slice(0, 1), ["up of stack prod: create 2 (90s)"]);
        assert.ok(r.out.includes('cluster edge-paris: {"kind":"k3s","logsTo":"loki"}'));
        assert.ok(r.out.includes('output adminPassword: "[secret]"'));
        assert.ok(!JSON.stringify(r).includes("hunter2"));
    });

    it("a failed up exits 1 with one line naming the first engine error", async () => {
        const r = await run("up", ["--stack", "prod", "--project-dir", PROD], {
            events: [
                pre("create", "command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT]),
                diagnostic(
                    "error",
                    "ssh: handshake failed: host key mismatch",
                    "urn:pulumi:prod::akko-audit::command:remote:Command::edge-paris-server-0-policy",
                ),
                diagnostic("error", "update failed"),
            ],
            error: createCommandError(new CommandResult("", "error: update failed", 255)),
        });
        assert.equal(r.code, 1);
        assert.deepEqual(r.err, [
            "[0/1] resources · cluster edge-paris",
            "error: update failed",
            "akko-audit: pulumi up of stack prod failed (exit 255): edge-paris-server-0-policy: ssh: handshake failed: host key mismatch",
        ]);
    });

    it("bad config: every problem, exit 1, and the Automation API is never touched", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "akko-auto-"));
        writeFileSync(
            path.join(dir, "Pulumi.bad.yaml"),
            "config:\n  akko-audit:clusters:\n    - name: x\n      kind: eks\n      clusterName: x\n      region: mars-1\n",
        );
        const r = await run("up", ["--stack", "bad", "--project-dir", dir]);
        assert.equal(r.code, 1);
        assert.deepEqual(r.rec.calls, []);
        assert.deepEqual(r.err, [
            'akko-audit:clusters[0] (cluster "x", kind eks): field region: got "mars-1"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)',
            "stack bad: 1 config problem(s); nothing was written",
        ]);
    });

    it("destroy needs --yes; with it, destroys", async () => {
        const refused = await run("destroy", ["--stack", "prod", "--project-dir", PROD]).catch((e: Error) => e);
        assert.ok(refused instanceof Error);
        assert.match(
            refused.message,
            /^destroy: removes everything stack prod created \(audit logging is switched off on \d+ clusters\); pass --yes to confirm$/,
        );
        const r = await run("destroy", ["--stack", "prod", "--project-dir", PROD, "--yes"], { changeSummary: { delete: 5 } });
        assert.equal(r.code, 0);
        assert.deepEqual(r.rec.calls, ["selectStack", "destroy"]);
        assert.equal(r.out[0], "destroy of stack prod: delete 5 (90s)");
    });

    it("refresh --stack prod: selects the stack, prints the engine's totals (its reads are no changes)", async () => {
        const r = await run("refresh", ["--stack", "prod", "--project-dir", PROD], {
            events: [...stepDone("refresh", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]), summary({ same: 4, update: 1 }, 3)],
            changeSummary: { same: 4, update: 1 },
        });
        assert.equal(r.code, 0);
        assert.deepEqual(r.rec.calls, ["selectStack", "refresh"]);
        assert.deepEqual(r.rec.wsOpts, { workDir: PROD });
        assert.deepEqual(r.err, ["[0/1] resources · cluster edge-paris", "[1/1] resources · cluster edge-paris"]);
        assert.deepEqual(r.out, ["refresh of stack prod: same 4, update 1 (90s)"]);
    });

    it("up creates a missing stack; preview, refresh and destroy exit 1 naming the stacks there, and create nothing", async () => {
        const created = await run("up", ["--stack", "prod", "--project-dir", PROD]);
        assert.equal(created.code, 0);
        assert.deepEqual(created.rec.calls, ["createOrSelectStack", "up"]);
        for (const op of ["preview", "refresh", "destroy"] as const) {
            const r = await run(op, ["--stack", "prod", "--project-dir", PROD, ...(op === "destroy" ? ["--yes"] : [])], {
                selectError: createCommandError(new CommandResult("", "error: no stack named 'prod' found", 255)),
                stacks: ["dev", "staging"],
            });
            assert.equal(r.code, 1, op);
            assert.deepEqual(r.rec.calls, ["selectStack", "listStacks"]);
            assert.deepEqual(r.out, []);
            assert.deepEqual(r.err, [
                "akko-audit: stack prod: no such stack in the backend (it has dev, staging); create it with 'akko-audit up --stack prod' (or 'pulumi stack init prod')",
            ]);
        }
    });

    it("--policy-pack on refresh or destroy is bad usage (exit 2): the Automation API would ignore it", async () => {
        const err: string[] = [];
        const io = { stdout: () => undefined, stderr: (l: string) => err.push(l) };
        assert.equal(await main(["destroy", "--stack", "prod", "--project-dir", PROD, "--policy-pack", "policy/pack", "--yes"], io), 2);
        assert.equal(await main(["refresh", "--stack", "prod", "--project-dir", PROD, "--policy-pack", "policy/pack"], io), 2);
        assert.deepEqual(err, [
            "akko-audit: destroy: --policy-pack policy/pack: not supported on destroy (the Automation API runs no policy packs there, it would be ignored); allowed on preview and up",
            "akko-audit: refresh: --policy-pack policy/pack: not supported on refresh (the Automation API runs no policy packs there, it would be ignored); allowed on preview and up",
        ]);
    });

    it("--policy-pack passes the pack directory; --verbose streams Pulumi's output", async () => {
        const r = await run("preview", ["--stack", "prod", "--project-dir", PROD, "--policy-pack", path.join(ROOT, "policy/pack"), "--verbose"], {
            output: ["Previewing update (prod)\nView in browser\n"],
        });
        assert.deepEqual(r.rec.runOpts?.policyPacks, [path.join(ROOT, "policy/pack")]);
        assert.deepEqual(r.out.slice(0, 2), ["Previewing update (prod)", "View in browser"]);
    });

    it("through main: routed, listed in the help, missing --stack is a usage error (exit 2)", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) };
        assert.equal(await main(["--help"], io), 0);
        assert.ok(out.join("\n").includes("preview|up|refresh|destroy --stack NAME"));
        assert.equal(await main(["up"], io), 2);
        assert.equal(err.at(-1), "akko-audit: up: --stack NAME is required (see up --help)");
        assert.equal(await main(["preview", "--help"], io), 0);
        assert.ok(out.at(-1)!.startsWith("Usage: akko-audit preview|up|refresh|destroy --stack NAME"));
        assert.equal(await main(["refresh", "--help"], io), 0);
        assert.equal(out.at(-1), AUTOMATION_HELP);
    });
});

describe("akko-audit preview|up|refresh|destroy: the inline program it passes (auditRolloutProgram) under the SDK's mocks", () => {
    const rolloutPresent = ["index.ts", "rollout.ts"].some((f) => existsSync(path.join(ROOT, "components", "rollout", f)));

    it("registers the rollout for Pulumi.dev.yaml's fleet and returns a status per cluster", async function () {
        // components/rollout (the AuditRollout program) is built separately; until it exists there is nothing to run.
        if (!rolloutPresent) this.skip();
        const raw = exampleStack("dev");
        const config: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw.values)) config[`akko-audit:${k}`] = raw.secretKeys.has(k) ? `fake-${k}` : JSON.stringify(v);
        const run = await setupMocks({ config, secretKeys: [...raw.secretKeys].map((k) => `akko-audit:${k}`) });
        const { auditRolloutProgram } = await import("../../automation/index.js");
        const result = await auditRolloutProgram();
        await settle();
        assert.equal(run.byType("akko:audit:Rollout").length, 1);
        const clusters = (raw.values.clusters as { name: string }[]).map((c) => c.name).sort();
        const statuses = clusterStatuses({ clusters: { value: (await resolve(result.clusters as never)).value, secret: false } });
        assert.deepEqual(Object.keys(statuses).sort(), clusters);
    });

    it("with the fleet in akko-audit:clustersFile, run()'s default program reads it from workDir, not the caller's working directory", async function () {
        if (!rolloutPresent) this.skip();
        const dir = mkdtempSync(path.join(tmpdir(), "akko-workdir-"));
        writeFileSync(path.join(dir, "fleet.yaml"), stringify(k3sFleet(2)));
        const raw = exampleStack("dev");
        const config: Record<string, string> = { "akko-audit:clustersFile": "fleet.yaml", "akko-audit:sshAuth": '{"agent":true}' };
        for (const [k, v] of Object.entries(raw.values))
            if (k !== "clusters") config[`akko-audit:${k}`] = raw.secretKeys.has(k) ? `fake-${k}` : JSON.stringify(v);
        await setupMocks({ config, secretKeys: [...raw.secretKeys].map((k) => `akko-audit:${k}`) });
        const { stacks, rec } = fakeStacks();
        await preview({ stackName: "dev", workDir: dir, stacks });
        assert.notEqual(process.cwd(), dir);
        const result = (await rec.args!.program()) as Record<string, unknown>;
        await settle();
        const statuses = clusterStatuses({ clusters: { value: (await resolve(result.clusters as never)).value, secret: false } });
        assert.deepEqual(Object.keys(statuses).sort(), ["edge-0000", "edge-0001"]);
        rmSync(dir, { recursive: true, force: true });
    });
});
