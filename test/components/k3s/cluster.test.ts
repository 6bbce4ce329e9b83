/**
 * K3sAuditLogging under the real Pulumi SDK with the engine and the command provider mocked
 * (test/helpers/pulumi-mocks): exact resources, names, inputs, triggers, the HA chain, independence of
 * clusters, and that the SSH keys stay secret. No SSH happens here (see scripts/converge.test.ts for that).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { K3sCluster, K3sClusterSchema } from "../../../components/config/k3s";
import { ConfigError, validateStackConfig } from "../../../components/config";
import { MockRun, RecordedResource, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { buildBundle, bundleCacheDir } from "../../../components/k3s/bundle";
import { buildNodeCommands } from "../../../components/k3s/commands";
import { refuseSecretContent } from "../../../components/k3s/manifests";
import { policyHash, renderDropIn } from "../../../components/k3s/render";

const CMD = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
const KEY_TEXT = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-test-only\n-----END OPENSSH PRIVATE KEY-----\n";
const BASTION_KEY_TEXT = "-----BEGIN OPENSSH PRIVATE KEY-----\nbastion-test-only\n-----END OPENSSH PRIVATE KEY-----\n";
const HK = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(n).repeat(43).slice(0, 43)}`;
const POLICY = readFileSync(path.join(__dirname, "../../../policy/audit-policy.yaml"), "utf8");
const CONFIG = { "akko-audit:edgeKey": KEY_TEXT, "akko-audit:jumpKey": BASTION_KEY_TEXT };
const SECRET_KEYS = ["akko-audit:edgeKey", "akko-audit:jumpKey"];

function result(name: string, inputs: Record<string, any>) {
    const hash = /'AKKO_POLICY_HASH=([0-9a-f]{64})'/.exec(inputs.create ?? "")?.[1] ?? "";
    return JSON.stringify({
        runId: "1-1",
        action: "apply",
        status: "ok",
        node: name,
        policyHash: hash,
        restarted: true,
        apiServerReady: true,
        k3sVersion: "v1.30.4+k3s1",
        message: "applied",
    });
}
const outputs = (type: string, name: string, inputs: Record<string, any>) =>
    type === CMD && name.endsWith("-apply")
        ? { stdout: `${result(name, inputs)}\n`, stderr: "" }
        : type === CMD
          ? { stdout: '{"k3sVersion":"v1.30.4+k3s1"}\n', stderr: "" }
          : {};

function cluster(name: string, servers: number, extra: Record<string, unknown> = {}): K3sCluster {
    return K3sClusterSchema.parse({
        name,
        kind: "k3s",
        sshPrivateKeySecret: "edgeKey",
        servers: Array.from({ length: servers }, (_, i) => ({ host: `10.0.0.${i + 1}`, user: i === 0 ? "root" : "akko", hostKey: HK(i + 1) })),
        ...extra,
    });
}

describe("K3sAuditLogging (Pulumi mocks)", () => {
    let run: MockRun;
    let mod: typeof import("../../../components/k3s");
    /** additionalSecretOutputs per resource name, read off the register requests (the recorder omits them). */
    before(async () => {
        run = await setupMocks({ config: CONFIG, secretKeys: SECRET_KEYS, outputs });
        mod = await import("../../../components/k3s/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks({ config: CONFIG, secretKeys: SECRET_KEYS, outputs });
    });
    const urn = (r: RecordedResource) => r.urn;
    const names = () => run.resources.map((r) => `${r.type} ${r.name}`).sort();

    it("registers per server two SSH-connected resources, the bundle upload and the apply; all parented and named from the component", async () => {
        const c = cluster("edge", 1);
        new mod.K3sAuditLogging("edge", { cluster: c });
        await settle();
        assert.deepEqual(names(), [
            "akko:audit:K3sAuditLogging edge",
            "akko:audit:K3sServerAuditLogging edge-10.0.0.1",
            `${CMD} edge-10.0.0.1-apply`,
            `${COPY} edge-10.0.0.1-bundle`,
        ]);
        const comp = run.one("akko:audit:K3sAuditLogging", "edge");
        const node = run.one("akko:audit:K3sServerAuditLogging", "edge-10.0.0.1");
        assert.equal(node.parent, comp.urn);
        assert.equal(run.one(CMD, "edge-10.0.0.1-apply").parent, node.urn);
        assert.equal(run.one(COPY, "edge-10.0.0.1-bundle").parent, node.urn);
    });

    it("protects each node's apply (its delete script turns audit off) unless the cluster sets allowAuditOff; nothing else", async () => {
        new mod.K3sAuditLogging("edge", { cluster: cluster("edge", 2) });
        new mod.K3sAuditLogging("lab", { cluster: cluster("lab", 1, { allowAuditOff: true }) });
        await settle();
        assert.deepEqual(
            run.resources
                .filter((r) => r.protect)
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
            [`${CMD} edge-10.0.0.1-apply`, `${CMD} edge-10.0.0.2-apply`],
        );
        assert.equal(run.one(CMD, "lab-10.0.0.1-apply").protect, false);
    });

    it("uploads the bundle buildBundle builds as a FileArchive of its cache copy, and runs exactly the commands buildNodeCommands builds", async () => {
        const c = cluster("edge", 1);
        new mod.K3sAuditLogging("edge", { cluster: c });
        await settle();
        const bundle = buildBundle({ cluster: c, policy: POLICY, manifests: [], stdinManifestNames: [] });
        const expected = buildNodeCommands({
            cluster: c,
            server: c.servers[0],
            bundleId: bundle.id,
            policyHash: policyHash(POLICY, renderDropIn(c)),
        });
        const upload = run.one(COPY, "edge-10.0.0.1-bundle");
        // State keeps the archive's path and hash, never the scripts: the engine compares archives by hash.
        assert.equal(upload.inputs.source.path, path.join(bundleCacheDir(), bundle.id));
        assert.equal(readFileSync(path.join(upload.inputs.source.path, "SHA256SUMS"), "utf8"), bundle.files.get("SHA256SUMS"));
        assert.equal(upload.inputs.remotePath, ".akko-audit-stage/bundles");
        assert.equal(upload.inputs.triggers, undefined);
        assert.deepEqual(upload.ignoreChanges, ["triggers"]);
        const apply = run.one(CMD, "edge-10.0.0.1-apply");
        assert.equal(apply.inputs.create, expected.apply);
        // No `update`: the provider runs `create` again, and state holds one copy of the command, not two.
        assert.equal(apply.inputs.update, undefined);
        assert.equal(apply.inputs.delete, expected.remove);
        assert.equal(apply.inputs.stdin, undefined, "no secret manifest, no stdin");
        // No triggers (a changed trigger is a replace, whose delete would undo the apply): the bundle id and
        // policy hash are in the command, so a change updates in place; 0.1.0's triggers are ignored, not removed.
        assert.equal(apply.inputs.triggers, undefined);
        assert.deepEqual(apply.ignoreChanges, ["triggers"]);
        assert.deepEqual(apply.replaceOnChanges, ["triggers[*]"], "@pulumi/command merges this into every command");
        assert.equal(apply.inputs.logging, "none");
        assert.equal(apply.inputs.addPreviousOutputInEnv, false);
        assert.equal(apply.inputs.environment, undefined, "inputs never go through sshd AcceptEnv");
        assert.deepEqual(apply.dependencies, [upload.urn]);
    });

    it("at most 4 KB of inputs per node in state (agent auth: no key; with an ed25519 key in config: still under)", async () => {
        const size = (r: RecordedResource) => Buffer.byteLength(JSON.stringify(r.inputs));
        const perNode = () => size(run.one(CMD, "edge-10.0.0.1-apply")) + size(run.one(COPY, "edge-10.0.0.1-bundle"));
        new mod.K3sAuditLogging("edge", { cluster: cluster("edge", 1, { sshPrivateKeySecret: undefined, sshAuth: { agent: true } }) });
        await settle();
        const agent = perNode();
        run = await setupMocks({ config: CONFIG, secretKeys: SECRET_KEYS, outputs });
        new mod.K3sAuditLogging("edge", { cluster: cluster("edge", 1) });
        await settle();
        const keyed = perNode();
        assert.ok(agent < 2500, `${agent} bytes with the SSH agent`);
        assert.ok(keyed < 4096, `${keyed} bytes with a key in config`);
    });

    it("connects with the pinned host key, the secret key, bounded dialing; root without sudo, others with sudo -n", async () => {
        const c = cluster("edge", 2);
        new mod.K3sAuditLogging("edge", { cluster: c });
        await settle();
        const a0 = run.one(CMD, "edge-10.0.0.1-apply");
        assert.deepEqual(a0.inputs.connection, {
            host: "10.0.0.1",
            port: 22,
            user: "root",
            privateKey: KEY_TEXT,
            hostKey: HK(1),
            perDialTimeout: 15,
            dialErrorLimit: 3,
        });
        assert.ok(a0.secretInputs.includes("connection"));
        assert.deepEqual(run.one(COPY, "edge-10.0.0.1-bundle").inputs.connection, a0.inputs.connection);
        assert.ok(a0.inputs.create.includes(" 'AKKO_SUDO=' "));
        // The login user runs preflight; run.sh takes sudo -n for the launcher (and its delete) itself.
        const a1 = run.one(CMD, "edge-10.0.0.2-apply");
        assert.equal(a1.inputs.connection.user, "akko");
        assert.ok(a1.inputs.create.includes(" 'AKKO_SUDO=sudo -n' "));
        assert.ok(a1.inputs.delete.includes(" 'AKKO_SUDO=sudo -n' "));
        assert.ok(!a1.inputs.create.startsWith("sudo"));
    });

    it("no pinned host key: refused, unless the cluster opts out (then connection.hostKey is unset)", async () => {
        const base = cluster("edge", 1);
        const unpinned = { ...base, servers: [{ ...base.servers[0], hostKey: undefined }] };
        assert.throws(() => new mod.K3sAuditLogging("edge", { cluster: unpinned }), {
            message:
                "akko:audit:K3sAuditLogging edge: cluster.servers[0].hostKey: missing; allowed: the node's public host key (ssh-keyscan -t ed25519 10.0.0.1), or dangerouslySkipHostKeyCheck: true on the cluster",
        });
        assert.throws(() => new mod.K3sServerAuditLogging("edge-server-0", { cluster: unpinned, serverIndex: 0, privateKey: "k", policy: "p" }), {
            message:
                "akko:audit:K3sServerAuditLogging edge-server-0: cluster.servers[0].hostKey: missing; allowed: the node's public host key, or dangerouslySkipHostKeyCheck: true on the cluster",
        });
        await settle();
        assert.deepEqual(
            run.resources.filter((r) => r.custom),
            [],
            "nothing registered that could touch a node",
        );
        run = await setupMocks({ config: CONFIG, secretKeys: SECRET_KEYS, outputs });
        new mod.K3sAuditLogging("edge", { cluster: { ...unpinned, dangerouslySkipHostKeyCheck: true } });
        await settle();
        assert.equal(run.one(CMD, "edge-10.0.0.1-apply").inputs.connection.hostKey, undefined);
    });

    it("HA: each server's bundle upload depends on the previous server's apply; the first depends on nothing outside its node", async () => {
        const c = cluster("factory", 3);
        new mod.K3sAuditLogging("factory", { cluster: c });
        await settle();
        const applyUrn = (i: number) => run.one(CMD, `factory-10.0.0.${i + 1}-apply`).urn;
        assert.deepEqual(run.one(COPY, "factory-10.0.0.1-bundle").dependencies, []);
        assert.deepEqual(run.one(COPY, "factory-10.0.0.2-bundle").dependencies, [applyUrn(0)]);
        assert.deepEqual(run.one(COPY, "factory-10.0.0.3-bundle").dependencies, [applyUrn(1)]);
    });

    it("clusters are independent: no resource of one depends on a resource of another", async () => {
        new mod.K3sAuditLogging("a", { cluster: cluster("a", 2) });
        new mod.K3sAuditLogging("b", { cluster: cluster("b", 2) });
        await settle();
        const ofA = new Set(run.resources.filter((r) => r.name === "a" || r.name.startsWith("a-")).map(urn));
        const ofB = run.resources.filter((r) => r.name === "b" || r.name.startsWith("b-"));
        assert.equal(ofB.length, 7);
        for (const r of ofB)
            assert.deepEqual(
                r.dependencies.filter((d) => ofA.has(d)),
                [],
                `${r.name} depends on cluster a`,
            );
        assert.deepEqual(run.one(COPY, "b-10.0.0.1-bundle").dependencies, []);
    });

    it("bastion: connection.proxy with its own pinned host key and the bastion key from secret config", async () => {
        const c = cluster("lyon", 1, {
            bastionSshPrivateKeySecret: "jumpKey",
            servers: [
                { host: "10.20.0.11", hostKey: `10.20.0.11 ${HK(5)}`, bastion: { host: "bastion.lyon.example.net", user: "jump", hostKey: HK(6) } },
            ],
        });
        new mod.K3sAuditLogging("lyon", { cluster: c });
        await settle();
        const conn = run.one(CMD, "lyon-10.20.0.11-apply").inputs.connection;
        assert.equal(conn.hostKey, HK(5), "the known_hosts host field is dropped");
        assert.deepEqual(conn.proxy, {
            host: "bastion.lyon.example.net",
            port: 22,
            user: "jump",
            privateKey: BASTION_KEY_TEXT,
            hostKey: HK(6),
            perDialTimeout: 15,
            dialErrorLimit: 3,
        });
    });

    it("secrets stay secret: the SSH keys appear only inside secret inputs, never in commands, paths or outputs", async () => {
        const c = cluster("edge", 2, {
            bastionSshPrivateKeySecret: "jumpKey",
            servers: [
                { host: "10.0.0.1", hostKey: HK(1), bastion: { host: "b.example.net", hostKey: HK(9) } },
                { host: "10.0.0.2", hostKey: HK(2) },
            ],
        });
        const comp = new mod.K3sAuditLogging("edge", { cluster: c });
        await settle();
        for (const r of run.resources) {
            for (const [k, v] of Object.entries(r.inputs)) {
                const text = JSON.stringify(v) ?? "";
                if (text.includes("test-only")) assert.ok(r.secretInputs.includes(k), `${r.type} ${r.name}: input ${k} carries a key in plain`);
            }
            if (r.type === CMD || r.type === COPY) assert.deepEqual(r.secretInputs, ["connection"], `${r.name}: only the connection is secret`);
            if (r.type === COPY) assert.ok(!readFileSync(path.join(r.inputs.source.path, "settings.env"), "utf8").includes("test-only"));
        }
        const nodes = await resolve(comp.nodes);
        assert.ok(!JSON.stringify(nodes.value).includes("test-only"));
        assert.equal(nodes.secret, false, "per-node outputs are plain (no secret went into them)");
        // stderr may quote the node's journal: the engine is asked to keep it secret in state.
        assert.deepEqual(run.one(CMD, "edge-10.0.0.1-apply").additionalSecretOutputs, ["stderr", "connection"]);
        assert.deepEqual(run.one(COPY, "edge-10.0.0.2-bundle").additionalSecretOutputs, ["connection"]);
    });

    it("a secret manifest goes over stdin (secret in state), never into the bundle; a secret Output not marked secret is refused", async () => {
        const c = cluster("edge", 1);
        new mod.K3sAuditLogging("edge", {
            cluster: c,
            extraManifests: [
                { fileName: "akko-alloy.yaml", content: "kind: HelmChart\n" },
                { fileName: "akko-alloy-env.yaml", content: pulumi.secret("kind: Secret\npassword: hunter2\n"), secret: true },
            ],
        });
        await settle();
        const upload = run.one(COPY, "edge-10.0.0.1-bundle");
        assert.deepEqual(upload.secretInputs, ["connection"]);
        const sums = readFileSync(path.join(upload.inputs.source.path, "SHA256SUMS"), "utf8");
        assert.deepEqual(
            sums
                .split("\n")
                .filter((l) => l.includes("manifest-"))
                .map((l) => l.split("  ")[1]),
            ["manifest-akko-alloy.yaml"],
        );
        const apply = run.one(CMD, "edge-10.0.0.1-apply");
        assert.deepEqual(apply.secretInputs, ["connection", "stdin"]);
        assert.equal(apply.inputs.stdin, `akko-alloy-env.yaml ${Buffer.from("kind: Secret\npassword: hunter2\n").toString("base64")}\n`);
        assert.ok(!apply.inputs.create.includes("hunter2"));

        await assert.rejects(
            refuseSecretContent("akko:audit:K3sServerAuditLogging edge-10.0.0.1", [
                { fileName: "plain.yaml", content: "a: 1\n" },
                { fileName: "leak.yaml", content: pulumi.secret("password: hunter2\n") },
            ]),
            {
                message:
                    "akko:audit:K3sServerAuditLogging edge-10.0.0.1: extraManifests leak.yaml: content is a secret; allowed: secret: true on that manifest (sent over SSH stdin, never written to disk)",
            },
        );
        await refuseSecretContent("x", [{ fileName: "plain.yaml", content: pulumi.output("a: 1\n") }]);
    });

    it("outputs per node come from the apply command's JSON result", async () => {
        const comp = new mod.K3sAuditLogging("edge", { cluster: cluster("edge", 2) });
        const nodes = (await resolve(comp.nodes)).value;
        const hash = policyHash(POLICY, renderDropIn(cluster("edge", 2)));
        assert.deepEqual(nodes, [
            { node: "edge/10.0.0.1", policyHash: hash, restarted: true, apiServerReady: true, k3sVersion: "v1.30.4+k3s1" },
            { node: "edge/10.0.0.2", policyHash: hash, restarted: true, apiServerReady: true, k3sVersion: "v1.30.4+k3s1" },
        ]);
        assert.equal((await resolve(comp.servers[1].k3sVersion)).value, "v1.30.4+k3s1");
    });

    it("the same config twice registers identical inputs (a second pulumi up changes nothing)", async () => {
        const snapshot = async () => {
            run = await setupMocks({ config: CONFIG, secretKeys: SECRET_KEYS, outputs });
            new mod.K3sAuditLogging("edge", { cluster: cluster("edge", 3), extraManifests: [{ fileName: "x.yaml", content: "a: 1\n" }] });
            await settle();
            return JSON.stringify(run.resources.map((r) => [r.type, r.name, r.inputs, r.dependencies]).sort());
        };
        assert.equal(await snapshot(), await snapshot());
    });

    it("refuses bad extra manifests before registering anything, one line each", async () => {
        assert.throws(
            () =>
                new mod.K3sAuditLogging("edge", {
                    cluster: cluster("edge", 1),
                    extraManifests: [
                        { fileName: "../etc/passwd", content: "x" },
                        { fileName: "a.yaml", content: "" },
                        { fileName: "a.yaml", content: "" },
                    ],
                }),
            (e: Error) =>
                e.message ===
                [
                    "akko:audit:K3sAuditLogging edge: extraManifests[0].fileName: got \"../etc/passwd\"; allowed: a file name of letters, digits, '.', '_', '-' ending in .yaml, .yml or .json",
                    'akko:audit:K3sAuditLogging edge: extraManifests[2].fileName: got "a.yaml"; allowed: a name no other manifest uses (extraManifests[1] has it)',
                ].join("\n"),
        );
        await settle();
        assert.deepEqual(run.resources, []);
    });
});

