import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { hotFields, normalizeLine } from "../../../../components/logs/normalize/normalize";
import { renderAlloyConfig } from "../../../../components/logs/alloy/config";
import { centralPlan, internalLokiTarget, nodeAgentSource } from "../../../../components/logs/alloy/plan";
import { AKS_RECORD, GKE_CRB_CREATE, GKE_DENIED_SECRET_GET, GKE_EXEC, NATIVE_EXEC, OTLP_RECORD } from "../normalize/samples";
import { AlloyBlock, findBlock, HARNESS_NODE, harnessStages, parseAlloy } from "./alloy-parse";
import { fleet } from "./fixtures";

/**
 * The rendered Alloy configs, run: each cluster's loki.process block is read back from the rendered text and
 * its stages run by a Go harness that ports Alloy's (text/template + sprig, go-jmespath, regexp, the
 * timestamp stage's fudge cache, structured metadata, labels, match), with what loki.source.awsfirehose does
 * in front for Firehose. The normalised lines and structured metadata must equal the TypeScript normaliser's.
 * Needs `go` and Debian's golang-github-masterminds-sprig-dev and golang-github-jmespath-go-jmespath-dev
 * (GOPATH mode, no network); skipped when they are absent. Alloy itself (its binary) is not run here.
 */
const GOPATH = "/usr/share/gocode";
const HARNESS = path.join(__dirname, "gopipeline");

function goAvailable(): boolean {
    if (!existsSync(path.join(GOPATH, "src/github.com/Masterminds/sprig")) || !existsSync(path.join(GOPATH, "src/github.com/jmespath/go-jmespath")))
        return false;
    return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
}

interface Out {
    dropped: boolean;
    line: string;
    ts: string;
    labels: Record<string, string>;
    metadata: Record<string, string>;
    /** stage.tenant's value: the cluster's Loki tenant. */
    tenant?: string;
}

/** Built once per run (each `go run` would compile again). */
const BINARY = path.join(tmpdir(), `akko-gopipeline-${process.pid}`);

