import { strict as assert } from "node:assert";
import * as bcrypt from "bcryptjs";
import { LogsSchema } from "../../../../components/config/logs";
import { deterministicSalt, htpasswdLine } from "../../../../components/logs/loki/htpasswd";
import { lokiValues } from "../../../../components/logs/loki/values";

const logs = (v: Record<string, unknown> = {}) => LogsSchema.parse(v);

/** Loki's storage for the S3 bucket akko-audit-loki in eu-west-3 with credentialsSecret (SimpleScalable and Distributed alike). */
const S3_STORAGE = {
    type: "s3",
    bucketNames: { chunks: "akko-audit-loki", ruler: "akko-audit-loki", admin: "akko-audit-loki" },
    // AWS itself (no endpoint): virtual-hosted buckets; an S3-compatible endpoint gets path-style (airgap.test.ts).
    s3: {
        region: "eu-west-3",
        endpoint: null,
        s3ForcePathStyle: false,
        accessKeyId: "${S3_ACCESS_KEY_ID}",
        secretAccessKey: "${S3_SECRET_ACCESS_KEY}",
    },
};
/** The credentials reach Loki as environment variables from the storage Secret (config.expand-env). */
const S3_CREDENTIALS_ENV = { extraArgs: ["-config.expand-env=true"], extraEnvFrom: [{ secretRef: { name: "akko-audit-loki-storage" } }] };
type V = Record<string, any>;

