import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { LogsSchema } from "../../../../components/config/logs";
import { lokiValues } from "../../../../components/logs/loki/values";
import { byName, CHARTS, helmTemplate, Manifest, skipWithoutHelm } from "../../../helpers/helm";

/**
 * The pinned Loki chart (18.11.0) rendered by a real helm with the program's values for mode Distributed:
 * what Kubernetes would receive. Nothing is stubbed; the suite skips, saying why, without ../shared/charts or helm.
 */
const NS = "akko-audit-logs";
const render = (logs: Record<string, unknown>) => helmTemplate(CHARTS.loki, "loki", NS, lokiValues(LogsSchema.parse(logs)));
const workloads = (docs: Manifest[]) => docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet");
const lokiConfig = (docs: Manifest[]) => parse(byName(docs, "ConfigMap").get("loki")!.data["config.yaml"]);
/** The Loki workloads (not the nginx gateway) that run pods. */
const lokiPods = (docs: Manifest[]) => workloads(docs).filter((w) => w.metadata.name !== "loki-gateway" && w.spec.replicas > 0);

describe("Loki chart 18.11.0 rendered by helm: Distributed mode", function () {
    before(function () {
        skipWithoutHelm(this);
    });

    const s3 = { type: "s3", bucket: "akko-audit-loki", region: "eu-west-3", credentialsSecret: "s3Creds" };
    // One render of a configured stack serves most checks (each helm run takes seconds on 2 cores).
    let configured: Manifest[];
    const stack = () =>
        (configured ??= render({
            mode: "Distributed",
            objectStorage: s3,
            retentionDays: 90,
            volume: { storageClass: "fast-ssd" },
            distributed: { ingester: 6, querier: 4, ingesterVolumeSize: "20Gi" },
        }));

    it("runs one workload per component with the configured replicas, and nothing of the other modes", () => {
        const docs = stack();
        const running = Object.fromEntries(lokiPods(docs).map((w) => [`${w.kind} ${w.metadata.name}`, w.spec.replicas]));
        assert.deepEqual(running, {
            "Deployment loki-distributor": 2,
            "Deployment loki-querier": 4,
            "Deployment loki-query-frontend": 2,
            "Deployment loki-query-scheduler": 2,
            "StatefulSet loki-compactor": 1,
            "StatefulSet loki-index-gateway": 2,
            "StatefulSet loki-ingester": 6,
            "StatefulSet loki-ruler": 1,
        });
        const names = workloads(docs).map((w) => w.metadata.name);
        // No zone StatefulSets (ingester-zone-a/b/c), no monolithic or read/write/backend workloads.
        for (const absent of ["loki-ingester-zone-a", "loki", "loki-write", "loki-read", "loki-backend"]) assert.ok(!names.includes(absent), absent);
        // One ruler evaluates the detection rules (loki/ruler.ts).
        assert.equal(byName(docs, "StatefulSet").get("loki-ruler")?.spec.replicas, 1);
        for (const w of lokiPods(docs)) {
            assert.equal(w.spec.template.spec.containers[0].args.includes(`-target=${w.metadata.name.replace(/^loki-/, "")}`), true, w.metadata.name);
        }
    });

    it("config.yaml keeps retention, the delete store, the schema and replication factor 3 on the object store", () => {
        const c = lokiConfig(stack());
        // One tenant per cluster (the gateway maps push users to tenants).
        assert.equal(c.auth_enabled, true);
        assert.equal(c.common.replication_factor, 3);
        assert.deepEqual(c.common.storage.s3, {
            access_key_id: "${S3_ACCESS_KEY_ID}",
            bucketnames: "akko-audit-loki",
            insecure: false,
            region: "eu-west-3",
            s3forcepathstyle: false,
            secret_access_key: "${S3_SECRET_ACCESS_KEY}",
        });
        assert.deepEqual(c.compactor, {
            compaction_interval: "10m",
            delete_request_store: "s3",
            retention_delete_delay: "2h",
            retention_enabled: true,
            working_directory: "/var/loki/compactor",
        });
        assert.equal(c.common.compactor_grpc_address, `loki-compactor.${NS}.svc.cluster.local:9095`);
        assert.deepEqual(c.schema_config.configs, [
            { from: "2024-04-01", index: { period: "24h", prefix: "index_" }, object_store: "s3", schema: "v13", store: "tsdb" },
        ]);
        assert.deepEqual([c.limits_config.retention_period, c.limits_config.reject_old_samples_max_age], ["2160h", "2160h"]);
        // The querier finds the index and the queue through the components this mode runs.
        assert.equal(
            c.storage_config.tsdb_shipper.index_gateway_client.server_address,
            `dns+loki-index-gateway-headless.${NS}.svc.cluster.local:9095`,
        );
        assert.equal(c.frontend_worker.scheduler_address, `loki-query-scheduler-headless.${NS}.svc.cluster.local:9095`);
    });

    it("claims are kept (no retention policy on any StatefulSet); each ingester's WAL is on its own volume", () => {
        const docs = stack();
        for (const s of byName(docs, "StatefulSet").values()) assert.equal(s.spec.persistentVolumeClaimRetentionPolicy, undefined, s.metadata.name);
        const ingester = byName(docs, "StatefulSet").get("loki-ingester")!;
        assert.deepEqual(
            ingester.spec.volumeClaimTemplates.map((t: Manifest) => [t.metadata.name, t.spec.storageClassName, t.spec.resources.requests.storage]),
            [["data", "fast-ssd", "20Gi"]],
        );
        // Loki puts the WAL under path_prefix (/var/loki/wal): the claim is what is mounted there.
        const mounts = ingester.spec.template.spec.containers[0].volumeMounts;
        assert.deepEqual(
            mounts.filter((m: Manifest) => m.mountPath === "/var/loki"),
            [{ name: "data", mountPath: "/var/loki" }],
        );
        assert.equal(lokiConfig(docs).common.path_prefix, "/var/loki");
    });

    it("storage credentials reach every Loki pod from the Secret only: S3 and Azure as env, the GCS key as a file", () => {
        for (const w of lokiPods(stack())) {
            const c = w.spec.template.spec.containers[0];
            assert.deepEqual(c.envFrom, [{ secretRef: { name: "akko-audit-loki-storage" } }], w.metadata.name);
            assert.ok(c.args.includes("-config.expand-env=true"), w.metadata.name);
        }
        const gcs = render({ mode: "Distributed", objectStorage: { type: "gcs", bucket: "akko-loki", credentialsSecret: "gcsKey" } });
        assert.deepEqual(lokiConfig(gcs).common.storage.gcs, {
            bucket_name: "akko-loki",
            chunk_buffer_size: 0,
            enable_http2: true,
            request_timeout: "0s",
        });
        for (const w of lokiPods(gcs)) {
            const pod = w.spec.template.spec;
            assert.deepEqual(
                pod.containers[0].env.filter((e: Manifest) => e.name === "GOOGLE_APPLICATION_CREDENTIALS"),
                [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/loki/gcs/key.json" }],
                w.metadata.name,
            );
            assert.deepEqual(
                pod.volumes.filter((v: Manifest) => v.name === "gcs-key"),
                [{ name: "gcs-key", secret: { secretName: "akko-audit-loki-storage" } }],
            );
        }
        const azure = lokiConfig(
            render({ mode: "Distributed", objectStorage: { type: "azure", bucket: "loki", accountName: "akkoaudit", credentialsSecret: "azKey" } }),
        );
        assert.equal(azure.common.storage.azure.account_key, "${AZURE_ACCOUNT_KEY}");
        assert.equal(azure.compactor.delete_request_store, "azure");
    });

    it("what it costs with the defaults: 15 Loki pods plus the gateway, and the chart requests no memory for any of them", () => {
        const docs = render({ mode: "Distributed", objectStorage: s3 });
        const pods = lokiPods(docs).reduce((n, w) => n + w.spec.replicas, 0);
        assert.equal(pods, 3 + 2 + 2 + 2 + 2 + 2 + 1 + 1);
        assert.equal(byName(docs, "Deployment").get("loki-gateway")!.spec.replicas, 1);
        // No requests: the README's sizing numbers come from Loki's guide, not from the chart.
        for (const w of workloads(docs)) assert.equal(w.spec.template.spec.containers[0].resources, undefined, w.metadata.name);
    });

    it("SimpleScalable (deprecated) still renders read, write and backend", () => {
        const docs = render({ mode: "SimpleScalable", objectStorage: s3 });
        assert.deepEqual(Object.fromEntries(lokiPods(docs).map((w) => [w.metadata.name, w.spec.replicas])), {
            "loki-backend": 3,
            "loki-read": 3,
            "loki-write": 3,
        });
    });
});
