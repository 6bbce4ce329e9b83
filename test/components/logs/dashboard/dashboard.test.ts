import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { auditTrailDashboard, auditTrailDashboardJson } from "../../../../components/logs/dashboard/dashboard";
import { DASHBOARD_SELECTOR, queries, RUNBOOK_QUERIES, RUNBOOK_SELECTOR } from "../../../../components/logs/dashboard/queries";

import { logqlErrors } from "../../../helpers/logql";
import { ruleLogQuery } from "../../../../components/logs/detections/logql";
import { detectionRules } from "../../../../components/logs/detections/rules";
import { DetectionsSchema } from "../../../../components/config";

const DEFAULTS = DetectionsSchema.parse({});
const RULES = detectionRules({ rbacWriters: DEFAULTS.rbacWriters, secretReaders: DEFAULTS.secretReaders, enumeration: DEFAULTS.enumeration });

type Panel = { type: string; title: string; targets?: { expr: string; queryType: string }[]; timeFrom?: string };

describe("Audit Trail dashboard", () => {
    const model = JSON.parse(auditTrailDashboardJson()) as {
        uid: string;
        title: string;
        panels: Panel[];
        templating: { list: { name: string; type: string; query: unknown; includeAll?: boolean; multi?: boolean }[] };
    };
    const panels = model.panels.filter((p) => p.type !== "row");

    it("has the four panels and the runbook's three, with their types", () => {
        assert.deepEqual(
            panels.map((p) => [p.type, p.title]),
            [
                ["bargauge", "Top users by API calls (last 1h)"],
                ["timeseries", "Resource creations / deletions"],
                ["logs", "Privileged operations"],
                ["table", "Sensitive reads (Secret access by user, last 24h)"],
                ["logs", "Runbook: every Secret read in the last hour"],
                ["logs", "Runbook: every RoleBinding change today"],
                ["table", "Runbook: top 10 users by write volume (24h)"],
                ["logs", "Detections: critical (5 rules)"],
                ["logs", "Detections: high (10 rules)"],
                ["logs", "Detections: medium (8 rules)"],
            ],
        );
        assert.equal(model.uid, "akko-audit-trail");
        assert.equal(model.title, "Audit Trail");
        assert.deepEqual(
            panels.slice(4, 6).map((p) => p.timeFrom),
            ["1h", "now/d"],
        );
    });

    it("variables: datasource, cluster and source (multi, All = .+)", () => {
        assert.deepEqual(
            model.templating.list.map((v) => [v.name, v.type, v.query]),
            [
                ["datasource", "datasource", "loki"],
                ["cluster", "query", "label_values(cluster)"],
                ["source", "query", "label_values(source)"],
            ],
        );
        assert.ok(model.templating.list.slice(1).every((v) => v.multi && v.includeAll));
    });

    it("every panel query parses with @grafana/lezer-logql and uses the cluster/source selector", () => {
        const exprs = panels.flatMap((p) => p.targets!.map((t) => t.expr));
        assert.equal(exprs.length, 8 + RULES.length);
        for (const e of exprs) {
            assert.deepEqual(logqlErrors(e), [], e);
            assert.ok(e.includes(DASHBOARD_SELECTOR), e);
        }
    });

    it("detections: one panel per severity that has rules, one query per rule (the ruler's log query), disabled rules left out", () => {
        const critical = panels.find((p) => p.title === "Detections: critical (5 rules)")!;
        const mine = RULES.filter((r) => r.severity === "critical");
        assert.deepEqual(
            critical.targets!.map((t) => t.expr),
            mine.map(
                (r) =>
                    `${ruleLogQuery(r, DASHBOARD_SELECTOR)} | line_format "${r.id}: {{.user_username}} {{.verb}} {{.objectRef_resource}} {{.objectRef_namespace}}/{{.objectRef_name}} ({{.responseStatus_code}})"`,
            ),
        );
        const fewer = auditTrailDashboard(RULES.filter((r) => r.severity !== "critical")) as unknown as { panels: Panel[] };
        assert.deepEqual(
            fewer.panels.filter((p) => p.title.startsWith("Detections:")).map((p) => p.title),
            ["Detections: high (10 rules)", "Detections: medium (8 rules)"],
        );
    });

    it('privileged operations match the exec/attach/portforward subresource, never verb="create" alone', () => {
        const priv = panels.find((p) => p.title === "Privileged operations")!;
        const [exec, bindings] = priv.targets!.map((t) => t.expr);
        assert.ok(exec.includes('objectRef_subresource=~"exec|attach|portforward"'));
        assert.ok(!exec.includes('verb="create"'));
        assert.ok(bindings.includes('objectRef_resource=~"rolebindings|clusterrolebindings"'));
    });

    it("every query of the code, for both selectors, parses; the grammar does reject a broken one", () => {
        for (const [name, q] of Object.entries(queries)) {
            for (const sel of [DASHBOARD_SELECTOR, RUNBOOK_SELECTOR, '{job="eks-audit"}', '{cluster="payments-eu"}'])
                assert.deepEqual(logqlErrors(q(sel)), [], `${name} ${sel}`);
        }
        assert.notDeepEqual(logqlErrors('{job="k3s-audit" | json'), []);
    });

    it("every LogQL block of the README parses, and the runbook's three are there verbatim", () => {
        const readme = readFileSync(path.resolve(__dirname, "../../../../README.md"), "utf8");
        const blocks = [...readme.matchAll(/```logql\n([\s\S]*?)```/g)].map((m) => m[1]);
        const exprs = blocks.flatMap((b) => b.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")));
        assert.ok(exprs.length >= 3, "README has the runbook's queries");
        for (const e of exprs) assert.deepEqual(logqlErrors(e), [], e);
        for (const r of RUNBOOK_QUERIES) assert.ok(exprs.includes(r.expr), r.title);
    });

    it("is deterministic", () => {
        assert.equal(auditTrailDashboardJson(), auditTrailDashboardJson());
        assert.equal(typeof auditTrailDashboard().panels, "object");
    });
});
