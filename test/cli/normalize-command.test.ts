import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../cli/main";
import {
    AKS_INNER_EVENT,
    AKS_RECORD,
    GKE_DENIED_SECRET_GET,
    GKE_EXEC,
    NATIVE_EXEC,
    OPENSHIFT_INNER_EVENT,
    OTLP_RECORD,
} from "../components/logs/normalize/samples";

async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err };
}

function tmp(name: string, lines: unknown[]): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "akko-norm-")), name);
    writeFileSync(file, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
    return file;
}

describe("akko-audit normalize", () => {
    it("writes native Events for native, AKS and GKE lines; summary on stderr; exit 0", async () => {
        const r = await run("normalize", "--in", tmp("mixed.jsonl", [NATIVE_EXEC, AKS_RECORD, GKE_EXEC, OTLP_RECORD, ""]));
        assert.equal(r.code, 0);
        assert.equal(r.out.length, 4);
        assert.equal(r.out[0], JSON.stringify(NATIVE_EXEC));
        assert.equal(r.out[1], JSON.stringify(AKS_INNER_EVENT));
        assert.equal(JSON.parse(r.out[2]).objectRef.subresource, "exec");
        assert.equal(r.out[3], JSON.stringify(OPENSHIFT_INNER_EVENT));
        assert.deepEqual(r.err, ["normalize: 4 events (native 1, aks 1, gke 1, otlp 1, cloudwatch 0, viaq 0), 0 invalid line(s)"]);
    });

    it("counts and quotes invalid lines, never writes them; exit 1", async () => {
        const r = await run("normalize", "--in", tmp("bad.jsonl", [GKE_DENIED_SECRET_GET, "{oops", { a: 1 }]));
        assert.equal(r.code, 1);
        assert.equal(r.out.length, 1);
        assert.deepEqual(r.err, [
            "normalize: line 2: not JSON",
            "normalize: line 3: not an audit Event, an AKS record (properties.log, log_s, AKSAudit row), a GKE LogEntry (protoPayload, serviceName k8s.io), " +
                "an OTLP record (body, resourceLogs), a CloudWatch export (logEvents, events, results, @message, Firehose records) or a ViaQ record",
            "normalize: 1 events (native 0, aks 0, gke 1, otlp 0, cloudwatch 0, viaq 0), 2 invalid line(s)",
        ]);
    });

    it("usage errors are one line, exit 2", async () => {
        assert.deepEqual(await run("normalize"), {
            code: 2,
            out: [],
            err: ["akko-audit: normalize: --in FILE is required ('-' for stdin; see normalize --help)"],
        });
        const missing = await run("normalize", "--in", "/nonexistent/x.jsonl");
        assert.deepEqual([missing.code, missing.err], [2, ["akko-audit: --in /nonexistent/x.jsonl: no such file"]]);
        assert.equal((await run("normalize", "--help")).code, 0);
    });
});

describe("akko-audit policy simulate accepts AKS and GKE exports", () => {
    it("replays all three formats through the shipped policy: exec is RequestResponse, the Secret reads Metadata", async () => {
        const r = await run(
            "policy",
            "simulate",
            "--log",
            tmp("cloud.jsonl", [NATIVE_EXEC, AKS_RECORD, GKE_DENIED_SECRET_GET, GKE_EXEC, { hello: 1 }]),
        );
        assert.equal(r.code, 0);
        const report = JSON.parse(r.out.join("\n"));
        assert.equal(report.events, 4);
        assert.equal(report.invalid.count, 1);
        assert.equal(report.levels.RequestResponse, 2);
        assert.equal(report.levels.Metadata, 2);
    });
});

describe("akko-audit render writes the logs layer's artifacts", function () {
    this.timeout(60_000); // render records the whole program under the SDK's mocks (plan.json)
    it("Loki values, Alloy configs, k3s HelmChart manifests and the dashboard, without a secret value", async () => {
        const out = mkdtempSync(path.join(tmpdir(), "akko-render-"));
        const r = await run("render", "--stack", "prod", "--out", out, "--project-dir", path.resolve(__dirname, "../.."));
        assert.equal(r.code, 0, r.err.join("\n"));
        for (const f of [
            "logs/loki-values.yaml",
            "logs/audit-trail-dashboard.json",
            "logs/alloy/central.alloy",
            "logs/alloy/edge-paris.alloy",
            "logs/alloy/ocp-core.alloy",
            "logs/k3s/edge-paris/akko-audit-alloy.yaml",
        ]) {
            assert.ok(
                r.out.some((l) => l.includes(f)),
                f,
            );
        }
        const central = readFileSync(path.join(out, "logs/alloy/central.alloy"), "utf8");
        assert.ok(central.includes('loki.source.gcplog "analytics"') && central.includes('loki.source.azure_event_hubs "hds_sante"'));
        assert.ok(readFileSync(path.join(out, "logs/loki-values.yaml"), "utf8").includes("retention_period: 2160h"));
    });
});

