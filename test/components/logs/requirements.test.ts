import { strict as assert } from "node:assert";
import { ConfigError } from "../../../components/config/errors";
import { validateStackConfig } from "../../../components/config/stack";
import { assertLogsDeployable, logsProblems, logsWarnings } from "../../../components/logs/requirements";
import { fleet } from "./alloy/fixtures";

describe("logs layer requirements (before anything is registered)", () => {
    it("a complete fleet passes", () => {
        assert.deepEqual(logsProblems(fleet()), []);
    });

    it("names each missing piece in one line", () => {
        const c = fleet({
            kubeconfigSecret: undefined,
            gatewayPasswordSecret: undefined,
            ingress: undefined,
            receivers: {
                eventHubs: { nope: { eventHubNamespace: "evhns-hds.servicebus.windows.net", eventHub: "x", connectionStringSecret: "ehConn" } },
            },
            mode: "SimpleScalable",
        });
        assert.deepEqual(logsProblems(c), [
            "akko-audit:logs: field gatewayPasswordSecret: missing; allowed: the name of a secret config key with the password of Loki's gateway (nobody reads or writes Loki without it)",
            "akko-audit:logs: field kubeconfigSecret: missing; allowed: the name of a secret config key with the logs cluster's kubeconfig, or useAmbientKubeconfig: true to use the current context of the ambient kubeconfig",
            "akko-audit:logs: field ingress.lokiHost: missing; allowed: the public DNS name of Loki's gateway, which edge-paris, ocp-core push to from outside the logs cluster",
            "akko-audit:logs: field ingress.clusterIssuer: missing; allowed: a cert-manager ClusterIssuer name: every endpoint exposed outside the logs cluster is TLS",
            "akko-audit:logs: field objectStorage: missing; allowed: {type: s3 | gcs | azure, bucket, ...}: SimpleScalable stores in object storage",
            'akko-audit:logs: field receivers.eventHubs.nope: got "nope"; allowed: the name of a aks cluster in akko-audit:clusters',
        ]);
        assert.throws(() => assertLogsDeployable(c), ConfigError);
    });

    it("the logs cluster is explicit: kubeconfigSecret or useAmbientKubeconfig: true, not both", () => {
        assert.equal(fleet().logs.useAmbientKubeconfig, false);
        assert.deepEqual(logsProblems(fleet({ kubeconfigSecret: undefined, useAmbientKubeconfig: true })), []);
        assert.deepEqual(logsProblems(fleet({ useAmbientKubeconfig: true })), [
            "akko-audit:logs: field useAmbientKubeconfig: got true; allowed: false (the default) when kubeconfigSecret is set: one logs cluster, named by one of them",
        ]);
    });

    it("Distributed stores in object storage: refused without it, S3 needs a region, Azure an account", () => {
        assert.deepEqual(logsProblems(fleet({ mode: "Distributed" })), [
            "akko-audit:logs: field objectStorage: missing; allowed: {type: s3 | gcs | azure, bucket, ...}: Distributed stores in object storage",
        ]);
        assert.deepEqual(logsProblems(fleet({ mode: "Distributed", objectStorage: { type: "s3", bucket: "akko-loki" } })), [
            "akko-audit:logs: field objectStorage.region: missing; allowed: an S3 region such as eu-west-3 (type s3)",
        ]);
        assert.deepEqual(logsProblems(fleet({ mode: "Distributed", objectStorage: { type: "azure", bucket: "akko-loki" } })), [
            "akko-audit:logs: field objectStorage.accountName: missing; allowed: the storage account name (type azure)",
        ]);
        assert.deepEqual(logsProblems(fleet({ mode: "Distributed", objectStorage: { type: "gcs", bucket: "akko-loki" } })), []);
    });

    it("SimpleScalable is accepted with a one-line deprecation warning; SingleBinary and Distributed warn nothing", () => {
        const scalable = fleet({ mode: "SimpleScalable", objectStorage: { type: "gcs", bucket: "akko-loki" } });
        assert.deepEqual(logsProblems(scalable), []);
        assert.deepEqual(logsWarnings(scalable), [
            'akko-audit:logs: field mode: got "SimpleScalable"; deprecated by the Loki chart (removed in Loki 4); use Distributed for scale-out',
        ]);
        assert.deepEqual(logsWarnings(fleet()), []);
        assert.deepEqual(logsWarnings(fleet({ mode: "Distributed", objectStorage: { type: "gcs", bucket: "akko-loki" } })), []);
    });

    it("S3 needs a region", () => {
        assert.deepEqual(logsProblems(fleet({ mode: "SimpleScalable", objectStorage: { type: "s3", bucket: "akko-loki" } })), [
            "akko-audit:logs: field objectStorage.region: missing; allowed: an S3 region such as eu-west-3 (type s3)",
        ]);
    });
});

