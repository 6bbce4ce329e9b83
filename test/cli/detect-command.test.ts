import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { main } from "../../cli/main";
import { DETECT_HELP } from "../../cli/detect-command";
import { ROOT } from "../helpers/project";
import { toEks } from "../helpers/source-formats";
import { DetectionsSchema } from "../../components/config/detections";
import { detectionRules } from "../../components/logs/detections/rules";

/** The default pack (other rules join it; these tests use pod-exec). */
const IDS = detectionRules(DetectionsSchema.parse({})).map((r) => r.id);
const N = IDS.length;

async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err };
}

const DIR = mkdtempSync(path.join(tmpdir(), "akko-detect-"));
function tmp(name: string, lines: unknown[]): string {
    const file = path.join(DIR, name);
    writeFileSync(file, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
    return file;
}

const EXEC = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: "e-1",
    stage: "ResponseStarted",
    requestURI: "/api/v1/namespaces/shop/pods/web-0/exec?command=sh",
    verb: "get",
    user: { username: "mallory@example.com", groups: ["developers"] },
    objectRef: { resource: "pods", namespace: "shop", name: "web-0", apiVersion: "v1", subresource: "exec" },
    responseStatus: { code: 101 },
    stageTimestamp: "2026-12-01T10:00:00.000000Z",
};
const LOG = { ...EXEC, auditID: "e-2", objectRef: { ...EXEC.objectRef, subresource: "log" } };

describe("akko-audit detect", () => {
    it("one hit per line (time, severity, rule, cluster, user, verb, object, auditID); summary on stderr; exit 1", async () => {
        const r = await run("detect", "--in", tmp("exec.jsonl", [EXEC, LOG, { ...EXEC, stage: "ResponseComplete" }]), "--cluster", "edge");
        assert.deepEqual(r, {
            code: 1,
            out: [
                '2026-12-01T10:00:00.000000Z high pod-exec cluster=edge user=mallory@example.com verb=get object="pods/exec shop/web-0" auditID=e-1',
            ],
            err: [`detect: 3 events, ${N} rules, 1 hit(s), 0 invalid line(s)`],
        });
    });

    it("--json: one object per hit; no cluster when neither the carrier nor --cluster names one", async () => {
        const r = await run("detect", "--in", tmp("exec2.jsonl", [EXEC]), "--json");
        assert.equal(r.code, 1);
        assert.deepEqual(
            r.out.map((l) => JSON.parse(l)),
            [
                {
                    rule: "pod-exec",
                    severity: "high",
                    auditID: "e-1",
                    user: "mallory@example.com",
                    verb: "get",
                    object: "pods/exec shop/web-0",
                    time: "2026-12-01T10:00:00.000000Z",
                },
            ],
        );
    });

    it("the carrier's cluster wins over --cluster (an EKS log group)", async () => {
        const r = await run("detect", "--in", tmp("eks.json", [toEks([EXEC], "shop-prod")]), "--cluster", "edge", "--json");
        assert.deepEqual(
            r.out.map((l) => JSON.parse(l).cluster),
            ["shop-prod"],
        );
    });

    it("no hit: exit 0", async () => {
        assert.deepEqual(await run("detect", "--in", tmp("log.jsonl", [LOG])), {
            code: 0,
            out: [],
            err: [`detect: 1 events, ${N} rules, 0 hit(s), 0 invalid line(s)`],
        });
    });

    it("invalid lines are counted and quoted; with no hit that is exit 2, with a hit exit 1", async () => {
        assert.deepEqual(await run("detect", "--in", tmp("bad.jsonl", [LOG, "{oops"])), {
            code: 2,
            out: [],
            err: ["detect: line 2: not JSON", `detect: 1 events, ${N} rules, 0 hit(s), 1 invalid line(s)`],
        });
        const r = await run("detect", "--in", tmp("bad2.jsonl", ["{oops", EXEC]));
        assert.equal(r.code, 1);
        assert.equal(r.out.length, 1);
        assert.deepEqual(r.err, ["detect: line 1: not JSON", `detect: 1 events, ${N} rules, 1 hit(s), 1 invalid line(s)`]);
    });

    it("--list: id, severity, title and needs, tab-separated; --json as objects", async () => {
        const r = await run("detect", "--list");
        assert.equal(r.code, 0);
        assert.equal(
            r.out[0],
            "pod-exec\thigh\texec, attach or port-forward into a pod\tlevel Metadata; fields verb, objectRef.resource, objectRef.subresource, user.username; " +
                "requests get pods/exec, create pods/exec, get pods/attach, create pods/attach, get pods/portforward, create pods/portforward",
        );
        const j = await run("detect", "--list", "--json");
        assert.deepEqual(
            j.out.map((l) => [JSON.parse(l).id, JSON.parse(l).needs.level]),
            r.out.map((l) => [l.split("\t")[0], /^level (\w+);/.exec(l.split("\t")[3])![1]]),
        );
    });

    it("--stack: the stack's logs.detections (disabled rules are not run); an unknown disabled id is one line, exit 2", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "akko-detect-stack-"));
        copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const stack = (disabled: string[]) => {
            const doc = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
            doc.config["akko-audit:logs"].detections = { disabled };
            writeFileSync(path.join(dir, "Pulumi.dev.yaml"), stringify(doc));
        };
        stack(["pod-exec"]);
        const r = await run("detect", "--stack", "dev", "--project-dir", dir, "--in", tmp("exec3.jsonl", [EXEC]));
        assert.equal(r.code, 0);
        assert.deepEqual(r.out, []);
        assert.equal(r.err.at(-1), `detect: 1 events, ${N - 1} rules, 0 hit(s), 0 invalid line(s)`);
        stack(["pod-exek"]);
        const bad = await run("detect", "--stack", "dev", "--project-dir", dir, "--list");
        assert.equal(bad.code, 2);
        assert.deepEqual(bad.err, [
            `akko-audit:logs: field detections.disabled[0]: got "pod-exek"; allowed: a detection rule id: ${IDS.join(", ")}`,
            "stack dev: 1 config problem(s); nothing was written",
            "akko-audit: detect: stack dev: the config does not validate (problems above)",
        ]);
    });

    it("usage errors are one line, exit 2", async () => {
        assert.deepEqual(await run("detect"), {
            code: 2,
            out: [],
            err: ["akko-audit: detect: --in FILE is required ('-' for stdin; see detect --help)"],
        });
        assert.deepEqual(await run("detect", "--in", "/nonexistent/x.jsonl"), {
            code: 2,
            out: [],
            err: ["akko-audit: --in /nonexistent/x.jsonl: no such file"],
        });
        assert.deepEqual(await run("detect", "--in", DIR, "--cluster", ""), {
            code: 2,
            out: [],
            err: ["akko-audit: detect: --cluster: empty; allowed: a cluster name"],
        });
        const unknown = await run("detect", "--in", DIR, "--since", "1h");
        assert.equal(unknown.code, 2);
        assert.match(unknown.err[0], /^akko-audit: detect: Unknown option '--since'/);
    });

    it("--help: usage, the exit codes for scripts", async () => {
        const r = await run("detect", "--help");
        assert.deepEqual(r, { code: 0, out: [DETECT_HELP], err: [] });
        assert.match(DETECT_HELP, /Exit: 0 no hit \(every line read\), 1 at least one hit, 2 bad input/);
    });
});