describe("k3s config errors (exact, one line each)", () => {
    const raw = (clusters: unknown[]) => ({ stack: "t", values: { clusters, edgeKey: "[secret]" }, secretKeys: new Set(["edgeKey"]) });
    const problems = (clusters: unknown[]) => {
        try {
            validateStackConfig(raw(clusters));
            return [];
        } catch (e) {
            return (e as ConfigError).problems;
        }
    };
    const base = { name: "edge", kind: "k3s", sshPrivateKeySecret: "edgeKey" };

    it("a server without a pinned host key is refused unless the cluster opts out loudly", () => {
        assert.deepEqual(problems([{ ...base, servers: [{ host: "10.0.0.1" }] }]), [
            'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[0].hostKey: missing; allowed: the node\'s public host key (ssh-keyscan -t ed25519 10.0.0.1), or dangerouslySkipHostKeyCheck: true on the cluster',
        ]);
        assert.deepEqual(problems([{ ...base, dangerouslySkipHostKeyCheck: true, servers: [{ host: "10.0.0.1" }] }]), []);
    });

    it("timeouts, service name and user are checked", () => {
        assert.deepEqual(
            problems([{ ...base, readyTimeoutSeconds: 5, serviceName: "k3s;reboot", servers: [{ host: "10.0.0.1", user: "Root", hostKey: HK(1) }] }]),
            [
                'akko-audit:clusters[0] (cluster "edge", kind k3s): field servers[0].user: got "Root"; allowed: a POSIX user name such as root or ubuntu',
                'akko-audit:clusters[0] (cluster "edge", kind k3s): field readyTimeoutSeconds: got 5; allowed: a whole number of seconds from 10 to 3600',
                'akko-audit:clusters[0] (cluster "edge", kind k3s): field serviceName: got "k3s;reboot"; allowed: a systemd unit name such as k3s',
            ],
        );
    });
});
