/**
 * "akko-audit/automation" as another project uses it: `npm run build` into a package directory outside the
 * repository (package.json as is, the compiled dist/, its installed dependencies), a consumer project that
 * depends on it by a `file:` path (npm links it into node_modules), and plain Node (no tsx) requiring it.
 * Nothing is stubbed in the consumer: there is no Pulumi CLI on its PATH (nor on these machines), so a live
 * operation fails the real way, and the program runs under the SDK's own mocks.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { exampleStack } from "../helpers/config";
import { k3sCommandOutputs } from "../helpers/k3s-outputs";
import { setupMocks, settle } from "../helpers/pulumi-mocks";
import { ROOT } from "./fixtures";

const TMP = mkdtempSync(path.join(tmpdir(), "akko-lib-"));
const PKG = path.join(TMP, "akko-audit");
const CONSUMER = path.join(TMP, "consumer");
/** An empty directory as the whole PATH: no `pulumi` (and no tsx) to be found. */
const EMPTY_PATH = path.join(TMP, "empty-path");

/** Runs a file of the consumer project with plain Node: no --import tsx, no NODE_OPTIONS, an empty PATH. */
function consumerNode(file: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [file], { cwd: CONSUMER, env: { PATH: EMPTY_PATH, HOME: TMP, ...env }, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The dev stack's config as the engine hands it to the program (secrets set to made-up values). */
function devConfig(): { values: Record<string, string>; secretKeys: string[] } {
    const raw = exampleStack("dev");
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.values)) values[`akko-audit:${k}`] = raw.secretKeys.has(k) ? `fake-${k}` : JSON.stringify(v);
    return { values, secretKeys: [...raw.secretKeys].map((k) => `akko-audit:${k}`) };
}

