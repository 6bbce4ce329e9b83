import { strict as assert } from "node:assert";
import { renderLogsArtifacts } from "../../../components/logs/render";
import { fleet } from "./alloy/fixtures";

describe("logs artifacts for `render`", () => {
    it("lists Loki values, the dashboard, every Alloy config and the k3s manifests; no secret value anywhere", () => {
        const out = renderLogsArtifacts(fleet());
        assert.deepEqual(
            out.map((a) => a.path),
            [
                "logs/loki-values.yaml",
                "logs/audit-trail-dashboard.json",
                // One Loki rule file per tenant (the clusters whose events reach Loki).
                "logs/rules/edge-paris.yaml",
                "logs/rules/payments-eu.yaml",
                "logs/rules/analytics.yaml",
                "logs/rules/hds-sante.yaml",
                "logs/rules/ocp-core.yaml",
                "logs/alloy/central.alloy",
                "logs/alloy/edge-paris.alloy",
                "logs/k3s/edge-paris/akko-audit-alloy.yaml",
                "logs/alloy/ocp-core.alloy",
            ],
        );
        for (const a of out) assert.ok(!a.content.includes("[secret]"), a.path);
    });

    it("ClusterLogForwarder mode: the forwarder manifest instead of an OpenShift Alloy config", () => {
        const out = renderLogsArtifacts(
            fleet({
                openshiftForwarder: "clusterLogForwarder",
                ingress: { clusterIssuer: "letsencrypt", lokiHost: "loki.example.net", receiversHost: "receivers.example.net" },
            }),
        );
        assert.deepEqual(
            out.map((a) => a.path).filter((p) => p.includes("ocp-core") && !p.startsWith("logs/rules/")),
            ["logs/openshift/ocp-core/cluster-log-forwarder.yaml"],
        );
        const clf = out.find((a) => a.path.endsWith("cluster-log-forwarder.yaml"))!.content;
        assert.ok(clf.includes("kind: ClusterLogForwarder") && clf.includes("url: https://receivers.example.net/otlp/ocp-core/v1/logs"));
        assert.ok(out.find((a) => a.path === "logs/alloy/central.alloy")!.content.includes('otelcol.receiver.otlp "ocp_core"'));
    });

    it("lists the clusters whose events will not reach Loki, and why, in logs/NOT-SHIPPED.txt", () => {
        const out = renderLogsArtifacts(fleet({ receivers: { gcpCredentialsSecret: "gcpKey" } }));
        const notes = out.find((a) => a.path === "logs/NOT-SHIPPED.txt")!;
        assert.equal(
            notes.content,
            "hds-sante: not shipped to Loki: no eventHubLocation (and no logs.receivers.eventHubs entry): the audit log stays in Log Analytics\n",
        );
        assert.equal(
            renderLogsArtifacts(fleet()).some((a) => a.path === "logs/NOT-SHIPPED.txt"),
            false,
        );
    });
});
