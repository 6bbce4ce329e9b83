import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../../components/config";
import { validateDeployableStack } from "../../../components/deployable";
import { criticalPath, runtimeConfig } from "../../../components/plan";
import { mockInvokes } from "../../helpers/invoke-mocks";
import { k3sCommandOutputs } from "../../helpers/k3s-outputs";
import { RecordedResource, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { exampleStack } from "../../helpers/config";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";

// The engine and providers cannot run here: the SDK's mocks stand in for them, and the two cloud reads the
// program makes (GCP project number, Event Hub keys) are answered explicitly.
const INVOKES = {
    "gcp:organizations/getProject:getProject": (i: Record<string, any>) => ({ projectId: i.projectId, number: "424242424242" }),
    "azure-native:eventhub:listEventHubKeys": () => ({
        primaryConnectionString: "Endpoint=sb://x/;SharedAccessKeyName=listen;SharedAccessKey=k",
        keyName: "listen",
    }),
};

async function run<T = undefined>(
    config: StackConfig,
    providerOutputs: typeof k3sCommandOutputs = k3sCommandOutputs,
    // Reads outputs while the invokes are still mocked (some outputs come from an invoke).
    read?: (outputs: ReturnType<typeof import("../../../components/rollout/program").auditProgram>) => Promise<T>,
) {
    const rc = runtimeConfig(config);
    const mocks = await setupMocks({ config: rc.values, secretKeys: rc.secretKeys, outputs: providerOutputs });
    const invokes = mockInvokes(INVOKES);
    try {
        const { auditProgram } = await import("../../../components/rollout/program.js");
        const outputs = auditProgram(config);
        await settle();
        const read_ = read ? await read(outputs) : undefined;
        return { resources: [...mocks.resources], outputs, one: mocks.one, read: read_ };
    } finally {
        invokes.restore();
    }
}

// What the providers would answer (they cannot run here): ARNs the EKS chain is built from, the EKS
// logging provider's outputs.
const ARNS: Record<string, (name: string, inputs: Record<string, any>) => Record<string, unknown>> = {
    "aws:cloudwatch/logGroup:LogGroup": (_n, i) => ({ arn: `arn:aws:logs:${i.region}:123456789012:log-group:${i.name}` }),
    "aws:s3/bucket:Bucket": (n) => ({ bucket: `${n}-bucket`, arn: `arn:aws:s3:::${n}-bucket` }),
    "aws:iam/role:Role": (n) => ({ arn: `arn:aws:iam::123456789012:role/${n}` }),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (n, i) => ({
        arn: `arn:aws:firehose:${i.region}:123456789012:deliverystream/${n}`,
    }),
    "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging": (_n, i) => ({ logTypes: i.logTypes, previousLogTypes: ["api"] }),
};
function cloudOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    return { ...k3sCommandOutputs(type, name, inputs), ...ARNS[type]?.(name, inputs) };
}

/** The cluster (direct child of the rollout) each resource belongs to. */
function groups(resources: RecordedResource[]): Map<string, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out = new Map<string, string>();
    for (const r of resources) {
        let cur: RecordedResource | undefined = r;
        while (cur && byUrn.get(cur.parent)?.type !== "akko:audit:Rollout") cur = byUrn.get(cur.parent);
        out.set(r.urn, cur ? cur.name : "root");
    }
    return out;
}

const applies = (urns: string[]) => urns.filter((u) => u.includes("command:remote:Command::") && u.endsWith("-apply"));

function k3sFleet(sizes: number[]): StackConfig {
    const clusters = sizes.map((n, i) => ({
        name: `site-${i}`,
        kind: "k3s",
        sshPrivateKeySecret: "sshKey",
        servers: Array.from({ length: n }, (_, j) => ({ host: `10.0.${i}.${j + 1}`, hostKey: HOST_KEY })),
    }));
    return validateDeployableStack({
        stack: "t",
        values: {
            clusters,
            logs: {
                useAmbientKubeconfig: true,
                gatewayPasswordSecret: "lokiPassword",
                ingress: { clusterIssuer: "le", lokiHost: "loki.example.net" },
            },
            sshKey: "[secret]",
            lokiPassword: "[secret]",
        },
        secretKeys: new Set(["sshKey", "lokiPassword"]),
    });
}