describe("akko-audit normalize and policy simulate read the same exports", () => {
    const FIXTURES = path.resolve(__dirname, "../fixtures/audit-formats");
    const [EV0, EV1] = readFileSync(path.join(FIXTURES, "falco-secret-events.jsonl"), "utf8").split("\n").filter(Boolean);

    it("normalize: AKS records whose properties.log ends in a newline give no blank line", async () => {
        const r = await run("normalize", "--in", path.join(FIXTURES, "aks-records-newline-and-object.json"));
        assert.deepEqual(r, {
            code: 0,
            out: [EV0, EV1],
            err: ["normalize: 2 events (native 0, aks 2, gke 0, otlp 0, cloudwatch 0, viaq 0), 0 invalid line(s)"],
        });
    });

    it("normalize: a pretty-printed filter-log-events document", async () => {
        const r = await run("normalize", "--in", path.join(FIXTURES, "filter-log-events.json"));
        assert.deepEqual([r.code, r.out], [0, [EV0, EV1]]);
    });

    it('policy simulate takes a {"records": [...]} line, and every other format normalize takes', async () => {
        const file = tmp("mixed.jsonl", [
            readFileSync(path.join(FIXTURES, "aks-records-newline-and-object.json"), "utf8").trim(),
            readFileSync(path.join(FIXTURES, "cloudwatch-subscription-message.json"), "utf8").trim(),
            readFileSync(path.join(FIXTURES, "viaq-audit-records.jsonl"), "utf8").trim(),
            readFileSync(path.join(FIXTURES, "aks-audit-admin-rows.jsonl"), "utf8").trim(),
        ]);
        const sim = await run("policy", "simulate", "--log", file);
        assert.equal(sim.code, 0, sim.err.join("\n"));
        const report = JSON.parse(sim.out.join("\n"));
        assert.deepEqual([report.events, report.invalid.count], [6, 0]);
        const norm = await run("normalize", "--in", file);
        assert.deepEqual([norm.code, norm.out], [0, [EV0, EV1, EV0, EV1, EV0, EV0]]);
    });
});

describe("output to a pipe closed early (| head)", function () {
    this.timeout(120_000);
    const BIN = path.resolve(__dirname, "../../bin/akko-audit.js");

    it("normalize | head -n 1 prints one line and exits 0, no EPIPE stack trace", () => {
        const FIXTURES = path.resolve(__dirname, "../fixtures/audit-formats");
        const ev = readFileSync(path.join(FIXTURES, "falco-secret-events.jsonl"), "utf8").split("\n")[0];
        // Far more than a pipe buffer (64 KiB), so the writer is still writing when head exits.
        const file = tmp(
            "many.jsonl",
            Array.from({ length: 20_000 }, () => ev),
        );
        const r = spawnSync(
            "bash",
            ["-c", '"$0" "$1" normalize --in "$2" | head -n 1; echo "exit=${PIPESTATUS[0]}" >&2', process.execPath, BIN, file],
            {
                encoding: "utf8",
            },
        );
        assert.equal(r.stdout, ev + "\n");
        assert.equal(r.stderr.trim(), "exit=0");
    });

    it("coverage | head -n 0 (closed before the first write) exits 0 too: the guard is in main, for every command (render checked by hand: 35 s)", () => {
        const r = spawnSync(
            "bash",
            [
                "-c",
                '"$0" "$1" coverage --stack prod --project-dir "$2" | head -n 0; echo "exit=${PIPESTATUS[0]}" >&2',
                process.execPath,
                BIN,
                path.resolve(__dirname, "../.."),
            ],
            { encoding: "utf8" },
        );
        assert.equal(r.stderr.trim(), "exit=0");
    });
});
