import { strict as assert } from "node:assert";
import { lokiJsonLabels } from "../../../../components/logs/detections/loki-json";
import { Detector, lineLabels, matches } from "../../../../components/logs/detections/evaluate";
import { labelFilters, ruleAlertExpr } from "../../../../components/logs/detections/logql";
import { all, any, DetectionRule, eq, re } from "../../../../components/logs/detections/model";
import { detectionRules } from "../../../../components/logs/detections/rules";
import { hotFields } from "../../../../components/logs/normalize/normalize";
import { logqlErrors, logqlNodes } from "../../../helpers/logql";

const PARAMS = { rbacWriters: [], secretReaders: [], enumeration: { threshold: 3, window: "5m" } };

const EXEC = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "a1",
    stage: "ResponseStarted",
    requestURI: "/api/v1/namespaces/shop/pods/web-0/exec?command=sh",
    verb: "get",
    user: { username: "alice", groups: ["dev"] },
    sourceIPs: ["192.0.2.1"],
    objectRef: { resource: "pods", namespace: "shop", name: "web-0", apiVersion: "v1", subresource: "exec" },
    responseStatus: { metadata: {}, code: 101 },
    stageTimestamp: "2026-12-01T10:00:00.000000Z",
    annotations: { "authorization.k8s.io/decision": "allow", "pod-security.kubernetes.io/enforce-policy": "restricted:latest" },
};

function labelsOf(event: Record<string, unknown>, stream: Record<string, string> = { cluster: "edge", job: "k3s-audit", source: "k3s" }) {
    return lineLabels(JSON.stringify(event), hotFields(event), stream);
}

describe("detections: the engine (Loki's json parser and label filters, in TypeScript)", () => {
    it("| json: nested keys joined with _, annotation keys sanitised, numbers as their text, arrays and nulls skipped", () => {
        const labels = lokiJsonLabels({ ...EXEC, impersonatedUser: null, flag: true, "9lives": "x" });
        assert.equal(labels.get("objectRef_subresource"), "exec");
        assert.equal(labels.get("user_username"), "alice");
        assert.equal(labels.get("responseStatus_code"), "101");
        assert.equal(labels.get("annotations_authorization_k8s_io_decision"), "allow");
        assert.equal(labels.get("annotations_pod_security_kubernetes_io_enforce_policy"), "restricted:latest");
        assert.equal(labels.get("flag"), "true");
        assert.equal(labels.get("_9lives"), "x");
        assert.equal(labels.has("sourceIPs"), false);
        assert.equal(labels.has("user_groups"), false);
        assert.equal(labels.has("impersonatedUser"), false);
        assert.equal(labels.has("responseStatus_metadata"), false);
    });

    it("a key a stream label or structured metadata already has is extracted as <key>_extracted", () => {
        const labels = lineLabels(JSON.stringify({ cluster: "spoofed", verb: "get" }), { audit_verb: "get" }, { cluster: "edge" });
        assert.equal(labels.get("cluster"), "edge");
        assert.equal(labels.get("cluster_extracted"), "spoofed");
    });

    it("label filters: regexes fully anchored, an absent label reads as empty, and/or nest", () => {
        const l = labelsOf(EXEC);
        assert.equal(matches(re("verb", "ge"), l), false);
        assert.equal(matches(re("verb", "get|create"), l), true);
        assert.equal(matches(eq("impersonatedUser_username", ""), l), true);
        assert.equal(matches(all(eq("verb", "get"), any(eq("user_username", "bob"), eq("audit_source_ip", "192.0.2.1"))), l), true);
        assert.equal(matches(all(eq("verb", "get"), any(eq("user_username", "bob"), eq("audit_groups", "ops"))), l), false);
    });

    it("renders nested logic as LogQL label filters that Grafana's grammar parses as such", () => {
        const m = all(eq("verb", "get"), any(eq("user_username", "bob"), all(eq("a", "1"), re("b", "x`y"))));
        assert.equal(labelFilters(m), 'verb=`get` | (user_username=`bob` or (a=`1` and b=~"x`y"))');
        for (const rule of detectionRules(PARAMS)) {
            const expr = ruleAlertExpr(rule);
            assert.deepEqual(logqlErrors(expr), [], `${rule.id}: ${expr}`);
            assert.ok(logqlNodes(expr).includes("LabelFilter"), rule.id);
        }
    });

    it("pod-exec: one hit per request (ResponseStarted and ResponseComplete are one exec), both verbs", () => {
        const d = new Detector(detectionRules(PARAMS));
        const started = d.push(labelsOf(EXEC), 0);
        const complete = d.push(labelsOf({ ...EXEC, stage: "ResponseComplete" }), 1);
        const spdy = d.push(labelsOf({ ...EXEC, auditID: "a2", verb: "create" }), 2);
        const log = d.push(labelsOf({ ...EXEC, auditID: "a3", objectRef: { ...EXEC.objectRef, subresource: "log" } }), 3);
        assert.deepEqual(started, [
            {
                rule: "pod-exec",
                severity: "high",
                cluster: "edge",
                auditID: "a1",
                user: "alice",
                verb: "get",
                object: "pods/exec shop/web-0",
                time: "2026-12-01T10:00:00.000000Z",
            },
        ]);
        assert.deepEqual(complete, []);
        assert.deepEqual(
            spdy.map((h) => [h.rule, h.auditID, h.verb]),
            [["pod-exec", "a2", "create"]],
        );
        assert.deepEqual(log, []);
    });

    it("counted rules hit once when the count in the window reaches the threshold, per key", () => {
        const rule: DetectionRule = {
            id: "t",
            title: "t",
            severity: "low",
            why: "",
            sources: [],
            needs: { requests: [], level: "Metadata", fields: [] },
            match: eq("verb", "get"),
            threshold: { count: 3, window: "5m", by: ["user_username"] },
        };
        const d = new Detector([rule]);
        const at = (user: string, ms: number) =>
            d.push(labelsOf({ ...EXEC, user: { username: user } }), ms).map((h) => [h.key?.user_username, h.count]);
        assert.deepEqual(at("a", 0), []);
        assert.deepEqual(at("b", 1000), []);
        assert.deepEqual(at("a", 1000), []);
        assert.deepEqual(at("a", 400_000), []); // the first two fell out of the 5m window
        assert.deepEqual(at("a", 401_000), []);
        assert.deepEqual(at("a", 402_000), [["a", 3]]);
        assert.deepEqual(at("a", 403_000), []); // fired; quiet until its window has passed
        assert.equal(
            ruleAlertExpr(rule),
            'sum by (cluster, user_username) (count_over_time({job=~".+-audit"} | json | __error__="" | verb=`get` [5m])) >= 3',
        );
    });
});
