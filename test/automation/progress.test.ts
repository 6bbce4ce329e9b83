import { strict as assert } from "node:assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { changesByType, clusterOf, firstLine, initialProgress, Progress, progressLine, reduceProgress, urnName } from "../../automation/progress";
import { diagnostic, failed, outputs, pre, ROLLOUT, stepDone, summary, urn } from "./events";

const CLUSTERS = ["edge", "edge-paris", "payments-eu"];
const K3S = ["akko:audit:K3sCluster"];
const replay = (events: EngineEvent[], start: Progress = initialProgress(CLUSTERS)) => events.reduce(reduceProgress, start);

describe("automation: event stream -> progress", () => {
    it("urnName and clusterOf: the longest cluster name that is the resource name or a '-' prefix of it", () => {
        const sorted = initialProgress(CLUSTERS).clusters;
        assert.deepEqual(sorted, ["payments-eu", "edge-paris", "edge"]);
        assert.equal(urnName(urn("command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT, ...K3S])), "edge-paris-server-0-policy");
        assert.equal(clusterOf(urn("command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT, ...K3S]), sorted), "edge-paris");
        assert.equal(clusterOf(urn("akko:audit:K3sCluster", "edge", [ROLLOUT]), sorted), "edge");
        assert.equal(clusterOf(urn("command:remote:Command", "edge-server-0", [ROLLOUT]), sorted), "edge");
        assert.equal(clusterOf(urn("command:remote:Command", "edgepoint-x", [ROLLOUT]), sorted), undefined);
        assert.equal(clusterOf(urn("akko:audit:Logs", "logs", [ROLLOUT]), sorted), undefined);
        assert.equal(clusterOf(urn("pulumi:providers:aws", "default_7_48_0"), sorted), undefined);
    });

    it("counts started, done and failed steps, overall and per cluster, ignoring the root stack", () => {
        const p = replay([
            pre("same", "pulumi:pulumi:Stack", "akko-audit-prod"),
            ...stepDone("create", ROLLOUT, "prod"),
            ...stepDone("create", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]),
            pre("create", "command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT, ...K3S]),
            ...stepDone("update", "aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group", [ROLLOUT, "akko:audit:EksAuditLogging"]),
            pre("create", "command:remote:Command", "edge-server-0-policy", [ROLLOUT, ...K3S]),
            failed("create", "command:remote:Command", "edge-server-0-policy", [ROLLOUT, ...K3S]),
            outputs("same", "pulumi:pulumi:Stack", "akko-audit-prod"),
        ]);
        assert.deepEqual(p.steps, { started: 5, done: 3, failed: 1 });
        assert.deepEqual(p.byCluster, {
            "edge-paris": { started: 2, done: 1, failed: 0 },
            "payments-eu": { started: 1, done: 1, failed: 0 },
            edge: { started: 1, done: 0, failed: 1 },
        });
        assert.equal(p.currentCluster, "edge");
        assert.equal(progressLine(p), "[4/5] resources · cluster edge · 1 failed");
    });

    it("the current cluster stays on the last cluster seen while shared resources run", () => {
        const p = replay([pre("create", "akko:audit:K3sCluster", "edge-paris", [ROLLOUT]), pre("create", "akko:audit:Logs", "logs", [ROLLOUT])]);
        assert.equal(p.currentCluster, "edge-paris");
        assert.equal(replay([pre("create", "akko:audit:Logs", "logs", [ROLLOUT])]).currentCluster, undefined);
    });

    it("records operations per resource type; changes leave out 'same'", () => {
        const p = replay([
            ...stepDone("same", "command:remote:Command", "edge-server-0-policy", [ROLLOUT]),
            ...stepDone("update", "command:remote:Command", "edge-paris-server-0-policy", [ROLLOUT]),
            ...stepDone("create", "command:remote:Command", "edge-paris-server-1-policy", [ROLLOUT]),
            ...stepDone("replace", "azure-native:monitor:DiagnosticSetting", "hds-sante-audit", [ROLLOUT]),
            ...stepDone("same", "aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group", [ROLLOUT]),
        ]);
        assert.deepEqual(p.byType["command:remote:Command"], { same: 1, update: 1, create: 1 });
        assert.deepEqual(changesByType(p), {
            "azure-native:monitor:DiagnosticSetting": { replace: 1 },
            "command:remote:Command": { update: 1, create: 1 },
        });
    });

    it("shows the expected total when known, and never less than what has started", () => {
        const p = replay(stepDone("create", "akko:audit:K3sCluster", "edge", [ROLLOUT]), initialProgress(CLUSTERS, 30));
        assert.equal(progressLine(p), "[1/30] resources · cluster edge");
        const over = replay([pre("create", "a:b:C", "x"), pre("create", "a:b:C", "y")], initialProgress([], 1));
        assert.equal(progressLine(over), "[0/2] resources");
    });

    it("keeps the first line of each error diagnostic (colour marks removed), with the resource name", () => {
        const p = replay([
            diagnostic("info", "installing plugin"),
            diagnostic(
                "error",
                "<{%reset%}>ssh: handshake failed: host key mismatch<{%reset%}>\n  more detail\n",
                urn("command:remote:Command", "edge-server-0-policy", [ROLLOUT]),
            ),
            diagnostic("error", "update failed"),
            diagnostic("warning", "deprecated"),
        ]);
        assert.deepEqual(p.errors, ["edge-server-0-policy: ssh: handshake failed: host key mismatch", "update failed"]);
        assert.equal(firstLine("\n\n  <{%fg 1%}>boom<{%reset%}>\nx"), "boom");
    });

    it("takes the engine's totals from the summary event and notes policy violations and cancellation", () => {
        const p = replay([
            summary({ create: 3, same: 10 }, 12.5),
            {
                sequence: 99,
                timestamp: 0,
                policyEvent: {
                    resourceUrn: urn("aws:cloudwatch/logGroup:LogGroup", "payments-eu-log-group"),
                    message:
                        'Every CloudWatch log group sets retentionInDays (greater than 0).\naws:cloudwatch/logGroup:LogGroup "payments-eu-log-group": retentionInDays: got missing; allowed: ...',
                    color: "raw",
                    policyName: "log-group-retention-set",
                    policyPackName: "akko-audit-guardrails",
                    policyPackVersion: "0.1.0",
                    policyPackVersionTag: "0.1.0",
                    enforcementLevel: "mandatory",
                },
            },
            { sequence: 100, timestamp: 0, cancelEvent: {} },
        ]);
        assert.deepEqual(p.summary, { resourceChanges: { create: 3, same: 10 }, durationSeconds: 12.5 });
        assert.deepEqual(p.policyViolations, [
            '[mandatory] akko-audit-guardrails/log-group-retention-set: payments-eu-log-group: aws:cloudwatch/logGroup:LogGroup "payments-eu-log-group": retentionInDays: got missing; allowed: ...',
        ]);
        assert.equal(p.cancelled, true);
    });

    it("is pure: never mutates the previous state, and returns the same object for events it ignores", () => {
        const start = initialProgress(CLUSTERS);
        const snapshot = JSON.stringify(start);
        const next = reduceProgress(start, pre("create", "akko:audit:K3sCluster", "edge", [ROLLOUT]));
        assert.equal(JSON.stringify(start), snapshot);
        assert.notEqual(next, start);
        const stdout: EngineEvent = { sequence: 1, timestamp: 0, stdoutEvent: { message: "hello", color: "raw" } };
        assert.equal(reduceProgress(next, stdout), next);
        assert.equal(reduceProgress(next, pre("same", "pulumi:pulumi:Stack", "s")), next);
    });

    it("attributes a 2000-step stream over 200 clusters exactly (site-1 never swallows site-10)", () => {
        const clusters = Array.from({ length: 200 }, (_, i) => `site-${i}`);
        const events: EngineEvent[] = [];
        for (const c of clusters)
            for (let n = 0; n < 10; n++) events.push(...stepDone("create", "command:remote:Command", `${c}-server-${n}-policy`, [ROLLOUT]));
        const p = replay(events, initialProgress(clusters));
        assert.deepEqual(p.steps, { started: 2000, done: 2000, failed: 0 });
        assert.deepEqual(p.byCluster["site-199"], { started: 10, done: 10, failed: 0 });
        // site-1 must not swallow site-10..site-19 (prefix match is on whole '-' segments, longest first).
        assert.deepEqual(p.byCluster["site-1"], { started: 10, done: 10, failed: 0 });
    });
});
