import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { attributesFromEvent } from "../../../../policy/engine";
import { detectFormat, goJson, hotFields, normalizeLine, NormalizeError } from "../../../../components/logs/normalize/normalize";
import { GKE_FIELDS } from "../../../../components/logs/normalize/table";
import {
    AKS_INNER_EVENT,
    AKS_RECORD,
    GKE_CRB_CREATE,
    GKE_DENIED_SECRET_GET,
    GKE_EXEC,
    NATIVE_EXEC,
    OPENSHIFT_INNER_EVENT,
    OTLP_RECORD,
} from "./samples";

const SHARED_SAMPLES = path.resolve(__dirname, "../../../../../shared/samples");

describe("normaliser: every format becomes a native audit Event", () => {
    it("keeps a native Event line byte for byte", () => {
        const text = JSON.stringify(NATIVE_EXEC);
        const [n] = normalizeLine(text);
        assert.equal(n.format, "native");
        assert.equal(n.line, text);
    });

    it("AKS: stores properties.log as is (the Event the apiserver wrote)", () => {
        const [n] = normalizeLine(JSON.stringify(AKS_RECORD));
        assert.equal(n.format, "aks");
        assert.equal(n.line, JSON.stringify(AKS_INNER_EVENT));
        assert.deepEqual(n.event, AKS_INNER_EVENT);
    });

    it("AKS: an Event Hubs {records: [...]} envelope gives one line per record", () => {
        const out = normalizeLine(JSON.stringify({ records: [AKS_RECORD, AKS_RECORD] }));
        assert.deepEqual(
            out.map((n) => n.line),
            [JSON.stringify(AKS_INNER_EVENT), JSON.stringify(AKS_INNER_EVENT)],
        );
    });

    it("OpenShift over OTLP: stores the record's body (the apiserver's line) as is", () => {
        const [n] = normalizeLine(JSON.stringify(OTLP_RECORD));
        assert.equal(n.format, "otlp");
        assert.equal(n.line, JSON.stringify(OPENSHIFT_INNER_EVENT));
        assert.throws(() => normalizeLine(JSON.stringify({ body: "plain text", resources: {} })), new NormalizeError("body: not JSON"));
    });

    it("GKE: maps the LogEntry onto Event fields, Go-style JSON (sorted keys), byte-exact", () => {
        const [n] = normalizeLine(JSON.stringify(GKE_DENIED_SECRET_GET));
        assert.equal(n.format, "gke");
        assert.equal(
            n.line,
            '{"annotations":{"authorization.k8s.io/decision":"forbid"},"apiVersion":"audit.k8s.io/v1","auditID":"8f3b1d2e-7c6a-4b5d-9e0f-a1b2c3d4e5f6",' +
                '"kind":"Event","objectRef":{"apiVersion":"v1","name":"db-password","namespace":"default","resource":"secrets"},' +
                '"requestReceivedTimestamp":"2026-11-20T11:02:03.123456Z","responseStatus":{"code":403,"message":"PERMISSION_DENIED"},' +
                '"sourceIPs":["203.0.113.9"],"stage":"ResponseComplete","stageTimestamp":"2026-11-20T11:02:03.123456Z",' +
                '"user":{"username":"carol@akko.example"},"userAgent":"kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc","verb":"get"}',
        );
    });

    it("GKE: exec is the pods/exec subresource (verb create, status {} = 200), never a plain create", () => {
        const [n] = normalizeLine(JSON.stringify(GKE_EXEC));
        assert.deepEqual(n.event.objectRef, { apiVersion: "v1", namespace: "analytics", resource: "pods", name: "spark-0", subresource: "exec" });
        assert.equal(n.event.verb, "create");
        assert.deepEqual(n.event.responseStatus, { code: 200 });
        assert.deepEqual(n.event.user, { username: "system:serviceaccount:ci:deployer" });
    });

    it("GKE: non-core, cluster-scoped resource with a body; apiGroup from resourceName, request body kept", () => {
        const [n] = normalizeLine(JSON.stringify(GKE_CRB_CREATE));
        assert.deepEqual(n.event.objectRef, {
            apiGroup: "rbac.authorization.k8s.io",
            apiVersion: "v1",
            resource: "clusterrolebindings",
            name: "break-glass",
        });
        assert.equal(n.event.auditID, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        assert.equal((n.event.requestObject as { kind: string }).kind, "ClusterRoleBinding");
        assert.equal(n.event.userAgent, undefined);
    });

    it("GKE: falls back to insertId for auditID when operation.id is absent", () => {
        const entry = { ...GKE_EXEC, operation: undefined };
        const [n] = normalizeLine(JSON.stringify(entry));
        assert.equal(n.event.auditID, GKE_EXEC.insertId);
    });

    it("every normalised Event is one the policy engine reads", () => {
        for (const s of [NATIVE_EXEC, AKS_RECORD, GKE_DENIED_SECRET_GET, GKE_EXEC, GKE_CRB_CREATE, OTLP_RECORD]) {
            const [n] = normalizeLine(JSON.stringify(s));
            assert.ok(attributesFromEvent(n.event).resource, n.format);
        }
    });

    it("hot fields for structured metadata: user, verb, resource, subresource, namespace, code", () => {
        assert.deepEqual(hotFields(NATIVE_EXEC), {
            audit_user: "alice@example.com",
            audit_verb: "get",
            audit_resource: "pods",
            audit_subresource: "exec",
            audit_namespace: "shop",
            audit_code: "101",
            audit_source_ip: "192.0.2.44",
            audit_groups: "dev,system:authenticated",
        });
        const [g] = normalizeLine(JSON.stringify(GKE_CRB_CREATE));
        assert.deepEqual(hotFields(g.event), {
            audit_user: "admin@akko.example",
            audit_verb: "create",
            audit_resource: "clusterrolebindings",
            audit_code: "200",
            audit_source_ip: "203.0.113.20",
        });
    });

    it("detects formats and refuses anything else with a one-line reason", () => {
        assert.equal(detectFormat({ records: [] }), undefined);
        assert.throws(() => normalizeLine("nope"), new NormalizeError("not JSON"));
        assert.throws(
            () => normalizeLine('{"hello":"world"}'),
            new NormalizeError(
                "not an audit Event, an AKS record (properties.log, log_s, AKSAudit row), a GKE LogEntry (protoPayload, serviceName k8s.io), " +
                    "an OTLP record (body, resourceLogs), a CloudWatch export (logEvents, events, results, @message, Firehose records) or a ViaQ record",
            ),
        );
        assert.throws(() => normalizeLine(JSON.stringify({ properties: { log: "{" } })), new NormalizeError("properties.log: not JSON"));
        assert.throws(
            () =>
                normalizeLine(
                    JSON.stringify({ protoPayload: { serviceName: "k8s.io", methodName: "google.container.v1.ClusterManager.GetCluster" } }),
                ),
            new NormalizeError(
                'GKE entry: protoPayload.methodName "google.container.v1.ClusterManager.GetCluster" is not a Kubernetes method (io.k8s.<group>.<version>.<resource>.<verb>)',
            ),
        );
        assert.throws(() => normalizeLine(JSON.stringify({ records: [AKS_RECORD, { x: 1 }] })), /^NormalizeError: records\[1\]: not an audit Event/);
    });

    it("goJson escapes like Go's encoding/json (what Alloy's toJson writes)", () => {
        assert.equal(goJson({ b: "<a&b>", a: 1 }), '{"a":1,"b":"\\u003ca\\u0026b\\u003e"}');
    });

    it("the table documents every lossy GKE field", () => {
        const lossy = GKE_FIELDS.filter((f) => f.lossy).map((f) => f.target.join("."));
        assert.deepEqual(lossy, [
            "stage",
            "user.username",
            "sourceIPs",
            "objectRef.name",
            "responseStatus.code",
            "requestReceivedTimestamp",
            "stageTimestamp",
            "requestObject",
        ]);
    });

    describe("shared real samples (skipped when ../shared/samples is absent)", function () {
        const files = existsSync(SHARED_SAMPLES) ? readdirSync(SHARED_SAMPLES).filter((f) => f.endsWith(".jsonl")) : [];
        before(function () {
            if (files.length === 0) this.skip();
        });
        it("every line of every native sample stays byte-identical", () => {
            let lines = 0;
            for (const f of files) {
                for (const line of readFileSync(path.join(SHARED_SAMPLES, f), "utf8")
                    .split("\n")
                    .filter((l) => l.trim() !== "")) {
                    const [n] = normalizeLine(line);
                    assert.equal(n.format, "native", `${f}: ${line.slice(0, 80)}`);
                    assert.equal(n.line, line);
                    lines++;
                }
            }
            assert.ok(lines > 0);
        });
    });
});