describe("Loki chart values", () => {
    it("SingleBinary (default): Monolithic, filesystem on a persistent volume, no object store", () => {
        const v = lokiValues(logs()) as V;
        assert.equal(v.deploymentMode, "Monolithic");
        assert.deepEqual(v.loki.storage, { type: "filesystem" });
        // enableStatefulSetAutoDeletePVC off: no claim retention policy, Kubernetes keeps the volume on uninstall.
        // The one pod evaluates rules too: our rules ConfigMap (no tenant here: no cluster) at /etc/loki/rules.
        assert.deepEqual(v.singleBinary, {
            replicas: 1,
            extraVolumes: [{ name: "akko-audit-rules", configMap: { name: "akko-audit-loki-rules", items: [] } }],
            extraVolumeMounts: [{ name: "akko-audit-rules", mountPath: "/etc/loki/rules", readOnly: true }],
            persistence: { enabled: true, size: "50Gi", storageClass: null, enableStatefulSetAutoDeletePVC: false },
        });
        assert.deepEqual([v.write.replicas, v.read.replicas, v.backend.replicas], [0, 0, 0]);
        assert.equal(v.minio.enabled, false);
    });

    it("retention is enforced: compactor retention, delete_request_store, 24h index, retention_period in hours", () => {
        const v = lokiValues(logs({ retentionDays: 90 })) as V;
        assert.equal(v.loki.limits_config.retention_period, "2160h");
        assert.deepEqual([v.loki.limits_config.reject_old_samples, v.loki.limits_config.reject_old_samples_max_age], [true, "2160h"]);
        assert.deepEqual(v.loki.compactor, {
            retention_enabled: true,
            delete_request_store: "filesystem",
            retention_delete_delay: "2h",
            compaction_interval: "10m",
            working_directory: "/var/loki/compactor",
        });
        assert.deepEqual(v.loki.schemaConfig, {
            configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }],
        });
        assert.equal(lokiValues(logs()).loki && (lokiValues(logs()) as V).loki.limits_config.retention_period, "720h");
    });

    it("structured metadata allowed; lines over 256 KB truncated, not dropped", () => {
        const l = (lokiValues(logs()) as V).loki.limits_config;
        assert.equal(l.allow_structured_metadata, true);
        assert.equal(l.max_line_size, 262144);
        assert.equal(l.max_line_size_truncate, true);
    });

    it("SimpleScalable: object storage from config, credentials only as env references", () => {
        const v = lokiValues(
            logs({
                mode: "SimpleScalable",
                objectStorage: { type: "s3", bucket: "akko-audit-loki", region: "eu-west-3", credentialsSecret: "s3Creds" },
            }),
        ) as V;
        assert.equal(v.deploymentMode, "SimpleScalable");
        assert.deepEqual(v.loki.storage, S3_STORAGE);
        assert.deepEqual(v.defaults, S3_CREDENTIALS_ENV);
        assert.deepEqual([v.write.replicas, v.read.replicas, v.backend.replicas, v.singleBinary.replicas], [3, 3, 3, 0]);
        assert.equal(v.loki.schemaConfig.configs[0].object_store, "s3");
        assert.equal(v.loki.compactor.delete_request_store, "s3");
        const gcs = lokiValues(logs({ mode: "SimpleScalable", objectStorage: { type: "gcs", bucket: "akko-loki" } })) as V;
        assert.deepEqual(gcs.loki.storage, { type: "gcs", bucketNames: { chunks: "akko-loki", ruler: "akko-loki", admin: "akko-loki" } });
        assert.equal(gcs.defaults, undefined, "no key: workload identity");
        const gcsKey = lokiValues(
            logs({ mode: "SimpleScalable", objectStorage: { type: "gcs", bucket: "akko-loki", credentialsSecret: "gcsKey" } }),
        ) as V;
        assert.deepEqual(gcsKey.defaults, {
            extraEnv: [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/loki/gcs/key.json" }],
            extraVolumes: [{ name: "gcs-key", secret: { secretName: "akko-audit-loki-storage" } }],
            extraVolumeMounts: [{ name: "gcs-key", mountPath: "/etc/loki/gcs", readOnly: true }],
        });
        const az = lokiValues(
            logs({ mode: "SimpleScalable", objectStorage: { type: "azure", bucket: "loki", accountName: "akkoaudit", credentialsSecret: "azKey" } }),
        ) as V;
        assert.deepEqual(az.loki.storage.azure, { accountName: "akkoaudit", accountKey: "${AZURE_ACCOUNT_KEY}" });
    });

    it("Distributed: Loki's microservices on object storage, replicas from config, every scalable target off", () => {
        const v = lokiValues(
            logs({
                mode: "Distributed",
                objectStorage: { type: "s3", bucket: "akko-audit-loki", region: "eu-west-3", credentialsSecret: "s3Creds" },
                distributed: { ingester: 6, querier: 4 },
                volume: { storageClass: "fast-ssd" },
            }),
        ) as V;
        assert.equal(v.deploymentMode, "Distributed");
        assert.equal(v.loki.commonConfig.replication_factor, 3);
        assert.deepEqual(v.loki.storage, S3_STORAGE);
        assert.deepEqual(v.defaults, S3_CREDENTIALS_ENV);
        // The chart refuses scalable and distributed replicas together, and monolithic with distributed.
        assert.deepEqual([v.singleBinary.replicas, v.write.replicas, v.read.replicas, v.backend.replicas], [0, 0, 0, 0]);
        assert.deepEqual(
            [v.ingester, v.distributor, v.querier, v.queryFrontend, v.queryScheduler, v.indexGateway, v.compactor].map((c: V) => c.replicas),
            [6, 2, 4, 2, 2, 2, 1],
        );
        // One ingester StatefulSet (no zone StatefulSets without the rollout operator), its WAL on a kept volume.
        assert.deepEqual(v.ingester.zoneAwareReplication, { enabled: false });
        assert.deepEqual(v.ingester.persistence, {
            enabled: true,
            claims: [{ name: "data", accessModes: ["ReadWriteOnce"], size: "10Gi", storageClass: "fast-ssd" }],
            enableStatefulSetAutoDeletePVC: false,
        });
        for (const c of ["indexGateway", "compactor", "write", "backend"]) assert.equal(v[c].persistence.enableStatefulSetAutoDeletePVC, false, c);
    });

    it("Distributed keeps retention, the delete store and the schema on the object store", () => {
        for (const type of ["s3", "gcs", "azure"] as const) {
            const v = lokiValues(
                logs({
                    mode: "Distributed",
                    retentionDays: 400,
                    objectStorage: { type, bucket: "akko-loki", region: "eu-west-3", accountName: "akkoaudit" },
                }),
            ) as V;
            assert.equal(v.loki.storage.type, type);
            assert.equal(v.loki.limits_config.retention_period, "9600h");
            assert.deepEqual(v.loki.compactor, {
                retention_enabled: true,
                delete_request_store: type,
                retention_delete_delay: "2h",
                compaction_interval: "10m",
                working_directory: "/var/loki/compactor",
            });
            assert.deepEqual(v.loki.schemaConfig.configs, [
                { from: "2024-04-01", store: "tsdb", object_store: type, schema: "v13", index: { prefix: "index_", period: "24h" } },
            ]);
            assert.equal(v.defaults, undefined, `${type}: no credentialsSecret, so workload identity and no storage Secret`);
        }
        const az = lokiValues(
            logs({ mode: "Distributed", objectStorage: { type: "azure", bucket: "loki", accountName: "akkoaudit", credentialsSecret: "azKey" } }),
        ) as V;
        assert.deepEqual(az.loki.storage.azure, { accountName: "akkoaudit", accountKey: "${AZURE_ACCOUNT_KEY}" });
        assert.deepEqual(az.defaults.extraEnvFrom, [{ secretRef: { name: "akko-audit-loki-storage" } }]);
    });

    it("the Distributed components are set only in Distributed mode (the chart's 0 replicas elsewhere)", () => {
        const single = lokiValues(logs({ distributed: { ingester: 9 } })) as V;
        const scalable = lokiValues(logs({ mode: "SimpleScalable", objectStorage: { type: "gcs", bucket: "akko-loki" } })) as V;
        for (const v of [single, scalable]) {
            assert.deepEqual(
                ["ingester", "distributor", "querier", "queryFrontend", "queryScheduler", "indexGateway", "compactor"].filter((c) => c in v),
                [],
            );
        }
    });

    it("gateway: basic auth from the htpasswd Secret this program makes; TLS ingress only when a host is set", () => {
        const plain = lokiValues(logs()) as V;
        assert.deepEqual(plain.gateway.basicAuth, { enabled: true, existingSecret: "akko-audit-loki-gateway" });
        assert.deepEqual(plain.gateway.ingress, { enabled: false });
        const exposed = lokiValues(logs({ ingress: { className: "nginx", clusterIssuer: "letsencrypt", lokiHost: "loki.example.net" } })) as V;
        assert.deepEqual(exposed.gateway.ingress, {
            enabled: true,
            ingressClassName: "nginx",
            annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
            hosts: [{ host: "loki.example.net", paths: [{ path: "/", pathType: "Prefix" }] }],
            tls: [{ secretName: "akko-audit-loki-tls", hosts: ["loki.example.net"] }],
        });
        assert.equal(JSON.stringify(exposed).includes("password"), false);
    });

    it("air-gapped: every image from the mirror, image overrides applied", () => {
        const v = lokiValues(
            logs({
                mirrors: { imageRegistry: "registry.internal:5000/mirror" },
                images: { loki: { tag: "3.7.6" }, gateway: { repository: "nginxinc/nginx-unprivileged", tag: "1.31-alpine" } },
            }),
        ) as V;
        assert.deepEqual(v.global, { imageRegistry: "registry.internal:5000/mirror" });
        assert.deepEqual(v.loki.image, { registry: "registry.internal:5000/mirror", tag: "3.7.6" });
        assert.deepEqual(v.gateway.image, {
            registry: "registry.internal:5000/mirror",
            repository: "nginxinc/nginx-unprivileged",
            tag: "1.31-alpine",
        });
        assert.deepEqual(v.sidecar.image, { registry: "registry.internal:5000/mirror" });
        // Nothing else that pulls: no memcached, canary, test pod or MinIO.
        assert.deepEqual(
            [v.chunksCache.enabled, v.resultsCache.enabled, v.lokiCanary.enabled, v.test.enabled, v.minio.enabled],
            [false, false, false, false, false],
        );
        assert.equal((lokiValues(logs()) as V).global, undefined);
    });
});

describe("gateway htpasswd", () => {
    it("is a bcrypt line nginx verifies, and the same secret always gives the same line (idempotent)", () => {
        const line = htpasswdLine("akko-audit", "s3cret-pw");
        const [user, hash] = line.split(":");
        assert.equal(user, "akko-audit");
        assert.match(hash, /^\$2b\$10\$[./A-Za-z0-9]{53}$/);
        assert.ok(bcrypt.compareSync("s3cret-pw", hash));
        assert.ok(!bcrypt.compareSync("other", hash));
        assert.equal(htpasswdLine("akko-audit", "s3cret-pw"), line);
        assert.notEqual(htpasswdLine("akko-audit", "other-pw"), line);
        assert.notEqual(deterministicSalt("a", "pw"), deterministicSalt("b", "pw"));
    });
    it("refuses a user name with ':'", () => {
        assert.throws(() => htpasswdLine("a:b", "x"), /must not contain ':'/);
    });
});
