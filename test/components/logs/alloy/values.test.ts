import { strict as assert } from "node:assert";
import { LogsSchema } from "../../../../components/config/logs";
import { centralValues, controlPlaneSelection, nodeAgentValues } from "../../../../components/logs/alloy/values";
import { chartSource } from "../../../../components/logs/charts";

const logs = (v: Record<string, unknown> = {}) => LogsSchema.parse(v);
type V = Record<string, any>;

describe("Alloy chart values", () => {
    it("k3s agent: DaemonSet on server nodes only, tolerating their taints; root; audit dir read-only; positions on the host", () => {
        const v = nodeAgentValues(logs(), "k3s-manifests", "/var/log/kubernetes/audit/k3s-audit.log") as V;
        assert.deepEqual(v.controller, {
            type: "daemonset",
            nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
            tolerations: [
                { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
                { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
                { key: "CriticalAddonsOnly", operator: "Exists" },
            ],
            volumes: {
                extra: [
                    { name: "audit-log", hostPath: { path: "/var/log/kubernetes/audit", type: "Directory" } },
                    { name: "alloy-state", hostPath: { path: "/var/lib/akko-audit-alloy", type: "DirectoryOrCreate" } },
                ],
            },
        });
        assert.deepEqual(v.alloy.securityContext, { runAsUser: 0, runAsGroup: 0 });
        assert.equal(v.alloy.storagePath, "/var/lib/alloy/data");
        assert.deepEqual(v.alloy.configMap, { create: false, name: "akko-audit-alloy-config", key: "config.alloy" });
        assert.deepEqual(v.alloy.envFrom, [{ secretRef: { name: "akko-audit-alloy-env" } }]);
        assert.equal(v.alloy.enableReporting, false);
        assert.deepEqual(v.crds, { create: false });
    });

    it("OpenShift agent: masters, privileged", () => {
        assert.deepEqual(controlPlaneSelection("openshift-api"), {
            nodeSelector: { "node-role.kubernetes.io/master": "" },
            tolerations: [{ key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" }],
        });
        assert.deepEqual((nodeAgentValues(logs(), "openshift-api", "/var/log/kube-apiserver/audit.log") as V).alloy.securityContext, {
            privileged: true,
            runAsUser: 0,
        });
    });

    it("central: a Deployment; Firehose ports exposed; no GCP mount without a GKE cluster", () => {
        const v = centralValues(logs(), [9000, 9001], false) as V;
        assert.deepEqual(v.controller, { type: "deployment", replicas: 1 });
        assert.deepEqual(
            v.alloy.extraPorts.map((p: { port: number }) => p.port),
            [9000, 9001],
        );
        assert.equal(v.alloy.mounts, undefined);
    });

    it("air-gapped: every Alloy image (and the config reloader) from the mirror, overrides applied", () => {
        const v = centralValues(
            logs({
                mirrors: { imageRegistry: "registry.internal:5000/mirror" },
                images: { alloy: { tag: "v1.11.3" }, configReloader: { repository: "mirror/configmap-reload", tag: "v0.15.0" } },
            }),
            [],
            false,
        ) as V;
        assert.deepEqual(v.global, { image: { registry: "registry.internal:5000/mirror" } });
        assert.deepEqual(v.image, { registry: "registry.internal:5000/mirror", tag: "v1.11.3" });
        assert.deepEqual(v.configReloader, {
            image: { registry: "registry.internal:5000/mirror", repository: "mirror/configmap-reload", tag: "v0.15.0" },
        });
        const upstream = centralValues(logs(), [], false) as V;
        assert.deepEqual([upstream.global, upstream.image], [undefined, {}]);
    });

    it("charts: upstream by default, the mirror when set, a chart's own config first; OCI names the chart in the URL", () => {
        assert.deepEqual(chartSource(logs(), "loki"), { chart: "oci://ghcr.io/grafana-community/helm-charts/loki", version: "18.11.0" });
        assert.deepEqual(chartSource(logs(), "alloy"), { chart: "alloy", repo: "https://grafana.github.io/helm-charts", version: "1.11.1" });
        assert.deepEqual(chartSource(logs({ mirrors: { chartRepository: "oci://registry.internal/charts/" } }), "alloy"), {
            chart: "oci://registry.internal/charts/alloy",
            version: "1.11.1",
        });
        assert.deepEqual(
            chartSource(
                logs({
                    mirrors: { chartRepository: "oci://registry.internal/charts" },
                    charts: { loki: { repository: "https://charts.internal", version: "18.12.0" } },
                }),
                "loki",
            ),
            { chart: "loki", repo: "https://charts.internal", version: "18.12.0" },
        );
    });
});