function buildHarness(): void {
    const r = spawnSync("go", ["build", "-o", BINARY, "main.go"], {
        cwd: HARNESS,
        env: { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE: path.join(tmpdir(), "akko-gocache"), GOFLAGS: "" },
        encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
}

function runHarness(spec: Record<string, unknown>): Out[] {
    const r = spawnSync(BINARY, [], { input: JSON.stringify(spec), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Out);
}

/** The rendered central config (EKS, GKE, AKS) and the k3s agent's, parsed. */
function central(config = fleet()): AlloyBlock[] {
    return parseAlloy(renderAlloyConfig(centralPlan(config).sources, internalLokiTarget(config)));
}
function k3sAgent(): AlloyBlock[] {
    const config = fleet();
    return parseAlloy(
        renderAlloyConfig(
            [
                nodeAgentSource(
                    config.clusters.find((c) => c.kind === "k3s")!,
                    config,
                )!,
            ],
            internalLokiTarget(config),
        ),
    );
}

const NOW = BigInt(Date.parse("2026-11-20T10:00:00Z")) * 1_000_000n;

/** Runs lines (ingest time NOW + index ns, no labels: what loki.source.file gives) through one loki.process. */
function runLines(blocks: AlloyBlock[], id: string, lines: string[]): Out[] {
    return runHarness({ stages: harnessStages(findBlock(blocks, "loki.process", id)), entries: entries(lines) });
}
function entries(lines: string[]) {
    return lines.map((line, i) => ({ line, labels: {}, ts: String(NOW + BigInt(i)) }));
}

/** An RFC 3339 time in unix nanoseconds, as a decimal string (what the harness writes). */
const ns = (iso: string, plus = 0n) => {
    const frac = (/\.(\d+)Z$/.exec(iso)?.[1] ?? "").padEnd(9, "0");
    return String(BigInt(Date.parse(iso.replace(/\.\d+Z$/, "Z"))) * 1_000_000n + BigInt(frac) + plus);
};

const tricky = {
    ...GKE_DENIED_SECRET_GET,
    operation: undefined,
    protoPayload: {
        ...GKE_DENIED_SECRET_GET.protoPayload,
        resourceName: "core/v1/namespaces/team-a",
        methodName: "io.k8s.core.v1.namespaces.delete",
        status: { code: 99, message: 'quota <exceeded> & "denied"' },
        request: {},
    },
};

describe("rendered Alloy pipelines, run (Go harness)", function () {
    this.timeout(120000);
    before(function () {
        if (!goAvailable()) this.skip();
        buildHarness();
    });
    after(() => rmSync(BINARY, { force: true }));

    it("GKE: every sample gives the normaliser's line, structured metadata and the LogEntry's time", () => {
        // A Namespace's finalize subresource: resource namespaces, name team-a (not resource "finalize").
        const finalize = {
            ...tricky,
            protoPayload: {
                ...tricky.protoPayload,
                resourceName: "core/v1/namespaces/team-a/finalize",
                methodName: "io.k8s.core.v1.namespaces.finalize.update",
            },
        };
        const samples = [GKE_DENIED_SECRET_GET, GKE_EXEC, GKE_CRB_CREATE, tricky, finalize];
        const go = runLines(
            central(),
            "analytics",
            samples.map((s) => JSON.stringify(s)),
        );
        samples.forEach((s, i) => {
            const [ts] = normalizeLine(JSON.stringify(s));
            assert.equal(go[i].line, ts.line, `sample ${i}`);
            assert.deepEqual(go[i].metadata, hotFields(ts.event), `sample ${i}`);
            assert.equal(go[i].ts, ns(s.timestamp), `sample ${i}`);
            assert.deepEqual(go[i].labels, { job: "gke-audit", cluster: "analytics", source: "gke" });
            assert.equal(go[i].tenant, "analytics", "each cluster's events go to its own tenant");
        });
    });

    it("AKS: properties.log unwrapped to the same line and structured metadata", () => {
        const line = JSON.stringify(AKS_RECORD);
        const [go] = runLines(central(), "hds_sante", [line]);
        const [ts] = normalizeLine(line);
        assert.equal(go.line, ts.line);
        assert.deepEqual(go.metadata, hotFields(ts.event));
        assert.equal(go.ts, ns((ts.event as { stageTimestamp: string }).stageTimestamp));
    });

    it("OpenShift over OTLP: body unwrapped to the same line and structured metadata", () => {
        const line = JSON.stringify(OTLP_RECORD);
        const [go] = runLines(central(fleet({ openshiftForwarder: "clusterLogForwarder", ingress: { lokiHost: "loki.example.net" } })), "ocp_core", [
            line,
        ]);
        const [ts] = normalizeLine(line);
        assert.equal(go.line, ts.line);
        assert.deepEqual(go.metadata, hotFields(ts.event));
        assert.equal(go.metadata.audit_code, "201");
    });

    it("time: stageTimestamp, else requestReceivedTimestamp, else the entry's own (ingest) time, never the previous event's + 1 ns", () => {
        const { stageTimestamp: _s, ...noStage } = NATIVE_EXEC;
        const { requestReceivedTimestamp: _r, ...neither } = noStage;
        const lines = [NATIVE_EXEC, noStage, neither, { ...neither, stageTimestamp: "not a time" }].map((e) => JSON.stringify(e));
        const go = runLines(k3sAgent(), "edge_paris", lines);
        assert.deepEqual(
            go.map((o) => o.ts),
            [ns("2026-11-20T09:15:02.167090Z"), ns("2026-11-20T09:15:02.114385Z"), String(NOW + 2n), String(NOW + 3n)],
        );
        // What the finding was: Alloy's defaults (no action_on_failure) gave the third event the second's time + 1 ns.
        const stages = harnessStages(findBlock(k3sAgent(), "loki.process", "edge_paris")).map((s) =>
            s.kind === "timestamp" ? { kind: s.kind, source: s.source, format: s.format } : s,
        );
        const old = runHarness({ stages, entries: entries(lines) });
        assert.equal(old[2].ts, ns("2026-11-20T09:15:02.114385Z", 1n));
    });

    it("time: two events of the same instant both keep it (a redelivered batch is then deduplicated by Loki)", () => {
        const line = JSON.stringify(NATIVE_EXEC);
        const go = runLines(k3sAgent(), "edge_paris", [line, line, JSON.stringify({ ...NATIVE_EXEC, auditID: "other" })]);
        assert.deepEqual(
            go.map((o) => o.ts),
            Array(3).fill(ns(NATIVE_EXEC.stageTimestamp)),
        );
    });

    it("structured metadata: only the fields with a value (no empty values), the same as the normaliser", () => {
        const event = {
            ...NATIVE_EXEC,
            user: { username: "" },
            objectRef: { resource: "namespaces", namespace: "", name: "team-a", apiVersion: "v1", subresource: "" },
        };
        const [go] = runLines(k3sAgent(), "edge_paris", [JSON.stringify(event)]);
        // The node agent adds the node that read the line (audit_node, from the pod's HOSTNAME = spec.nodeName).
        assert.deepEqual(go.metadata, {
            audit_verb: "get",
            audit_resource: "namespaces",
            audit_code: "101",
            audit_source_ip: "192.0.2.44",
            audit_node: HARNESS_NODE,
        });
        assert.deepEqual(go.metadata, { ...hotFields(event), audit_node: HARNESS_NODE });
        assert.deepEqual(go.labels, { job: "k3s-audit", cluster: "edge-paris", source: "k3s" });
    });

    it("derived fields (what | json cannot see in arrays): Go's structured metadata equals hotFields for pod specs, a ClusterRole, a JSON patch", () => {
        const body = (resource: string, requestObject: unknown, extra: Record<string, unknown> = {}) => ({
            ...NATIVE_EXEC,
            verb: "create",
            stage: "ResponseComplete",
            objectRef: { resource, namespace: "shop", name: "x", apiVersion: "v1", ...extra },
            responseStatus: { metadata: {}, code: 201 },
            requestObject,
        });
        const cases = [
            body("pods", { kind: "Pod", spec: { containers: [{ name: "a", securityContext: { privileged: true } }, { name: "b" }] } }),
            body("deployments", {
                kind: "Deployment",
                spec: {
                    template: {
                        spec: {
                            hostNetwork: true,
                            hostPID: false,
                            containers: [{ name: "w" }],
                            volumes: [
                                { name: "v", hostPath: { path: "/var/run/docker.sock" } },
                                { name: "e", emptyDir: {} },
                            ],
                        },
                    },
                },
            }),
            body("cronjobs", {
                kind: "CronJob",
                spec: {
                    jobTemplate: {
                        spec: {
                            template: {
                                spec: {
                                    initContainers: [{ name: "i", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } } }],
                                    containers: [{ name: "c" }],
                                },
                            },
                        },
                    },
                },
            }),
            body(
                "pods",
                {
                    spec: {
                        ephemeralContainers: [{ name: "debugger-q8w2z", securityContext: { capabilities: { add: ["SYS_PTRACE", "NET_ADMIN"] } } }],
                    },
                },
                { subresource: "ephemeralcontainers" },
            ),
            body("clusterroles", { kind: "ClusterRole", rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }),
            body("deployments", [{ op: "add", path: "/spec/template/spec/hostNetwork", value: true }]),
        ];
        const go = runLines(
            k3sAgent(),
            "edge_paris",
            cases.map((e) => JSON.stringify(e)),
        );
        const derived = (m: Record<string, string>) =>
            Object.fromEntries(Object.entries(m).filter(([k]) => /^audit_(privileged|added_caps|host_namespaces|host_paths|rbac_wildcard)$/.test(k)));
        cases.forEach((e, i) => assert.deepEqual(go[i].metadata, { ...hotFields(e), audit_node: HARNESS_NODE }, `case ${i}`));
        assert.deepEqual(
            go.map((o) => derived(o.metadata)),
            [
                { audit_privileged: "a" },
                { audit_host_namespaces: "hostNetwork", audit_host_paths: "/var/run/docker.sock" },
                { audit_privileged: "i", audit_added_caps: "SYS_ADMIN" },
                { audit_added_caps: "SYS_PTRACE,NET_ADMIN" },
                { audit_rbac_wildcard: "verbs,resources" },
                {},
            ],
        );
        assert.equal(go[5].dropped, false);
    });

    describe("EKS through Firehose (loki.source.awsfirehose, its relabel rules, then loki.process)", () => {
        function firehose(body: unknown): Out[] {
            const blocks = central();
            const source = findBlock(blocks, "loki.source.awsfirehose", "payments_eu");
            assert.deepEqual(source.attrs.relabel_rules, { ref: "loki.relabel.payments_eu.rules" });
            assert.deepEqual(source.attrs.use_incoming_timestamp, true);
            return runHarness({
                stages: harnessStages(findBlock(blocks, "loki.process", "payments_eu")),
                relabel: findBlock(blocks, "loki.relabel", "payments_eu").blocks.map((r) => r.attrs),
                firehose: body,
                now: String(NOW),
                use_incoming_timestamp: true,
            });
        }

        it("a real Firehose request (Alloy's test data): the CONTROL_MESSAGE is dropped, the DATA_MESSAGE's events kept", () => {
            // grafana/alloy internal/component/loki/source/aws_firehose/testdata/cw_logs_mixed.json (Apache-2.0), see testdata/SOURCES.md.
            const body = JSON.parse(readFileSync(path.join(__dirname, "testdata/cw_logs_mixed.json"), "utf8"));
            const out = firehose(body);
            assert.equal(out[0].dropped, true);
            assert.ok(out.length > 1);
            for (const o of out.slice(1)) {
                assert.equal(o.dropped, false);
                assert.ok(!o.line.startsWith("CWL CONTROL MESSAGE"));
                assert.deepEqual(o.labels, { job: "eks-audit", cluster: "payments-eu", source: "eks" });
            }
        });

        it("an audit event in a DATA_MESSAGE (written here, the shape of the real one) is kept with its own time; the control message is not", () => {
            const record = (msg: object) => ({ data: gzipSync(JSON.stringify(msg)).toString("base64") });
            const audit = { ...NATIVE_EXEC, user: { username: "arn:aws:sts::111122223333:assumed-role/ops/alice" } };
            const { stageTimestamp: _s, requestReceivedTimestamp: _r, ...noTime } = NATIVE_EXEC;
            const body = {
                requestId: "written-for-this-test",
                timestamp: 1763630200000,
                records: [
                    record({
                        messageType: "CONTROL_MESSAGE",
                        owner: "CloudwatchLogs",
                        logGroup: "",
                        logStream: "",
                        subscriptionFilters: [],
                        logEvents: [{ id: "", timestamp: 1763630100000, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." }],
                    }),
                    record({
                        messageType: "DATA_MESSAGE",
                        owner: "111122223333",
                        logGroup: "/aws/eks/payments/cluster",
                        logStream: "kube-apiserver-audit-0123456789abcdef0123456789abcdef",
                        subscriptionFilters: ["akko-audit"],
                        logEvents: [
                            { id: "1", timestamp: 1763630102200, message: JSON.stringify(audit) },
                            { id: "2", timestamp: 1763630103300, message: JSON.stringify(noTime) },
                        ],
                    }),
                ],
            };
            const out = firehose(body);
            assert.deepEqual(
                out.map((o) => o.dropped),
                [true, false, false],
            );
            assert.equal(out[1].line, JSON.stringify(audit));
            assert.equal(out[1].ts, ns(NATIVE_EXEC.stageTimestamp));
            assert.deepEqual(out[1].metadata, hotFields(audit));
            // No time in the event: the CloudWatch event's own time (use_incoming_timestamp), not the previous event's.
            assert.equal(out[2].ts, String(1763630103300n * 1_000_000n));
            assert.deepEqual(out[2].labels, { job: "eks-audit", cluster: "payments-eu", source: "eks" });
        });
    });
});