describe("akko-audit/automation as a library: the compiled package required from another project (plain Node, no tsx)", function () {
    before(function () {
        this.timeout(180_000);
        mkdirSync(PKG);
        mkdirSync(EMPTY_PATH);
        copyFileSync(path.join(ROOT, "package.json"), path.join(PKG, "package.json"));
        // The package's installed dependencies (what `npm install` of it would put there; no network here).
        symlinkSync(path.join(ROOT, "node_modules"), path.join(PKG, "node_modules"));
        const build = spawnSync("npm", ["run", "--silent", "build", "--", "--out-dir", path.join(PKG, "dist")], { cwd: ROOT, encoding: "utf8" });
        assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
        mkdirSync(path.join(CONSUMER, "node_modules"), { recursive: true });
        writeFileSync(
            path.join(CONSUMER, "package.json"),
            JSON.stringify({ name: "akko-consumer", private: true, dependencies: { "akko-audit": "file:../akko-audit" } }, null, 2),
        );
        // What `npm install` makes of a file: dependency: a link to the directory.
        symlinkSync("../../akko-audit", path.join(CONSUMER, "node_modules", "akko-audit"));
    });

    after(() => rmSync(TMP, { recursive: true, force: true }));

    it("package.json: exports ./automation (types, require) from dist/; main and '.' stay index.ts, the program `pulumi up` loads with tsx", () => {
        const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.equal(pkg.main, "index.ts");
        assert.deepEqual(pkg.exports, {
            ".": "./index.ts",
            "./automation": { types: "./dist/automation/index.d.ts", require: "./dist/automation/index.js", default: "./dist/automation/index.js" },
            "./package.json": "./package.json",
        });
        assert.deepEqual(pkg.bin, { "akko-audit": "bin/akko-audit.js" });
        // Pulumi's Node.js host (Pulumi.yaml has no `main`) takes exports["."] before `main`: both name index.ts.
        const run = readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
        assert.ok(run.includes('const mainExport = packageObject.exports["."];'));
        assert.ok(!/^main:/m.test(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")));
        assert.match(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"), /^ {4}nodeargs: "--import tsx"$/m);
    });

    it("npm run build emits the entry, its declarations and the files the program reads next to itself", () => {
        for (const f of [
            "dist/automation/index.js",
            "dist/automation/index.d.ts",
            "dist/automation/program.js",
            "dist/components/rollout/program.js",
            "dist/components/deployable.js",
            "dist/components/k3s/scripts/launch.sh",
            "dist/components/k3s/scripts/converge.sh",
            "dist/components/k3s/scripts/preflight.sh",
            "dist/components/k3s/scripts/run.sh",
            "dist/components/k3s/scripts/effective-args.sh",
            "dist/policy/audit-policy.yaml",
        ])
            assert.ok(existsSync(path.join(PKG, f)), f);
        assert.equal(
            readFileSync(path.join(PKG, "dist/policy/audit-policy.yaml"), "utf8"),
            readFileSync(path.join(ROOT, "policy/audit-policy.yaml"), "utf8"),
        );
    });

    it("require('akko-audit/automation'): validateInput works, bad config is a ConfigError, a preview without the Pulumi CLI is an AutomationError caused by the SDK's CommandError; nothing loads tsx or a .ts file", () => {
        writeFileSync(
            path.join(CONSUMER, "check.js"),
            `"use strict";
const lib = require("akko-audit/automation");
const valid = lib.validateInput("dev", JSON.parse(process.env.AKKO_INPUT));
let bad;
try {
    lib.validateInput("dev", { clusters: [{ name: "edge", kind: "eks", clusterName: "edge", region: "mars-1" }] });
} catch (e) {
    bad = { isConfigError: e instanceof lib.ConfigError, problems: e.problems };
}
lib.preview({ stackName: "qa", workDir: __dirname }).then(
    () => process.exit(1),
    (e) => {
        console.log(JSON.stringify({
            exports: Object.keys(lib).sort(),
            valid: valid.clusters.map((c) => [c.name, c.kind]),
            bad,
            preview: { isAutomationError: e instanceof lib.AutomationError, name: e.name, message: e.message, problems: e.problems },
            cause: { isCommandError: e.cause instanceof lib.CommandError, name: e.cause.name, isStackNotFound: e.cause instanceof lib.StackNotFoundError },
            loaded: Object.keys(require.cache).filter((f) => /\\.ts$|[\\\\/]tsx[\\\\/]/.test(f)),
        }));
    },
);
`,
        );
        // Pulumi.dev.yaml's fleet as a typed object, its two secrets set.
        const raw = exampleStack("dev");
        const input = {
            clusters: raw.values.clusters,
            logs: raw.values.logs,
            secrets: { devSshKey: "fake-key", devLokiPassword: "fake-password", devLogsKubeconfig: "apiVersion: v1" },
        };
        const r = consumerNode("check.js", { AKKO_INPUT: JSON.stringify(input) });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), {
            exports: [
                "AutomationError",
                "CommandError",
                "ConcurrentUpdateError",
                "ConfigError",
                "StackAlreadyExistsError",
                "StackNotFoundError",
                "auditRolloutProgram",
                "clusterStatuses",
                "destroy",
                "outputs",
                "preview",
                "progressLine",
                "refresh",
                "up",
                "validateInput",
            ],
            valid: [["dev", "k3s"]],
            bad: {
                isConfigError: true,
                problems: [
                    'akko-audit:clusters[0] (cluster "edge", kind eks): field region: got "mars-1"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)',
                ],
            },
            preview: {
                isAutomationError: true,
                name: "AutomationError",
                message:
                    "the Pulumi CLI is not installed or not on PATH: a live preview/up/destroy needs it and cloud credentials (https://www.pulumi.com/docs/install/); 'akko-audit plan' works offline",
                problems: [],
            },
            cause: { isCommandError: true, name: "CommandError", isStackNotFound: false },
            loaded: [],
        });
    });

    it("an ES module consumer imports the same names (import { ... } from 'akko-audit/automation')", () => {
        writeFileSync(
            path.join(CONSUMER, "check.mjs"),
            'import { AutomationError, refresh, validateInput } from "akko-audit/automation";\nconsole.log([AutomationError.name, typeof refresh, typeof validateInput].join(" "));\n',
        );
        const r = consumerNode("check.mjs");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "AutomationError function function\n");
    });

    it("the compiled auditRolloutProgram runs under the SDK's mocks without tsx and registers exactly what the TypeScript program does", async function () {
        this.timeout(60_000);
        const config = devConfig();
        // The consumer resolves @pulumi/pulumi as the package does, so program and mocks share one SDK. The
        // node scripts' output is what test/helpers/k3s-outputs.ts gives (the provider never runs here).
        writeFileSync(
            path.join(CONSUMER, "program.js"),
            `"use strict";
const path = require("node:path");
const lib = require("akko-audit/automation");
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [path.dirname(require.resolve("akko-audit/automation"))] }));
const outputs = ${k3sCommandOutputs.toString()};
const { values, secretKeys } = JSON.parse(process.env.AKKO_CONFIG);
const registered = [];
(async () => {
    pulumi.runtime.setAllConfig(values, secretKeys);
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => (registered.push(a.type + "::" + a.name), { id: a.name + "-id", state: { ...a.inputs, ...outputs(a.type, a.name, a.inputs), ...(a.type === "random:index/randomPassword:RandomPassword" ? { result: "mock-random-" + a.name } : {}) } }),
            call: (a) => { throw new Error("unmocked call " + a.token); },
        },
        "project",
        "stack",
        false,
    );
    const out = await lib.auditRolloutProgram();
    await pulumi.runtime.disconnect(); // waits for every registration
    const loaded = Object.keys(require.cache).filter((f) => /\\.ts$|[\\\\/]tsx[\\\\/]/.test(f));
    console.log(JSON.stringify({ outputs: Object.keys(out).sort(), registered: registered.sort(), loaded }));
})();
`,
        );
        const r = consumerNode("program.js", { AKKO_CONFIG: JSON.stringify(config) });
        assert.equal(r.status, 0, r.stderr);
        const compiled = JSON.parse(r.stdout) as { outputs: string[]; registered: string[]; loaded: string[] };

        // The same program from the TypeScript sources, in this process.
        const names: string[] = [];
        await setupMocks({
            config: config.values,
            secretKeys: config.secretKeys,
            outputs: (type, name, inputs) => (names.push(`${type}::${name}`), k3sCommandOutputs(type, name, inputs)),
        });
        const { auditRolloutProgram } = await import("../../automation/index.js");
        const fromSource = await auditRolloutProgram();
        await settle();

        assert.deepEqual(compiled.loaded, []);
        assert.deepEqual(compiled.outputs, Object.keys(fromSource).sort());
        assert.deepEqual(compiled.outputs, ["clusters", "deployed", "logs", "secretOutputs"]);
        assert.ok(compiled.registered.includes("akko:audit:K3sAuditLogging::dev"), compiled.registered.join(", "));
        assert.deepEqual(compiled.registered, names.sort());
    });

    it("a TypeScript consumer type-checks against the emitted .d.ts (strict, node16), and destroy's options do not offer policyPacks", function () {
        this.timeout(60_000); // a tsc run over the consumer and the package's declarations
        const dir = path.join(CONSUMER, "ts");
        mkdirSync(dir);
        writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: { strict: true, module: "node16", moduleResolution: "node16", target: "ES2022", noEmit: true, types: [] },
                files: ["consumer.ts"],
            }),
        );
        writeFileSync(
            path.join(dir, "consumer.ts"),
            `import { AuditStackInput, AutomationError, destroy, preview, refresh, RunSummary, StackNotFoundError, validateInput } from "akko-audit/automation";

const input: AuditStackInput = { clusters: [{ name: "edge", kind: "openshift", kubeconfigSecret: "ocpKubeconfig" }], secrets: { ocpKubeconfig: "x" } };
const kinds: string[] = validateInput("dev", input).clusters.map((c) => c.kind);

export async function run(): Promise<number> {
    try {
        const r: RunSummary = await preview({ stackName: "prod", policyPacks: ["policy/pack"], onProgress: (p) => p.steps.done });
        await refresh({ stackName: "prod" });
        // @ts-expect-error policyPacks is not an option of destroy (the SDK cannot enforce packs there)
        await destroy({ stackName: "prod", policyPacks: ["policy/pack"] });
        return r.durationSeconds ?? kinds.length;
    } catch (e) {
        if (e instanceof AutomationError && e.cause instanceof StackNotFoundError) return -1;
        throw e;
    }
}

// @ts-expect-error a cluster needs a kind
validateInput("dev", { clusters: [{ name: "x" }] });
`,
        );
        const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
        assert.equal(tsc.stdout + tsc.stderr, "");
        assert.equal(tsc.status, 0);
    });
});
