import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { configProblems, exampleStack } from "../../helpers/config";
import { fromRuntimeConfig, readStackFile, showValue, StackFileError, validateStackConfig } from "../../../components/config";

const ROOT = path.resolve(__dirname, "../../..");
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";

function k3s(extra: Record<string, unknown> = {}) {
    return { name: "edge", kind: "k3s", sshPrivateKeySecret: "sshKey", servers: [{ host: "10.0.0.1", hostKey: HOST_KEY }], ...extra };
}
function raw(values: Record<string, unknown>, secretKeys: string[] = ["sshKey"]) {
    return { stack: "test", values: { sshKey: "[secret]", ...values }, secretKeys: new Set(secretKeys) };
}
function problems(values: Record<string, unknown>, secretKeys?: string[]): string[] {
    return configProblems(() => validateStackConfig(raw(values, secretKeys)));
}

describe("stack config validation", () => {
    it("accepts the example prod fleet, one cluster of every kind, with defaults applied", () => {
        const c = validateStackConfig(exampleStack("prod"));
        assert.deepEqual(c.clusters.map((x) => x.kind).sort(), ["aks", "aks", "eks", "eks", "gke", "k3s", "k3s", "openshift"]);
        assert.equal(c.logs.retentionDays, 90);
        const edge = c.clusters.find((x) => x.name === "edge-paris");
        assert.ok(edge && edge.kind === "k3s");
        assert.equal(edge.auditLogPath, "/var/log/k3s-audit.log");
        assert.equal(edge.servers[0].port, 22);
        assert.deepEqual(c.secretKeys, [
            "edgeSshKey",
            "factorySshKey",
            "gcpAlloyKey",
            "logsKubeconfig",
            "lokiGatewayPassword",
            "ocpKubeconfig",
            "paymentsFirehoseKey",
            "paymentsUsFirehoseKey",
        ]);
    });

    it("applies documented defaults", () => {
        const c = validateStackConfig(raw({ clusters: [k3s(), { name: "e", kind: "eks", clusterName: "e", region: "eu-west-1" }] }));
        const [k, e] = c.clusters;
        assert.ok(k.kind === "k3s" && e.kind === "eks");
        assert.deepEqual(
            {
                user: k.servers[0].user,
                port: k.servers[0].port,
                maxAge: k.auditLogMaxAgeDays,
                backup: k.auditLogMaxBackup,
                size: k.auditLogMaxSizeMb,
                timeout: k.readyTimeoutSeconds,
                service: k.serviceName,
                skip: k.dangerouslySkipHostKeyCheck,
            },
            { user: "root", port: 22, maxAge: 30, backup: 10, size: 100, timeout: 180, service: "k3s", skip: false },
        );
        assert.deepEqual(e.logTypes, ["audit", "authenticator", "controllerManager"]);
        assert.equal(e.retentionDays, 30);
        assert.deepEqual(c.logs, {
            retentionDays: 30,
            mode: "SingleBinary",
            distributed: {
                ingester: 3,
                distributor: 2,
                querier: 2,
                queryFrontend: 2,
                queryScheduler: 2,
                indexGateway: 2,
                ingesterVolumeSize: "10Gi",
            },
            mirrors: {},
            namespace: "akko-audit-logs",
            gatewayUser: "akko-audit",
            openshiftForwarder: "alloy",
            useAmbientKubeconfig: false,
            detections: {
                rbacWriters: ["system:apiserver", "system:kube-controller-manager", "system:serviceaccount:kube-system:.+"],
                secretReaders: [
                    "system:apiserver",
                    "system:kube-controller-manager",
                    "system:kube-scheduler",
                    "system:serviceaccount:kube-system:.+",
                    "system:node:.+",
                ],
                enumeration: { threshold: 20, window: "5m" },
                silenceAfter: "15m",
                disabled: [],
            },
            evidence: { enabled: false, window: "1h", lateness: "15m", backfillLookback: "24h", schedule: "*/15 * * * *" },
        });
        // Every kind's delete that turns audit off is protected unless the cluster opts in.
        assert.deepEqual([k.allowAuditOff, e.allowAuditOff], [false, false]);
    });

    it("names key, cluster, field, value and what is allowed; reports every problem at once", () => {
        const found = problems({
            clusters: [
                k3s({ servers: [{ host: "10.0.0.1", port: 70000, hostKey: HOST_KEY }] }),
                { name: "pay", kind: "eks", clusterName: "pay", region: "eu-west-9" },
                { name: "ana", kind: "gkee" },
                {
                    name: "hds",
                    kind: "aks",
                    clusterResourceId: "/subscriptions/x/resourceGroups/rg",
                    workspaceResourceId:
                        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
                },
                { name: "ocp", kind: "openshift", kubeconfigSecret: "kc", profile: "Verbose" },
                { name: "Bad_Name", kind: "eks", clusterName: "x", region: "us-east-1", foo: 1 },
            ],
        });
        // The unknown-field line lists every field of the kind; later features add fields, so check its start.
        const unknown = found.pop()!;
        assert.ok(
            unknown.startsWith(
                'akko-audit:clusters[5] (cluster "Bad_Name", kind eks): unknown field "foo"; allowed fields: name, previousNames, kind, clusterName, region, logTypes, retentionDays, kmsKeyArn',
            ),
            unknown,
        );
        assert.deepEqual(found, [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[0].port: got 70000; allowed: a TCP port, 1 to 65535',
            'akko-audit:clusters[1] (cluster "pay", kind eks): field region: got "eu-west-9"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)',
            'akko-audit:clusters[2] (cluster "ana", kind gkee): field kind: got "gkee"; allowed: k3s | eks | gke | aks | openshift',
            'akko-audit:clusters[3] (cluster "hds", kind aks): field clusterResourceId: got "/subscriptions/x/resourceGroups/rg"; allowed: an AKS resource id: /subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>',
            'akko-audit:clusters[4] (cluster "ocp", kind openshift): field profile: got "Verbose"; allowed: Default | WriteRequestBodies | AllRequestBodies | None',
            'akko-audit:clusters[5] (cluster "Bad_Name", kind eks): field name: got "Bad_Name"; allowed: lowercase letters, digits and \'-\', at most 40 characters',
        ]);
    });

    it("requires clusters, and a mapping for each", () => {
        assert.deepEqual(problems({}), [
            "akko-audit:clusters: missing; allowed: a list of clusters, each with name and kind (k3s | eks | gke | aks | openshift), here or in akko-audit:clustersFile",
        ]);
        assert.deepEqual(problems({ clusters: [] }), [
            "akko-audit:clusters: got []; allowed: a non-empty list of clusters, each with name and kind (k3s | eks | gke | aks | openshift)",
        ]);
        assert.deepEqual(problems({ clusters: [k3s(), "edge"] }), [
            'akko-audit:clusters[1]: value: got "edge"; allowed: a mapping with name and kind',
        ]);
    });

    it("refuses duplicate cluster names and duplicate nodes", () => {
        assert.deepEqual(
            problems({
                clusters: [
                    k3s(),
                    k3s({
                        servers: [
                            { host: "10.0.0.2", hostKey: HOST_KEY },
                            { host: "10.0.0.2", hostKey: HOST_KEY },
                        ],
                    }),
                ],
            }),
            [
                'akko-audit:clusters[1] (cluster "edge", kind k3s): field name: got "edge"; allowed: a name no other cluster uses (clusters[0] has it)',
                'akko-audit:clusters[1] (cluster "edge", kind k3s): field servers[1].host: got "10.0.0.2"; allowed: a host not already listed (servers[0] has it; one entry per node)',
            ],
        );
    });

    it("one entry per host: the same host on another port is the same node (resources are named after the host)", () => {
        assert.deepEqual(
            problems({
                clusters: [
                    k3s({
                        servers: [
                            { host: "edge-1.example.net", hostKey: HOST_KEY },
                            { host: "EDGE-1.example.net", port: 2222, hostKey: HOST_KEY },
                        ],
                    }),
                ],
            }),
            [
                'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[1].host: got "EDGE-1.example.net"; allowed: a host not already listed (servers[0] has it; one entry per node)',
            ],
        );
    });

    it("previousNames: a rename keeps the resources; an earlier name in use or claimed twice is refused", () => {
        const ok = validateStackConfig(raw({ clusters: [k3s({ name: "edge-paris", previousNames: ["edge"] })] }));
        assert.deepEqual(ok.clusters[0].previousNames, ["edge"]);
        assert.deepEqual(validateStackConfig(raw({ clusters: [k3s()] })).clusters[0].previousNames, [], "default: none");
        assert.deepEqual(
            problems({
                clusters: [
                    k3s({ name: "a", previousNames: ["b"] }),
                    k3s({ name: "b", servers: [{ host: "10.0.0.9", hostKey: HOST_KEY }] }),
                    k3s({ name: "c", previousNames: ["x"], servers: [{ host: "10.0.0.8", hostKey: HOST_KEY }] }),
                    k3s({ name: "d", previousNames: ["x"], servers: [{ host: "10.0.0.7", hostKey: HOST_KEY }] }),
                ],
            }),
            [
                'akko-audit:clusters[0] (cluster "a", kind k3s): field previousNames[0]: got "b"; allowed: a name no cluster has now (cluster "b" exists)',
                'akko-audit:clusters[3] (cluster "d", kind k3s): field previousNames[0]: got "x"; allowed: a name only one cluster had (clusters[2] lists it)',
            ],
        );
        assert.deepEqual(problems({ clusters: [k3s({ previousNames: ["Old_Name"] })] }), [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field previousNames[0]: got "Old_Name"; allowed: lowercase letters, digits and \'-\', at most 40 characters',
        ]);
    });

    it("offline (allowUnsetSecrets): a referenced secret not set yet is listed, not refused; plain text still is", () => {
        const c = validateStackConfig({ stack: "t", values: { clusters: [k3s()] }, secretKeys: new Set() }, { allowUnsetSecrets: true });
        assert.deepEqual(c.unsetSecrets, ["sshKey"]);
        assert.deepEqual(
            configProblems(() =>
                validateStackConfig(
                    { stack: "t", values: { clusters: [k3s()], sshKey: "plain" }, secretKeys: new Set() },
                    { allowUnsetSecrets: true },
                ),
            ),
            [
                'akko-audit:clusters[0] (cluster "edge", kind k3s): field sshPrivateKeySecret: got "sshKey", but akko-audit:sshKey is stored in plain text; allowed: a secret config key, set it again with `pulumi config set --secret akko-audit:sshKey`',
            ],
        );
        assert.deepEqual(validateStackConfig(raw({ clusters: [k3s()] })).unsetSecrets, []);
    });

    it("secrets come only from secret config, by name", () => {
        assert.deepEqual(problems({ clusters: [k3s({ sshPrivateKeySecret: "missingKey" })] }), [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field sshPrivateKeySecret: got "missingKey", but akko-audit:missingKey is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:missingKey`',
        ]);
        assert.deepEqual(problems({ clusters: [k3s()], sshKey: "-----BEGIN OPENSSH PRIVATE KEY-----" }, []), [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field sshPrivateKeySecret: got "sshKey", but akko-audit:sshKey is stored in plain text; allowed: a secret config key, set it again with `pulumi config set --secret akko-audit:sshKey`',
        ]);
    });

    it("never echoes a secret-looking value", () => {
        const p = problems({ clusters: [k3s({ sshPrivateKeySecret: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn" })] });
        assert.deepEqual(p, [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field sshPrivateKeySecret: got [redacted: looks like a secret; secrets belong in secret config]; allowed: the name of a secret config key, set with `pulumi config set --secret akko-audit:NAME`',
        ]);
        assert.equal(showValue("x".repeat(200)).length, 80);
    });

    it("pins host keys unless the loud opt-out is set", () => {
        const servers = [{ host: "10.0.0.1", bastion: { host: "jump.example.net" } }];
        assert.deepEqual(problems({ clusters: [k3s({ servers })] }), [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[0].hostKey: missing; allowed: the node\'s public host key (ssh-keyscan -t ed25519 10.0.0.1), or dangerouslySkipHostKeyCheck: true on the cluster',
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[0].bastion.hostKey: missing; allowed: the bastion\'s public host key (ssh-keyscan -t ed25519 jump.example.net), or dangerouslySkipHostKeyCheck: true on the cluster',
        ]);
        assert.doesNotThrow(() => validateStackConfig(raw({ clusters: [k3s({ servers, dangerouslySkipHostKeyCheck: true })] })));
        assert.deepEqual(problems({ clusters: [k3s({ servers: [{ host: "10.0.0.1", hostKey: "AAAA" }] })] }), [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[0].hostKey: got "AAAA"; allowed: a public host key such as "ssh-ed25519 AAAA..." (from ssh-keyscan)',
        ]);
    });

    it("the buffer before Loki never outlives Loki", () => {
        assert.deepEqual(
            problems({
                clusters: [k3s({ auditLogMaxAgeDays: 60 }), { name: "e", kind: "eks", clusterName: "e", region: "eu-west-1", retentionDays: 90 }],
                logs: { retentionDays: 45 },
            }),
            [
                'akko-audit:clusters[0] (cluster "edge", kind k3s): field auditLogMaxAgeDays: got 60; allowed: at most akko-audit:logs.retentionDays (45): the buffer must not outlive Loki, the record',
                'akko-audit:clusters[1] (cluster "e", kind eks): field retentionDays: got 90; allowed: at most akko-audit:logs.retentionDays (45): the buffer must not outlive Loki, the record',
            ],
        );
    });

    it("kind-specific rules: EKS log types and retention, AKS categories, OpenShift None", () => {
        assert.deepEqual(
            problems(
                {
                    clusters: [
                        { name: "e", kind: "eks", clusterName: "e", region: "eu-west-1", logTypes: ["api"], retentionDays: 10 },
                        {
                            name: "a",
                            kind: "aks",
                            clusterResourceId:
                                "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1",
                            workspaceResourceId:
                                "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
                            categories: ["kube-audit", "kube-audit-admin"],
                        },
                        { name: "o", kind: "openshift", kubeconfigSecret: "kc", profile: "None" },
                    ],
                    kc: "[secret]",
                },
                ["kc", "sshKey"],
            ),
            [
                'akko-audit:clusters[0] (cluster "e", kind eks): field logTypes: got ["api"]; allowed: a list that includes audit',
                'akko-audit:clusters[0] (cluster "e", kind eks): field retentionDays: got 10; allowed: one of CloudWatch\'s retention values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
                'akko-audit:clusters[1] (cluster "a", kind aks): field categories: got ["kube-audit","kube-audit-admin"]; allowed: one of kube-audit | kube-audit-admin, or both with allowBothAuditCategories: true (every write is then stored and billed twice)',
                'akko-audit:clusters[2] (cluster "o", kind openshift): field profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns API-server auditing off)',
            ],
        );
    });

    it("logs: mode and retention", () => {
        assert.deepEqual(problems({ clusters: [k3s()], logs: { mode: "Microservices", retentionDays: 0 } }), [
            "akko-audit:logs: field retentionDays: got 0; allowed: a whole number of days from 1 to 3650",
            'akko-audit:logs: field mode: got "Microservices"; allowed: SingleBinary | Distributed | SimpleScalable',
        ]);
    });

    it("unknown top-level keys are typos, not ignored", () => {
        assert.deepEqual(problems({ clusters: [k3s()], cluster: [] }), [
            "akko-audit:cluster: unknown config key; allowed: clusters, clustersFile, logs, sshAuth, or a secret named by a cluster's *Secret field",
        ]);
    });
});

describe("stack config sources", () => {
    it("reads Pulumi.<stack>.yaml offline: secure values are secret and their ciphertext is dropped", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "akko-"));
        writeFileSync(
            path.join(dir, "Pulumi.s.yaml"),
            "config:\n  aws:region: eu-west-1\n  akko-audit:clusters: [{name: a}]\n  akko-audit:key:\n    secure: v1:abc:def\n",
        );
        const r = readStackFile(dir, "s");
        assert.deepEqual(r.values, { clusters: [{ name: "a" }], key: "[secret]" });
        assert.deepEqual([...r.secretKeys], ["key"]);
    });

    it("an unknown stack names the file and the stacks that exist", () => {
        assert.throws(
            () => readStackFile(ROOT, "nope"),
            (e: unknown) =>
                e instanceof StackFileError &&
                e.message ===
                    `unknown stack "nope": no ${path.join(ROOT, "Pulumi.nope.yaml")} (stacks here: ${require("node:fs")
                        .readdirSync(ROOT)
                        .filter((f: string) => /^Pulumi\..+\.yaml$/.test(f))
                        .map((f: string) => f.slice(7, -5))
                        .sort()
                        .join(", ")})`,
        );
        assert.throws(() => readStackFile(ROOT, "../etc"), { message: "stack \"../etc\": not a stack name (letters, digits, '.', '_', '-')" });
    });

    it("bad YAML in a stack file is one line", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "akko-"));
        writeFileSync(path.join(dir, "Pulumi.s.yaml"), "config:\n  a: [\n");
        assert.throws(
            () => readStackFile(dir, "s"),
            (e: unknown) =>
                e instanceof StackFileError &&
                e.message.startsWith(`${path.join(dir, "Pulumi.s.yaml")}: not valid YAML: `) &&
                !e.message.includes("\n"),
        );
    });

    it("reads Pulumi's runtime config map: JSON values parsed, secret values never kept", () => {
        const r = fromRuntimeConfig(
            "s",
            { "akko-audit:clusters": '[{"name":"a"}]', "akko-audit:key": "PRIVATE", "akko-audit:plain": "text", "aws:region": "x" },
            (k) => k === "akko-audit:key",
        );
        assert.deepEqual(r.values, { clusters: [{ name: "a" }], key: "[secret]", plain: "text" });
        assert.deepEqual([...r.secretKeys], ["key"]);
    });
});