describe("logs config schema errors", () => {
    const base = {
        stack: "t",
        values: { clusters: [{ name: "e", kind: "eks", clusterName: "e", region: "eu-west-1" }] } as Record<string, unknown>,
        secretKeys: new Set<string>(),
    };
    const problems = (logs: unknown, extra: Record<string, unknown> = {}, secrets: string[] = []) => {
        try {
            validateStackConfig({ ...base, values: { ...base.values, logs, ...extra }, secretKeys: new Set(secrets) });
        } catch (e) {
            if (e instanceof ConfigError) return e.problems;
            throw e;
        }
        return [];
    };

    it("bad values name the field, the value and what is allowed", () => {
        assert.deepEqual(
            problems({
                ingress: { lokiHost: "not a host" },
                objectStorage: { type: "minio", bucket: "bucket" },
                charts: { loki: { version: "latest" } },
            }),
            [
                'akko-audit:logs: field charts.loki.version: got "latest"; allowed: a chart version such as 18.11.0',
                'akko-audit:logs: field objectStorage.type: got "minio"; allowed: s3 | gcs | azure',
                'akko-audit:logs: field ingress.lokiHost: got "not a host"; allowed: a DNS name such as loki.example.net',
            ],
        );
    });

    it("distributed: replica counts per component, at least 3 ingesters (the replication factor), known fields only", () => {
        assert.deepEqual(
            problems({
                mode: "Distributed",
                distributed: { ingester: 2, querier: 0, distributor: 1.5, indexGateway: 101, ingesterVolumeSize: "10GB" },
            }),
            [
                "akko-audit:logs: field distributed.ingester: got 2; allowed: a whole number of ingesters from 3 to 100",
                "akko-audit:logs: field distributed.distributor: got 1.5; allowed: a whole number of distributors from 1 to 100",
                "akko-audit:logs: field distributed.querier: got 0; allowed: a whole number of queriers from 1 to 100",
                "akko-audit:logs: field distributed.indexGateway: got 101; allowed: a whole number of index gateways from 1 to 100",
                'akko-audit:logs: field distributed.ingesterVolumeSize: got "10GB"; allowed: a size such as 10Gi',
            ],
        );
        // No compactor count: Loki runs exactly one.
        assert.deepEqual(problems({ distributed: { compactor: 2 } }), [
            'akko-audit:logs: unknown field "compactor" in distributed; allowed fields: ingester, distributor, querier, queryFrontend, queryScheduler, indexGateway, ingesterVolumeSize',
        ]);
    });

    it("useAmbientKubeconfig is a boolean", () => {
        assert.deepEqual(problems({ useAmbientKubeconfig: "yes" }), [
            'akko-audit:logs: field useAmbientKubeconfig: got "yes"; allowed: true or false',
        ]);
    });

    it("secret references must exist and be secret", () => {
        assert.deepEqual(problems({ gatewayPasswordSecret: "lokiPw" }), [
            'akko-audit:logs: field gatewayPasswordSecret: got "lokiPw", but akko-audit:lokiPw is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:lokiPw`',
        ]);
        assert.deepEqual(problems({ gatewayPasswordSecret: "lokiPw" }, { lokiPw: "plain" }), [
            'akko-audit:logs: field gatewayPasswordSecret: got "lokiPw", but akko-audit:lokiPw is stored in plain text; allowed: a secret config key, set it again with `pulumi config set --secret akko-audit:lokiPw`',
        ]);
        assert.deepEqual(problems({ gatewayPasswordSecret: "lokiPw" }, { lokiPw: "[secret]" }, ["lokiPw"]), []);
    });
});
