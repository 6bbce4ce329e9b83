import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { LogsSchema } from "../../../../components/config/logs";
import { logsProblems } from "../../../../components/logs/requirements";
import { alertName, ruleFiles, silenceExprs } from "../../../../components/logs/loki/ruler";
import { lokiValues } from "../../../../components/logs/loki/values";
import { CHARTS, findManifest, helmTemplate, podSpec, skipWithoutHelm } from "../../../helpers/helm";
import { logqlErrors } from "../../../helpers/logql";
import { exampleConfig, release, renderReleases } from "../helpers/rendered-charts";

describe("Loki ruler: rule files per tenant", () => {
    it("one file per shipped cluster; every expression parses with Grafana's LogQL grammar", () => {
        const files = ruleFiles(exampleConfig("prod"));
        assert.deepEqual(
            files.map((f) => f.tenant),
            ["edge-paris", "factory-lyon", "payments-eu", "payments-us", "analytics", "hds-sante", "clinic-lyon", "ocp-core"],
        );
        for (const f of files) {
            for (const g of parse(f.content).groups)
                for (const r of g.rules) assert.deepEqual(logqlErrors(r.expr), [], `${f.tenant} ${r.alert}: ${r.expr}`);
        }
    });

    it("the silence alerts: absent_over_time per cluster, and per node from the agents' audit_node", () => {
        assert.deepEqual(silenceExprs("factory-lyon", "15m", true), {
            cluster: 'absent_over_time({cluster="factory-lyon"} [15m])',
            node:
                'sum by (cluster, audit_node) (count_over_time({cluster="factory-lyon"} | audit_node!="" [24h])) unless ' +
                'sum by (cluster, audit_node) (count_over_time({cluster="factory-lyon"} | audit_node!="" [15m]))',
        });
        assert.deepEqual(silenceExprs("payments-eu", "30m", false), { cluster: 'absent_over_time({cluster="payments-eu"} [30m])' });
        const file = parse(ruleFiles(exampleConfig("prod")).find((f) => f.tenant === "payments-eu")!.content);
        assert.deepEqual(
            file.groups.map((g: { name: string; rules: { alert: string }[] }) => [g.name, g.rules.at(-1)!.alert]),
            [
                ["akko-audit-detections", file.groups[0].rules.at(-1).alert],
                ["akko-audit-silence", "AkkoAuditAuditSilence"],
            ],
        );
    });

    it("a detection alert: name, expression, labels severity and rule, annotations with the log query", () => {
        const file = parse(ruleFiles(exampleConfig("prod")).find((f) => f.tenant === "edge-paris")!.content);
        const exec = file.groups[0].rules.find((r: { alert: string }) => r.alert === "AkkoAuditPodExec");
        assert.equal(alertName("pod-exec"), "AkkoAuditPodExec");
        assert.deepEqual(exec.labels, { severity: "high", rule: "pod-exec" });
        assert.equal(exec.for, "0m");
        assert.equal(
            exec.annotations.query,
            '{job=~".+-audit"} | json | __error__="" | objectRef_resource=`pods` | objectRef_subresource=~`exec|attach|portforward` | verb=~`get|create`',
        );
    });

    it("disabled rules are not deployed; an unknown id is a one-line error naming the allowed ids", () => {
        const config = exampleConfig("prod", { detections: { disabled: ["pod-exec"] } });
        for (const f of ruleFiles(config)) assert.ok(!f.content.includes("AkkoAuditPodExec"), f.tenant);
        const bad = exampleConfig("prod", { detections: { disabled: ["pod-exek"] } });
        const line = logsProblems(bad).find((p) => p.includes("detections.disabled"))!;
        assert.match(
            line,
            /^akko-audit:logs: field detections\.disabled\[0\]: got "pod-exek"; allowed: a detection rule id: pod-exec, anonymous-allowed/,
        );
    });

    it("alerting: passwordSecret without username, or without a URL, is refused", () => {
        const config = exampleConfig("prod", { alerting: { passwordSecret: "amPassword" } }, ["amPassword"]);
        assert.deepEqual(
            logsProblems(config).filter((p) => p.includes("alerting")),
            [
                "akko-audit:logs: field alerting.username: missing; allowed: the Alertmanager's basic-auth user (alerting.passwordSecret is set)",
                "akko-audit:logs: field alerting.alertmanagerUrl: missing; allowed: the Alertmanager's URL (alerting.passwordSecret is set)",
            ],
        );
    });
});

