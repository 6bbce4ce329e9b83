import { strict as assert } from "node:assert";
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
        assert.deepEqual(r.err, ["normalize: 4 events (native 1, aks 1, gke 1, otlp 1), 0 invalid line(s)"]);
    });

    it("counts and quotes invalid lines, never writes them; exit 1", async () => {
        const r = await run("normalize", "--in", tmp("bad.jsonl", [GKE_DENIED_SECRET_GET, "{oops", { a: 1 }]));
        assert.equal(r.code, 1);
        assert.equal(r.out.length, 1);
        assert.deepEqual(r.err, [
            "normalize: line 2: not JSON",
            "normalize: line 3: not an audit Event, an AKS resource-log record (properties.log), a GKE LogEntry (protoPayload, serviceName k8s.io) or an OTLP record (body)",
            "normalize: 1 events (native 0, aks 0, gke 1, otlp 0), 2 invalid line(s)",
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
