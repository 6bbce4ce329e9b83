import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { AKS_EVENT_PATH, OTLP_EVENT_PATH, GKE_EXTRACTS, GKE_SPLITS, HOT_FIELDS } from "../../../../components/logs/normalize/table";
import { hotFields, normalizeLine } from "../../../../components/logs/normalize/normalize";
import { gkeTemplate, jmesPath, normalizeStages, re2 } from "../../../../components/logs/alloy/stages";
import { AKS_RECORD, GKE_CRB_CREATE, GKE_DENIED_SECRET_GET, GKE_EXEC, OTLP_RECORD } from "../normalize/samples";

/**
 * The two uses of the one table agree: Alloy's stages (run by a Go harness with the libraries Alloy uses:
 * text/template + sprig, go-jmespath, regexp) and the TypeScript normaliser give byte-identical lines and
 * the same structured metadata. Needs `go` and Debian's golang-github-masterminds-sprig-dev and
 * golang-github-jmespath-go-jmespath-dev (GOPATH mode, no network); skipped when they are absent.
 */
const GOPATH = "/usr/share/gocode";
const HARNESS = path.join(__dirname, "gopipeline");

function goAvailable(): boolean {
    if (!existsSync(path.join(GOPATH, "src/github.com/Masterminds/sprig")) || !existsSync(path.join(GOPATH, "src/github.com/jmespath/go-jmespath")))
        return false;
    return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
}

function runAlloyStages(spec: Record<string, unknown>): { line: string; hot: Record<string, string> }[] {
    const r = spawnSync("go", ["run", "main.go"], {
        cwd: HARNESS,
        input: JSON.stringify({ hot: Object.fromEntries(HOT_FIELDS.map((f) => [f.key, jmesPath(f.path)])), ...spec }),
        env: { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE: path.join(require("node:os").tmpdir(), "akko-gocache"), GOFLAGS: "" },
        encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
}

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

describe("Alloy stages and the TypeScript normaliser agree (Go harness)", function () {
    this.timeout(120000);
    before(function () {
        if (!goAvailable()) this.skip();
    });

    it("GKE: every sample gives the same line and the same structured metadata", () => {
        const finalize = {
            ...tricky,
            protoPayload: {
                ...tricky.protoPayload,
                resourceName: "core/v1/namespaces/team-a/finalize",
                methodName: "io.k8s.core.v1.namespaces.finalize.update",
            },
        };
        const samples = [GKE_DENIED_SECRET_GET, GKE_EXEC, GKE_CRB_CREATE, tricky, finalize].map((s) => JSON.stringify(s));
        const go = runAlloyStages({
            lines: samples,
            json: Object.fromEntries(GKE_EXTRACTS.map((e) => [e.name, e.paths.map(jmesPath).join(" || ")])),
            regex: GKE_SPLITS.map((s) => ({ source: s.source, expression: re2(s.pattern) })),
            template: gkeTemplate(),
            source: "gke_event",
        });
        samples.forEach((s, i) => {
            const [ts] = normalizeLine(s);
            assert.equal(go[i].line, ts.line, `sample ${i}`);
            assert.deepEqual(go[i].hot, hotFields(ts.event), `sample ${i}`);
        });
        assert.ok(normalizeStages("gke").some((st) => st.includes(gkeTemplate())));
    });

    it("AKS: properties.log unwrapped to the same line, same structured metadata", () => {
        const line = JSON.stringify(AKS_RECORD);
        const [go] = runAlloyStages({ lines: [line], json: { aks_event: jmesPath(AKS_EVENT_PATH) }, regex: [], template: "", source: "aks_event" });
        const [ts] = normalizeLine(line);
        assert.equal(go.line, ts.line);
        assert.deepEqual(go.hot, hotFields(ts.event));
    });

    it("OpenShift over OTLP: body unwrapped to the same line, same structured metadata", () => {
        const line = JSON.stringify(OTLP_RECORD);
        const [go] = runAlloyStages({
            lines: [line],
            json: { otlp_event: jmesPath(OTLP_EVENT_PATH) },
            regex: [],
            template: "",
            source: "otlp_event",
        });
        const [ts] = normalizeLine(line);
        assert.equal(go.line, ts.line);
        assert.deepEqual(go.hot, hotFields(ts.event));
        assert.equal(go.hot.audit_code, "201");
    });
});