describe("Loki ruler rendered by the pinned chart (helm template)", function () {
    before(function () {
        skipWithoutHelm(this);
    });

    it("chart 18.11.0's ruler.directories in SingleBinary mounts a ConfigMap it never renders (why we bring our own)", () => {
        const values = { ...lokiValues(LogsSchema.parse({})), ruler: { enabled: true, directories: { "edge-paris": { "r.yaml": "groups: []\n" } } } };
        const docs = helmTemplate(CHARTS.loki, "loki", "akko-audit-logs", values);
        const vol = podSpec(findManifest(docs, "StatefulSet", "loki"))!.volumes.find((v: { name: string }) => v.name === "rules-edge-paris");
        assert.deepEqual(vol, { name: "rules-edge-paris", configMap: { name: "loki-single-binary-rules-edge-paris" } });
        assert.equal(
            docs.some((d) => d.kind === "ConfigMap" && d.metadata.name === "loki-single-binary-rules-edge-paris"),
            false,
        );
    });

    it("SingleBinary: our ConfigMap holds each tenant's file, mounted as /etc/loki/rules/<tenant>/akko-audit.yaml; ruler config local, no remote_write", () => {
        const config = exampleConfig(
            "prod",
            { alerting: { alertmanagerUrl: "http://alertmanager.monitoring:9093", username: "loki", passwordSecret: "amPassword" } },
            ["amPassword"],
        );
        const docs = release(renderReleases(config), "loki").manifests;
        const cm = findManifest(docs, "ConfigMap", "akko-audit-loki-rules");
        const files = ruleFiles(config);
        assert.deepEqual(
            Object.fromEntries(
                Object.entries(cm.binaryData as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
            ),
            Object.fromEntries(files.map((f) => [`${f.tenant}.yaml`, f.content])),
        );
        const spec = podSpec(findManifest(docs, "StatefulSet", "loki"))!;
        const vol = spec.volumes.find((v: { name: string }) => v.name === "akko-audit-rules");
        assert.deepEqual(vol.configMap.items.map((i: { key: string; path: string }) => `${i.key}->${i.path}`).slice(0, 2), [
            "edge-paris.yaml->edge-paris/akko-audit.yaml",
            "factory-lyon.yaml->factory-lyon/akko-audit.yaml",
        ]);
        assert.deepEqual(
            spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === "akko-audit-rules"),
            { name: "akko-audit-rules", mountPath: "/etc/loki/rules", readOnly: true },
        );
        assert.deepEqual(
            spec.containers[0].env.find((e: { name: string }) => e.name === "AKKO_ALERTMANAGER_PASSWORD"),
            {
                name: "AKKO_ALERTMANAGER_PASSWORD",
                valueFrom: { secretKeyRef: { name: "akko-audit-loki-alertmanager", key: "password" } },
            },
        );
        const ruler = parse(findManifest(docs, "ConfigMap", "loki").data["config.yaml"]).ruler;
        assert.deepEqual(ruler, {
            alertmanager_client: { basic_auth_password: "${AKKO_ALERTMANAGER_PASSWORD}", basic_auth_username: "loki" },
            alertmanager_url: "http://alertmanager.monitoring:9093",
            enable_api: true,
            evaluation_interval: "1m",
            rule_path: "/var/loki/ruler-scratch",
            storage: { local: { directory: "/etc/loki/rules" }, type: "local" },
            wal: { dir: "/var/loki/ruler-wal" },
        });
        assert.equal("remote_write" in ruler, false);
    });
});
