import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../cli/main";

const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, "bin", "akko-audit.js");

async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

function tmp(name: string, content: string): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "akko-cli-")), name);
    writeFileSync(file, content);
    return file;
}

const EXEC_EVENT = {
    verb: "get",
    user: { username: "alice", groups: ["dev"] },
    objectRef: { resource: "pods", subresource: "exec", namespace: "shop", name: "web-0" },
};

describe("akko-audit CLI", () => {
    it("policy check: the shipped policy is clean (exit 0)", async () => {
        const r = await run("policy", "check");
        assert.equal(r.code, 0);
        assert.equal(r.out, `${path.join(ROOT, "policy", "audit-policy.yaml")}: ok (13 rules)`);
    });

    it("policy check: findings name the rule index, exit 1", async () => {
        const file = tmp("p.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n  - level: None\n    users: [x]\n");
        const r = await run("policy", "check", "--policy", file);
        assert.equal(r.code, 1);
        assert.equal(r.out, `${file}: shadowed: rule 1 is never used: every request it matches is matched first by rule 0`);
        assert.equal(r.err, "1 finding(s)");
    });

    it("policy check: a policy kube-apiserver refuses is reported, exit 1", async () => {
        const file = tmp("p.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n");
        const r = await run("policy", "check", "--policy", file);
        assert.equal(r.code, 1);
        assert.equal(
            r.out,
            `${file}: invalid: rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"`,
        );
    });

    it("policy explain prints exactly one JSON decision", async () => {
        const r = await run("policy", "explain", "--request", JSON.stringify(EXEC_EVENT));
        assert.equal(r.code, 0);
        assert.deepEqual(JSON.parse(r.out), { level: "RequestResponse", rule: 0, omitStages: ["RequestReceived"], omitManagedFields: true });
        const none = await run("policy", "explain", "--request", JSON.stringify({ verb: "get", requestURI: "/readyz" }));
        assert.deepEqual(JSON.parse(none.out), { level: "None", rule: 3, omitStages: ["RequestReceived"], omitManagedFields: true });
        const file = tmp("req.json", JSON.stringify(EXEC_EVENT));
        assert.deepEqual(JSON.parse((await run("policy", "explain", "--request", `@${file}`)).out).rule, 0);
    });

    it("policy explain: a request no rule matches gives rule null", async () => {
        const file = tmp("p.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n    users: [bob]\n");
        const r = await run("policy", "explain", "--policy", file, "--request", JSON.stringify(EXEC_EVENT));
        assert.deepEqual(JSON.parse(r.out), { level: "None", rule: null, omitStages: [], omitManagedFields: false });
    });

    it("policy simulate reports on a log file and on stdin-like input", async () => {
        const log = tmp("a.jsonl", JSON.stringify({ ...EXEC_EVENT, level: "RequestResponse", stage: "ResponseComplete" }) + "\nnot json\n");
        const r = await run("policy", "simulate", "--log", log);
        assert.equal(r.code, 0);
        const report = JSON.parse(r.out);
        assert.equal(report.events, 1);
        assert.equal(report.ruleHits[0], 1);
        assert.deepEqual(report.invalid, { count: 1, examples: [{ line: 2, reason: "not JSON" }] });
    });

    it("bad input: one line naming the input, exit 2", async () => {
        const cases: [string[], string][] = [
            [["policy", "check", "--policy", "/nonexistent.yaml"], "akko-audit: --policy /nonexistent.yaml: no such file"],
            [["policy", "explain", "--request", "{nope"], "akko-audit: --request: not valid JSON: "],
            [["policy", "explain", "--request", '{"user":{}}'], 'akko-audit: --request: verb is required (a string such as "get")'],
            [["policy", "explain"], "akko-audit: policy explain: --request JSON is required (see policy explain --help)"],
            [["policy", "simulate", "--log", "/nonexistent.jsonl"], "akko-audit: --log /nonexistent.jsonl: no such file"],
            [["policy", "check", "--policy", tmp("bad.yaml", "rules: [\n")], "akko-audit: --policy "],
            [["policy", "check", "--polcy", "x"], "akko-audit: policy check: Unknown option '--polcy'"],
            [
                ["render", "--stack", "nope", "--out", "/tmp/x", "--project-dir", ROOT],
                `akko-audit: unknown stack "nope": no ${path.join(ROOT, "Pulumi.nope.yaml")}`,
            ],
            [["render", "--out", "/tmp/x"], "akko-audit: render: --stack NAME is required (see render --help)"],
            [
                ["frobnicate"],
                'akko-audit: unknown command "frobnicate"; allowed: render, policy, normalize, detect, plan, secrets, coverage, verify, preview, up, refresh, destroy (see akko-audit --help)',
            ],
        ];
        for (const [args, start] of cases) {
            const r = await run(...args);
            assert.equal(r.code, 2, args.join(" "));
            assert.ok(r.err.startsWith(start), `${args.join(" ")}: ${r.err}`);
            assert.equal(r.err.split("\n").length, 1, `one line: ${r.err}`);
            assert.equal(r.out, "");
        }
    });

    it("--help on every command", async () => {
        for (const args of [
            ["--help"],
            ["policy", "--help"],
            ["policy", "check", "--help"],
            ["policy", "explain", "--help"],
            ["policy", "simulate", "--help"],
            ["render", "--help"],
            ["verify", "--help"],
        ]) {
            const r = await run(...args);
            assert.equal(r.code, 0, args.join(" "));
            assert.match(r.out, /^Usage: akko-audit/);
        }
    });

    it("render writes the policy and the validated fleet, deterministically", async function () {
        this.timeout(60_000); // render records the whole program under the SDK's mocks (plan.json)
        const out = mkdtempSync(path.join(tmpdir(), "akko-render-"));
        const r = await run("render", "--stack", "prod", "--out", out, "--project-dir", ROOT);
        assert.equal(r.code, 0, r.err);
        assert.equal(readFileSync(path.join(out, "audit-policy.yaml"), "utf8"), readFileSync(path.join(ROOT, "policy", "audit-policy.yaml"), "utf8"));
        const fleet = JSON.parse(readFileSync(path.join(out, "fleet.json"), "utf8"));
        assert.equal(fleet.stack, "prod");
        assert.deepEqual(fleet.secrets, {
            "akko-audit:edgeSshKey": "[secret]",
            "akko-audit:factorySshKey": "[secret]",
            "akko-audit:gcpAlloyKey": "[secret]",
            "akko-audit:logsKubeconfig": "[secret]",
            "akko-audit:lokiGatewayPassword": "[secret]",
            "akko-audit:ocpKubeconfig": "[secret]",
            "akko-audit:paymentsFirehoseKey": "[secret]",
            "akko-audit:paymentsUsFirehoseKey": "[secret]",
        });
        assert.ok(!readFileSync(path.join(out, "fleet.json"), "utf8").includes("v1:placeholder"));
        const again = mkdtempSync(path.join(tmpdir(), "akko-render-"));
        await run("render", "--stack", "prod", "--out", again, "--project-dir", ROOT);
        assert.equal(readFileSync(path.join(again, "fleet.json"), "utf8"), readFileSync(path.join(out, "fleet.json"), "utf8"));
    });

    it("render: bad config lists every problem and writes nothing (exit 1)", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "akko-proj-"));
        writeFileSync(
            path.join(dir, "Pulumi.bad.yaml"),
            "config:\n  akko-audit:clusters:\n    - {name: a, kind: eks, clusterName: a, region: mars-1}\n    - {name: a, kind: gke}\n",
        );
        const out = path.join(dir, "out");
        const r = await run("render", "--stack", "bad", "--out", out, "--project-dir", dir);
        assert.equal(r.code, 1);
        assert.equal(r.err.split("\n").length, 5);
        assert.ok(r.err.includes('akko-audit:clusters[0] (cluster "a", kind eks): field region: got "mars-1"'));
        assert.ok(r.err.endsWith("stack bad: 4 config problem(s); nothing was written"));
        assert.equal(require("node:fs").existsSync(out), false);
    });

    it("the installed binary: exit codes, one-line errors, no stack trace", function () {
        this.timeout(60000);
        const ok = spawnSync(process.execPath, [BIN, "policy", "explain", "--request", JSON.stringify(EXEC_EVENT)], { encoding: "utf8" });
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(JSON.parse(ok.stdout).level, "RequestResponse");
        const bad = spawnSync(process.execPath, [BIN, "policy", "simulate", "--log", "/nonexistent"], { encoding: "utf8" });
        assert.equal(bad.status, 2);
        assert.equal(bad.stderr, "akko-audit: --log /nonexistent: no such file\n");
        // Commands loaded on demand must load in the launcher too (it registers tsx for CommonJS only).
        for (const command of ["plan", "coverage", "normalize", "preview", "up", "destroy"]) {
            const help = spawnSync(process.execPath, [BIN, command, "--help"], { encoding: "utf8" });
            assert.equal(help.status, 0, `${command} --help: ${help.stderr}`);
            assert.match(help.stdout, /^Usage: akko-audit /);
        }
        const stdin = spawnSync(process.execPath, [BIN, "policy", "simulate", "--log", "-"], {
            encoding: "utf8",
            input: JSON.stringify({ ...EXEC_EVENT, stage: "ResponseComplete" }) + "\n",
        });
        assert.equal(stdin.status, 0, stdin.stderr);
        assert.equal(JSON.parse(stdin.stdout).events, 1);
    });
});
