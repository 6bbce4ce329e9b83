import { strict as assert } from "node:assert";
import { renderSource } from "../../../../components/logs/alloy/config";
import { centralPlan, nodeAgentSource } from "../../../../components/logs/alloy/plan";
import { normalizeStages } from "../../../../components/logs/alloy/stages";
import { clfServiceAccountManifests, clusterLogForwarder } from "../../../../components/logs/openshift/clf";
import { logsProblems } from "../../../../components/logs/requirements";
import { fleet } from "../alloy/fixtures";

const CLF = {
    openshiftForwarder: "clusterLogForwarder",
    ingress: { className: "nginx", clusterIssuer: "letsencrypt", lokiHost: "loki.example.net", receiversHost: "receivers.example.net" },
};

describe("OpenShift through the Logging operator (ClusterLogForwarder mode)", () => {
    it("renders the observability.openshift.io/v1 ClusterLogForwarder: audit input (kubeAPI), OTLP output with basic auth", () => {
        const config = fleet(CLF);
        const ocp = config.clusters.find((c) => c.kind === "openshift")!;
        assert.ok(ocp.kind === "openshift");
        assert.deepEqual(clusterLogForwarder(config, ocp), {
            apiVersion: "observability.openshift.io/v1",
            kind: "ClusterLogForwarder",
            metadata: { name: "akko-audit", namespace: "openshift-logging" },
            spec: {
                serviceAccount: { name: "akko-audit-collector" },
                inputs: [{ name: "kube-api-audit", type: "audit", audit: { sources: ["kubeAPI"] } }],
                outputs: [
                    {
                        name: "akko-audit-alloy",
                        type: "otlp",
                        otlp: {
                            url: "https://receivers.example.net/otlp/ocp-core/v1/logs",
                            authentication: {
                                username: { secretName: "akko-audit-otlp", key: "username" },
                                password: { secretName: "akko-audit-otlp", key: "password" },
                            },
                        },
                    },
                ],
                pipelines: [{ name: "akko-audit", inputRefs: ["kube-api-audit"], outputRefs: ["akko-audit-alloy"] }],
            },
        });
        assert.deepEqual(clfServiceAccountManifests()[1].roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "collect-audit-logs",
        });
    });

    it("the central Alloy gets an authenticated OTLP receiver per OpenShift cluster, then unwraps the body", () => {
        const config = fleet(CLF);
        const plan = centralPlan(config);
        const otlp = plan.sources.find((s) => s.type === "otlp")!;
        assert.equal(
            renderSource(otlp),
            `otelcol.auth.basic "ocp_core" {
  htpasswd {
    inline = sys.env("OTLP_HTPASSWD_OCP_CORE")
  }
}

otelcol.receiver.otlp "ocp_core" {
  http {
    endpoint      = "0.0.0.0:9100"
    logs_url_path = "/otlp/ocp-core/v1/logs"
    auth          = otelcol.auth.basic.ocp_core.handler
  }
  output {
    logs = [otelcol.exporter.loki.ocp_core.input]
  }
}

otelcol.exporter.loki "ocp_core" {
  forward_to = [loki.process.ocp_core.receiver]
}`,
        );
        assert.deepEqual(normalizeStages("otlp"), [
            `stage.json {\n  expressions = {\n    otlp_event = "body",\n  }\n}`,
            `stage.output {\n  source = "otlp_event"\n}`,
        ]);
        assert.deepEqual(plan.otlp, [{ cluster: "ocp-core", path: "/otlp/ocp-core/v1/logs", port: 9100 }]);
        assert.deepEqual(
            plan.env.find((e) => e.env === "OTLP_HTPASSWD_OCP_CORE"),
            // The forwarder's own push user: its generated password opens this cluster's receiver only.
            { env: "OTLP_HTPASSWD_OCP_CORE", pushPassword: "akko-audit-push-ocp-core", htpasswdUser: "akko-audit-push-ocp-core" },
        );
        assert.equal(
            nodeAgentSource(
                config.clusters.find((c) => c.kind === "openshift")!,
                config,
            ),
            undefined,
            "no node agent in this mode",
        );
    });

    it("needs the receivers' public host", () => {
        assert.deepEqual(logsProblems(fleet({ ...CLF, ingress: { clusterIssuer: "letsencrypt", lokiHost: "loki.example.net" } })), [
            "akko-audit:logs: field ingress.receiversHost: missing; allowed: the public DNS name of the central Alloy's OTLP receivers, which the ClusterLogForwarders of ocp-core post to",
        ]);
        assert.deepEqual(logsProblems(fleet(CLF)), []);
    });
});
