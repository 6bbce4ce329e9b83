import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { ruleFiles } from "../../../components/logs/loki/ruler";
import { CHARTS, findManifest, helmTemplate, imagesOf, podSpec, skipWithoutHelm, type Manifest } from "../../helpers/helm";
import { exampleConfig, release, renderReleases, stackImages, type RenderedRelease } from "./helpers/rendered-charts";

// Real `helm template` (helm v4.1.4 from npm) over the pinned charts in ../shared/charts, with the values this
// program computes for the project's example stacks. Nothing is stubbed.

function lokiConfig(r: RenderedRelease): Manifest {
    return parse(findManifest(r.manifests, "ConfigMap", "loki").data["config.yaml"]);
}

describe("charts rendered with helm template (example stacks)", function () {
    let prod: RenderedRelease[];
    let dev: RenderedRelease[];
    before(function () {
        skipWithoutHelm(this);
        prod = renderReleases(exampleConfig("prod"));
        dev = renderReleases(exampleConfig("dev"));
    });

    it("renders every release each stack installs", () => {
        assert.deepEqual(
            prod.map((r) => r.id),
            ["loki", "alloy-central", "alloy-k3s-edge-paris", "alloy-k3s-factory-lyon", "alloy-openshift-ocp-core"],
        );
        assert.deepEqual(
            dev.map((r) => r.id),
            ["loki", "alloy-k3s-dev"],
        );
    });

    it("Loki's config.yaml: retention by the compactor, a delete store, schema v13 on tsdb with a 24h index", () => {
        const cfg = lokiConfig(release(prod, "loki"));
        assert.equal(cfg.limits_config.retention_period, "2160h");
        assert.equal(cfg.compactor.retention_enabled, true);
        assert.equal(cfg.compactor.delete_request_store, "filesystem");
        assert.deepEqual(cfg.schema_config.configs, [
            { from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } },
        ]);
        assert.equal(lokiConfig(release(dev, "loki")).limits_config.retention_period, "720h");
    });

    it("Loki's config.yaml: one tenant per cluster, cross-tenant queries, the delete API off unless logs.deleteApi.enabled", () => {
        const cfg = lokiConfig(release(prod, "loki"));
        assert.equal(cfg.auth_enabled, true);
        assert.equal(cfg.querier.multi_tenant_queries_enabled, true);
        assert.equal(cfg.limits_config.deletion_mode, "disabled");
        const on = exampleConfig("prod", { deleteApi: { enabled: true, passwordSecret: "lokiDeletePassword" } }, ["lokiDeletePassword"]);
        assert.equal(lokiConfig(release(renderReleases(on), "loki")).limits_config.deletion_mode, "filter-and-delete");
    });

    it("Loki's pods admit only Loki's own pods and the gateway (3100, 9095, memberlist); egress untouched", () => {
        const loki = release(prod, "loki").manifests;
        const policies = loki.filter((m) => m.kind === "NetworkPolicy");
        assert.deepEqual(policies, [
            {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "akko-audit-loki-internal", namespace: "akko-audit-logs" },
                spec: {
                    policyTypes: ["Ingress"],
                    podSelector: {
                        matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" },
                        matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway"] }],
                    },
                    ingress: [
                        { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" } } }] },
                    ],
                },
            },
        ]);
        const selected = policies[0].spec.podSelector;
        const labels = (kind: string, name: string) => findManifest(loki, kind, name).spec.template.metadata.labels;
        const matches = (l: Record<string, string>) =>
            Object.entries(selected.matchLabels).every(([k, v]) => l[k] === v) &&
            !selected.matchExpressions[0].values.includes(l["app.kubernetes.io/component"]);
        // The policy covers Loki's StatefulSet (the pods behind Services loki and loki-headless), not the gateway.
        assert.equal(matches(labels("StatefulSet", "loki")), true);
        assert.equal(matches(labels("Deployment", "loki-gateway")), false);
        // The gateway's pods are among those admitted.
        const from = policies[0].spec.ingress[0].from[0].podSelector.matchLabels;
        assert.ok(Object.entries(from).every(([k, v]) => labels("Deployment", "loki-gateway")[k] === v));
        for (const svc of ["loki", "loki-headless"]) {
            const sel = findManifest(loki, "Service", svc).spec.selector;
            assert.ok(matches(sel), `Service ${svc} selects pods the policy covers`);
        }
        // SimpleScalable (object storage): the same policy, still ingress only, covering read, write and backend.
        const s3 = exampleConfig("prod", { mode: "SimpleScalable", objectStorage: { type: "s3", bucket: "akko-loki", region: "eu-west-3" } });
        const scalable = release(renderReleases(s3), "loki").manifests;
        assert.deepEqual(
            scalable.filter((m) => m.kind === "NetworkPolicy").map((m) => [m.metadata.name, m.spec.policyTypes]),
            [["akko-audit-loki-internal", ["Ingress"]]],
        );
        for (const name of ["loki-read", "loki-write", "loki-backend"]) {
            const w = scalable.find((m) => m.metadata?.name === name && (m.kind === "Deployment" || m.kind === "StatefulSet"))!;
            assert.ok(matches(w.spec.template.metadata.labels), name);
        }
    });

    it("why not the chart's own networkPolicy: it admits every pod on 3100 and cuts egress to object storage", () => {
        const values = { ...release(prod, "loki").values, networkPolicy: { enabled: true }, extraObjects: [] };
        const chart = helmTemplate(CHARTS.loki, "loki", "akko-audit-logs", values).filter((m) => m.kind === "NetworkPolicy");
        const metrics = findManifest(chart, "NetworkPolicy", "loki-ingress-metrics");
        assert.deepEqual(metrics.spec.ingress, [{ ports: [{ port: "http-metrics", protocol: "TCP" }] }]);
        const nsOnly = findManifest(chart, "NetworkPolicy", "loki-namespace-only");
        assert.deepEqual(nsOnly.spec.egress, [{ to: [{ podSelector: {} }] }]);
    });

    it("k3s agents: a DaemonSet on control-plane nodes, root, the audit log's directory read-only, positions on the host", () => {
        for (const id of ["alloy-k3s-edge-paris", "alloy-k3s-factory-lyon"]) {
            const spec = podSpec(findManifest(release(prod, id).manifests, "DaemonSet", "alloy"))!;
            const alloy = spec.containers.find((c: Manifest) => c.name === "alloy");
            assert.deepEqual(alloy.securityContext, { runAsUser: 0, runAsGroup: 0 });
            assert.deepEqual(
                alloy.volumeMounts.filter((m: Manifest) => m.name !== "config"),
                [
                    { name: "audit-log", mountPath: "/var/log", readOnly: true },
                    { name: "alloy-state", mountPath: "/var/lib/alloy/data" },
                ],
            );
            assert.deepEqual(
                spec.volumes.filter((v: Manifest) => v.hostPath).map((v: Manifest) => [v.name, v.hostPath.path, v.hostPath.type]),
                [
                    ["audit-log", "/var/log", "Directory"],
                    ["alloy-state", "/var/lib/akko-audit-alloy", "DirectoryOrCreate"],
                ],
            );
            assert.deepEqual(spec.nodeSelector, { "node-role.kubernetes.io/control-plane": "true" });
            assert.deepEqual(
                spec.tolerations.map((t: Manifest) => t.key),
                ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master", "CriticalAddonsOnly"],
            );
        }
    });

    it("OpenShift agent: privileged root on the masters, /var/log/kube-apiserver read-only", () => {
        const spec = podSpec(findManifest(release(prod, "alloy-openshift-ocp-core").manifests, "DaemonSet", "alloy"))!;
        const alloy = spec.containers.find((c: Manifest) => c.name === "alloy");
        assert.deepEqual(alloy.securityContext, { privileged: true, runAsUser: 0 });
        assert.deepEqual(
            alloy.volumeMounts.find((m: Manifest) => m.name === "audit-log"),
            {
                name: "audit-log",
                mountPath: "/var/log/kube-apiserver",
                readOnly: true,
            },
        );
        assert.deepEqual(spec.nodeSelector, { "node-role.kubernetes.io/master": "" });
        assert.deepEqual(spec.tolerations, [{ key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" }]);
    });

    it("central Alloy: one Deployment reading its environment from the Secret, the GCP key mounted read-only", () => {
        const d = findManifest(release(prod, "alloy-central").manifests, "Deployment", "alloy");
        const alloy = podSpec(d)!.containers.find((c: Manifest) => c.name === "alloy");
        assert.equal(d.spec.replicas, 1);
        assert.deepEqual(alloy.envFrom, [{ secretRef: { name: "akko-audit-alloy-env" } }]);
        assert.deepEqual(
            alloy.volumeMounts.find((m: Manifest) => m.name === "gcp-key"),
            { name: "gcp-key", mountPath: "/etc/alloy/gcp", readOnly: true },
        );
    });

    it("Grafana (logs.deployGrafana): the Loki data source through the gateway, its password from the environment", () => {
        const g = release(renderReleases(exampleConfig("prod", { deployGrafana: true })), "grafana");
        const all = parse(findManifest(g.manifests, "ConfigMap", "grafana").data["datasources.yaml"]).datasources;
        const ds = all[0];
        assert.equal(ds.url, "http://loki-gateway.akko-audit-logs.svc.cluster.local");
        assert.equal(ds.secureJsonData.basicAuthPassword, "$LOKI_PASSWORD");
        assert.deepEqual(ds.jsonData, { manageAlerts: false });
        // One data source per tenant for the ruler's rules and alerts (its API takes one tenant per request).
        const tenants = ruleFiles(exampleConfig("prod", { deployGrafana: true })).map((r) => r.tenant);
        assert.deepEqual(
            all.slice(1).map((d: Manifest) => [d.name, d.uid]),
            tenants.map((t) => [`Loki rules (${t})`, `akko-audit-rules-${t}`]),
        );
        assert.deepEqual(all[1], {
            name: `Loki rules (${tenants[0]})`,
            type: "loki",
            uid: `akko-audit-rules-${tenants[0]}`,
            access: "proxy",
            url: "http://loki-gateway.akko-audit-logs.svc.cluster.local",
            basicAuth: true,
            basicAuthUser: "akko-audit",
            jsonData: { manageAlerts: true, httpHeaderName1: "X-Scope-OrgID" },
            secureJsonData: { basicAuthPassword: "$LOKI_PASSWORD", httpHeaderValue1: tenants[0] },
        });
        const grafana = podSpec(findManifest(g.manifests, "Deployment", "grafana"))!.containers.find((c: Manifest) => c.name === "grafana");
        assert.deepEqual(grafana.envFrom, [{ secretRef: { name: "akko-audit-grafana-env" } }]);
    });

    it("lists every image the rendered manifests pull", () => {
        assert.deepEqual(imagesOf(release(prod, "alloy-central").manifests), [
            "docker.io/grafana/alloy:v1.18.1",
            "quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1",
        ]);
        assert.deepEqual(stackImages(exampleConfig("dev")), [
            "docker.io/grafana/alloy:v1.18.1",
            "docker.io/grafana/loki:3.7.6",
            "docker.io/nginxinc/nginx-unprivileged:1.31-alpine",
            "quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1",
        ]);
    });
});