describe("AuditRollout (the whole program under the SDK's mocks)", function () {
    this.timeout(60000);

    it("registers one component per cluster, named after it, plus the logs layer, all under the rollout", async () => {
        const { resources } = await run(validateDeployableStack(exampleStack("prod")));
        const rollout = resources.filter((r) => r.type === "akko:audit:Rollout");
        assert.deepEqual(
            rollout.map((r) => [r.name, r.parent]),
            [["akko-audit", ""]],
        );
        const children = resources
            .filter((r) => r.parent === rollout[0].urn)
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepEqual(children, [
            "akko:audit:AksAuditLogging clinic-lyon",
            "akko:audit:AksAuditLogging hds-sante",
            "akko:audit:EksAuditLogging payments-eu",
            "akko:audit:EksAuditLogging payments-us",
            "akko:audit:GkeAuditLogging analytics",
            "akko:audit:K3sAuditLogging edge-paris",
            "akko:audit:K3sAuditLogging factory-lyon",
            "akko:audit:LogsLayer logs",
            "akko:audit:OpenShiftAuditProfile ocp-core",
            // One explicit provider per identity: the two EKS accounts' roles (in their clusters' regions) and
            // the two AKS clusters' subscriptions (from their resource ids, never ARM_SUBSCRIPTION_ID's).
            "pulumi:providers:aws aws-eu-west-3-123456789012-akko-audit-deployer",
            "pulumi:providers:aws aws-us-east-1-210987654321-akko-audit-deployer-x7434d9ce",
            "pulumi:providers:azure-native azure-0b1f6471-1bf0-4dda-aec3-cb9272f09590",
            "pulumi:providers:azure-native azure-7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5",
        ]);
    });

    it("each managed cluster acts as its own identity: its resources use that identity's provider, its dynamic resources get the same identity", async () => {
        const { resources } = await run(validateDeployableStack(exampleStack("prod")), cloudOutputs);
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const cluster = groups(resources);
        // Provider name per custom resource of each managed cluster ("default" when it uses the stack's).
        const providerOf = (r: RecordedResource) => (r.provider ? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")))!.name : "default");
        const used = (name: string) =>
            [
                ...new Set(
                    resources.filter((r) => r.custom && cluster.get(r.urn) === name && !r.type.startsWith("pulumi-nodejs:dynamic")).map(providerOf),
                ),
            ].sort();
        assert.deepEqual(used("payments-eu"), ["aws-eu-west-3-123456789012-akko-audit-deployer"]);
        assert.deepEqual(used("payments-us"), ["aws-us-east-1-210987654321-akko-audit-deployer-x7434d9ce"]);
        assert.deepEqual(used("hds-sante"), ["azure-0b1f6471-1bf0-4dda-aec3-cb9272f09590"]);
        assert.deepEqual(used("clinic-lyon"), ["azure-7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"]);
        // No identity of its own (and none in the stack's gcp config): the default provider, ADC.
        assert.deepEqual(used("analytics"), ["default"]);
        assert.equal("identity" in resources.find((r) => r.name === "analytics-apiserver-logs")!.inputs, false);

        const us = byUrn.get(resources.find((r) => r.name === "aws-us-east-1-210987654321-akko-audit-deployer-x7434d9ce")!.urn)!;
        assert.deepEqual(
            { region: us.inputs.region, assumeRoles: JSON.parse(us.inputs.assumeRoles) },
            {
                region: "us-east-1",
                assumeRoles: [
                    { roleArn: "arn:aws:iam::210987654321:role/akko-audit-deployer", externalId: "akko-audit-prod", sessionName: "akko-audit" },
                ],
            },
        );
        const usIdentity = {
            assumeRoles: [{ roleArn: "arn:aws:iam::210987654321:role/akko-audit-deployer", externalId: "akko-audit-prod" }],
        };
        assert.deepEqual(resources.find((r) => r.name === "payments-us-control-plane-logging")!.inputs.identity, usIdentity);
        assert.deepEqual(resources.find((r) => r.name === "payments-us-log-group-check")!.inputs.identity, usIdentity);
        // Same role, another external id: another identity, so another provider (not the first one's).
        const { ProviderPool } = await import("../../../components/rollout/providers.js");
        const pool = new ProviderPool(undefined as never);
        const role = "arn:aws:iam::210987654321:role/akko-audit-deployer";
        const a = pool.aws({ assumeRoles: [{ roleArn: role, externalId: "one" }] }, "us-east-1");
        const b = pool.aws({ assumeRoles: [{ roleArn: role, externalId: "two" }] }, "us-east-1");
        assert.notEqual(a, b);
        assert.equal(pool.aws({ assumeRoles: [{ roleArn: role, externalId: "one" }] }, "us-east-1"), a);
        const azure = resources.find((r) => r.name === "azure-7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5")!;
        assert.equal(azure.inputs.subscriptionId, "7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5");
    });

    it("one `up` wires the AKS Event Hubs it creates into the central Alloy: endpoint and listen key from the components' outputs, as secrets", async () => {
        const { resources } = await run(validateDeployableStack(exampleStack("prod")));
        const env = resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "logs-central-env")!;
        assert.ok(env.secretInputs.includes("stringData"));
        const wired = Object.fromEntries(Object.entries(env.inputs.stringData as Record<string, string>).filter(([k]) => k.startsWith("EVENTHUB_")));
        assert.deepEqual(wired, {
            EVENTHUB_CONNECTION_STRING_CLINIC_LYON: "Endpoint=sb://x/;SharedAccessKeyName=listen;SharedAccessKey=k",
            EVENTHUB_CONNECTION_STRING_HDS_SANTE: "Endpoint=sb://x/;SharedAccessKeyName=listen;SharedAccessKey=k",
            EVENTHUB_ENDPOINT_CLINIC_LYON: "clinic-lyon-audit.servicebus.windows.net:9093",
            EVENTHUB_ENDPOINT_HDS_SANTE: "hds-sante-audit.servicebus.windows.net:9093",
        });
        const config = resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "logs-central-config")!;
        assert.ok((config.inputs.data["config.alloy"] as string).includes('fully_qualified_namespace = sys.env("EVENTHUB_ENDPOINT_HDS_SANTE")'));
    });

    it("without gcpCredentialsSecret, one `up` makes the fleet's GKE reader key and wires it: the first GKE cluster's account reads every subscription", async () => {
        const prod = exampleStack("prod");
        delete (prod.values.logs as any).receivers;
        delete prod.values.gcpAlloyKey;
        const raw = { ...prod, secretKeys: new Set([...prod.secretKeys].filter((k) => k !== "gcpAlloyKey")) };
        (raw.values.clusters as any[]).push({
            name: "search",
            kind: "gke",
            project: "akko-search-prod",
            location: "europe-west4",
            clusterName: "search-prod",
        });
        const outputs = (type: string, name: string, inputs: Record<string, any>): Record<string, unknown> => ({
            ...cloudOutputs(type, name, inputs),
            ...(type === "gcp:serviceaccount/account:Account"
                ? {
                      email: `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`,
                      name: `projects/${inputs.project}/serviceAccounts/${inputs.accountId}`,
                  }
                : {}),
            ...(type === "gcp:serviceaccount/key:Key" ? { privateKey: Buffer.from('{"type":"service_account"}').toString("base64") } : {}),
        });
        const { resources } = await run(validateDeployableStack(raw), outputs);
        assert.deepEqual(
            resources.filter((r) => r.type.startsWith("gcp:serviceaccount/")).map((r) => `${r.type} ${r.name}`),
            ["gcp:serviceaccount/account:Account analytics-alloy", "gcp:serviceaccount/key:Key analytics-alloy-key"],
        );
        assert.equal(
            resources.find((r) => r.name === "analytics-alloy-key")!.inputs.serviceAccountId,
            "projects/akko-analytics-prod/serviceAccounts/alloy-analytics",
        );
        assert.deepEqual(
            resources.filter((r) => r.name.endsWith("-alloy-subscriber")).map((r) => [r.name, r.inputs.member]),
            [
                ["analytics-alloy-subscriber", "serviceAccount:alloy-analytics@akko-analytics-prod.iam.gserviceaccount.com"],
                ["search-alloy-subscriber", "serviceAccount:alloy-analytics@akko-analytics-prod.iam.gserviceaccount.com"],
            ],
        );
        const key = resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "logs-central-gcp")!;
        assert.deepEqual(key.inputs.stringData, { "key.json": '{"type":"service_account"}' });
        assert.ok(key.secretInputs.includes("stringData"));
    });

    it("installs the logs layer's Alloy HelmChart on every k3s server over the same SSH connection: plain in the bundle, the password on stdin", async () => {
        const { resources } = await run(validateDeployableStack(exampleStack("prod")));
        const nodes = ["edge-paris-192.0.2.10", "factory-lyon-10.20.0.11", "factory-lyon-10.20.0.12", "factory-lyon-10.20.0.13"];
        for (const n of nodes) {
            const bundle = resources.find((r) => r.type === "command:remote:CopyToRemote" && r.name === `${n}-bundle`)!;
            const sums = readFileSync(path.join(bundle.inputs.source.path, "SHA256SUMS"), "utf8");
            assert.deepEqual(
                sums
                    .split("\n")
                    .filter((l) => l.includes("  manifest-"))
                    .map((l) => l.split("  ")[1]),
                ["manifest-akko-audit-alloy.yaml"],
                n,
            );
            // The Loki password travels inside the secret manifest: on the apply's stdin, secret in state.
            const apply = resources.find((r) => r.type === "command:remote:Command" && r.name === `${n}-apply`)!;
            assert.deepEqual(apply.secretInputs, ["connection", "stdin"], n);
            assert.match(apply.inputs.stdin, /^akko-audit-alloy-secret\.yaml [A-Za-z0-9+/=]+\n$/);
        }
    });

    it("clusters never depend on each other; the critical path is the largest HA cluster's servers", async () => {
        const { resources } = await run(validateDeployableStack(exampleStack("prod")));
        const group = groups(resources);
        const crossing: string[] = [];
        for (const r of resources) {
            for (const d of r.dependencies) {
                const from = group.get(r.urn)!;
                const to = group.get(d)!;
                if (from !== to && to !== "root" && to !== "providers") crossing.push(`${r.name} (${from}) -> ${d.split("::").pop()} (${to})`);
            }
        }
        // The central Alloy's environment waits for the AKS Event Hubs it reads (wired in the same `up`). No
        // cluster waits for another, nor for Loki.
        // Each k3s apply carries its cluster's generated push password (the Alloy Secret on its stdin): it waits
        // for that random resource alone, which depends on nothing, never for Loki.
        assert.deepEqual(crossing.sort(), [
            "edge-paris-192.0.2.10-apply (edge-paris) -> logs-akko-audit-push-edge-paris (logs)",
            "factory-lyon-10.20.0.11-apply (factory-lyon) -> logs-akko-audit-push-factory-lyon (logs)",
            "factory-lyon-10.20.0.12-apply (factory-lyon) -> logs-akko-audit-push-factory-lyon (logs)",
            "factory-lyon-10.20.0.13-apply (factory-lyon) -> logs-akko-audit-push-factory-lyon (logs)",
            "logs-central-env (logs) -> clinic-lyon-audit (clinic-lyon)",
            "logs-central-env (logs) -> hds-sante-audit (hds-sante)",
        ]);
        for (const p of resources.filter((r) => r.name.startsWith("logs-akko-audit-push-")))
            assert.deepEqual(p.dependencies, [], `${p.name} depends on nothing`);
        const path = criticalPath(resources.map((r) => ({ ...r, inputs: r.inputs, importId: r.importId })));
        assert.deepEqual(
            applies(path).map((u) => u.split("::").pop()),
            ["factory-lyon-10.20.0.11-apply", "factory-lyon-10.20.0.12-apply", "factory-lyon-10.20.0.13-apply"],
        );
    });

    it("critical path equals the largest HA server count, not the fleet size", async () => {
        const { resources } = await run(k3sFleet([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 2]));
        assert.equal(resources.filter((r) => r.type === "command:remote:Command" && r.name.endsWith("-apply")).length, 18);
        const path = criticalPath(resources.map((r) => ({ ...r })));
        assert.deepEqual(
            applies(path).map((u) => u.split("::").pop()),
            ["site-12-10.0.12.1-apply", "site-12-10.0.12.2-apply", "site-12-10.0.12.3-apply", "site-12-10.0.12.4-apply"],
        );
    });

    it("exports per-cluster status: kind, what was enabled, where logs go, retention on each hop", async () => {
        const { outputs } = await run(validateDeployableStack(exampleStack("prod")));
        const clusters = (await resolve(outputs.clusters)).value;
        assert.deepEqual(Object.keys(clusters), [
            "edge-paris",
            "factory-lyon",
            "payments-eu",
            "payments-us",
            "analytics",
            "hds-sante",
            "clinic-lyon",
            "ocp-core",
        ]);
        assert.deepEqual(clusters["edge-paris"], {
            kind: "k3s",
            enabled: ["audit policy + kube-apiserver audit flags on 1 server node(s) (192.0.2.10)"],
            logsGoTo: '/var/log/k3s-audit.log -> Alloy (HelmChart in the cluster) -> Loki {job="k3s-audit", cluster="edge-paris"}',
            retention: [
                { hop: "node disk", days: 30, text: "/var/log/k3s-audit.log: rotated files kept 30 days, at most 10 x 100 MB" },
                { hop: "Loki", days: 90, text: "90 days, enforced by Loki's compactor" },
            ],
            gaps: [],
        });
        assert.equal(clusters["payments-eu"].kind, "eks");
        assert.deepEqual(clusters["payments-eu"].retention[0], {
            hop: "cloud",
            days: 30,
            text: "CloudWatch /aws/eks/payments-prod-eu/cluster: 30 days",
        });
        assert.ok(String(clusters["payments-eu"].logsGoTo).startsWith("subscription filter (audit events only) -> Firehose -> https://"));
    });

    it("exports what was deployed, from the components' outputs; secret outputs apart, as secrets", async () => {
        const { read } = await run(validateDeployableStack(exampleStack("prod")), cloudOutputs, async (o) => ({
            deployed: await resolve(o.deployed),
            secrets: await resolve(o.secretOutputs),
        }));
        const { deployed, secrets } = read!;
        assert.equal(deployed.secret, false, "deployed stays readable: no secret inside");
        assert.deepEqual(Object.keys(deployed.value), [
            "edge-paris",
            "factory-lyon",
            "payments-eu",
            "payments-us",
            "analytics",
            "hds-sante",
            "clinic-lyon",
            "ocp-core",
        ]);
        assert.deepEqual(Object.keys(deployed.value["factory-lyon"]), ["nodes"]);
        assert.deepEqual(
            (deployed.value["factory-lyon"].nodes as { node: string }[]).map((n) => n.node),
            ["factory-lyon/10.20.0.11", "factory-lyon/10.20.0.12", "factory-lyon/10.20.0.13"],
        );
        assert.deepEqual(Object.keys(deployed.value["payments-eu"]).sort(), [
            "deliveryStreamArn",
            "enabledLogTypes",
            "failedBatchBucket",
            "logGroupName",
            "previousLogTypes",
        ]);
        assert.equal(deployed.value["payments-eu"].logGroupName, "/aws/eks/payments-prod-eu/cluster");
        assert.deepEqual(
            [deployed.value["payments-eu"].enabledLogTypes, deployed.value["payments-eu"].previousLogTypes],
            [["audit", "authenticator", "controllerManager"], ["api"]],
        );
        assert.equal(deployed.value["payments-eu"].deliveryStreamArn, "arn:aws:firehose:eu-west-3:123456789012:deliverystream/payments-eu-audit");
        assert.deepEqual(Object.keys(deployed.value["analytics"]).sort(), ["serviceAccountEmail", "sinkWriterIdentity", "subscriptionPath"]);
        assert.deepEqual(Object.keys(deployed.value["hds-sante"]).sort(), [
            "categories",
            "consumerGroup",
            "diagnosticSettingName",
            "eventHubName",
            "eventHubNamespaceFqdn",
        ]);
        assert.deepEqual(deployed.value["ocp-core"], {
            profile: "WriteRequestBodies",
            customRules: [{ group: "system:authenticated:oauth", profile: "AllRequestBodies" }],
        });
        assert.equal(secrets.secret, true);
        assert.deepEqual(Object.keys(secrets.value), ["hds-sante", "clinic-lyon"]);
        assert.equal(secrets.value["hds-sante"].listenConnectionString, "Endpoint=sb://x/;SharedAccessKeyName=listen;SharedAccessKey=k");
    });

    it("index.ts: bad config fails before any resource is registered, as one RunError listing every problem", async () => {
        const bad = exampleStack("prod");
        (bad.values.clusters as any[])[2].region = "eu-west-9";
        (bad.values.clusters as any[])[0].servers[0].port = 0;
        const mocks = await setupMocks({
            config: Object.fromEntries(
                Object.entries(bad.values).map(([k, v]) => [`akko-audit:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
            ),
            secretKeys: [...bad.secretKeys].map((k) => `akko-audit:${k}`),
        });
        const { loadStackConfig } = await import("../../../components/deployable.js");
        assert.throws(
            () => loadStackConfig(),
            (e: Error) => {
                assert.ok(pulumi.RunError.isInstance(e), "a RunError: Pulumi prints it without a stack trace");
                assert.deepEqual(e.message.split("\n"), [
                    "2 config problems:",
                    '  - akko-audit:clusters[0] (cluster "edge-paris", kind k3s): field servers[0].port: got 0; allowed: a TCP port, 1 to 65535',
                    '  - akko-audit:clusters[2] (cluster "payments-eu", kind eks): field region: got "eu-west-9"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)',
                ]);
                return true;
            },
        );
        await settle();
        assert.equal(mocks.resources.length, 0);
    });
});
