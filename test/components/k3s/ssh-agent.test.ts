/**
 * SSH agent authentication (cluster.sshAuth) under the real Pulumi SDK with the engine and the command
 * provider mocked (test/helpers/pulumi-mocks): the exact connection inputs. No SSH happens here; the
 * provider's agent handling (agentSocketPath, else SSH_AUTH_SOCK) is @pulumi/command 1.2.1's.
 */
import { strict as assert } from "node:assert";
import { K3sCluster, K3sClusterSchema } from "../../../components/config/k3s";
import { MockRun, settle, setupMocks } from "../../helpers/pulumi-mocks";

const CMD = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
const HK = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(n).repeat(43).slice(0, 43)}`;
const BASTION_KEY_TEXT = "-----BEGIN OPENSSH PRIVATE KEY-----\nbastion-test-only\n-----END OPENSSH PRIVATE KEY-----\n";
const CONFIG = { "akko-audit:jumpKey": BASTION_KEY_TEXT };
const outputs = (type: string, name: string) =>
    type === CMD && name.endsWith("-apply")
        ? {
              stdout: `${JSON.stringify({ runId: "1-1", action: "apply", status: "ok", node: name, policyHash: "", restarted: false, apiServerReady: true, k3sVersion: "v1.30.4+k3s1", message: "" })}\n`,
              stderr: "",
          }
        : type === CMD
          ? { stdout: '{"k3sVersion":"v1.30.4+k3s1"}\n', stderr: "" }
          : {};

function agentCluster(extra: Record<string, unknown> = {}): K3sCluster {
    return K3sClusterSchema.parse({
        name: "edge",
        kind: "k3s",
        sshAuth: { agent: true },
        servers: [{ host: "10.0.0.1", hostKey: HK(1), bastion: { host: "jump.example.net", user: "jump", hostKey: HK(2) } }],
        ...extra,
    });
}

describe("K3sAuditLogging with SSH agent authentication (Pulumi mocks)", () => {
    let run: MockRun;
    let mod: typeof import("../../../components/k3s");
    before(async () => {
        run = await setupMocks({ config: CONFIG, secretKeys: ["akko-audit:jumpKey"], outputs });
        mod = await import("../../../components/k3s/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks({ config: CONFIG, secretKeys: ["akko-audit:jumpKey"], outputs });
    });

    it("no key anywhere: the node and the bastion hop use the agent at SSH_AUTH_SOCK (agentSocketPath unset)", async () => {
        new mod.K3sAuditLogging("edge", { cluster: agentCluster() });
        await settle();
        for (const r of run.resources.filter((r) => r.type === CMD || r.type === COPY)) {
            assert.deepEqual(r.inputs.connection, {
                host: "10.0.0.1",
                port: 22,
                user: "root",
                hostKey: HK(1),
                perDialTimeout: 15,
                dialErrorLimit: 3,
                proxy: { host: "jump.example.net", port: 22, user: "jump", hostKey: HK(2), perDialTimeout: 15, dialErrorLimit: 3 },
            });
        }
        assert.equal(run.resources.filter((r) => r.type === CMD || r.type === COPY).length, 2, "the bundle upload and the apply");
    });

    it("agentSocket: the provider dials that socket, for the node and the bastion hop", async () => {
        new mod.K3sAuditLogging("edge", { cluster: agentCluster({ sshAuth: { agent: true, agentSocket: "/run/akko/agent.sock" } }) });
        await settle();
        const conn = run.one(CMD, "edge-10.0.0.1-apply").inputs.connection;
        assert.equal(conn.agentSocketPath, "/run/akko/agent.sock");
        assert.equal(conn.privateKey, undefined);
        assert.equal(conn.proxy.agentSocketPath, "/run/akko/agent.sock");
        assert.equal(conn.proxy.privateKey, undefined);
    });

    it("a bastion key from secret config goes to the bastion hop only; the node still uses the agent", async () => {
        new mod.K3sAuditLogging("edge", {
            cluster: agentCluster({ sshAuth: { agent: true, agentSocket: "/run/a.sock" }, bastionSshPrivateKeySecret: "jumpKey" }),
        });
        await settle();
        const conn = run.one(CMD, "edge-10.0.0.1-apply").inputs.connection;
        assert.equal(conn.agentSocketPath, "/run/a.sock");
        assert.equal(conn.privateKey, undefined);
        assert.equal(conn.proxy.privateKey, BASTION_KEY_TEXT);
        assert.equal(conn.proxy.agentSocketPath, undefined);
    });

    it("neither a key nor an agent: refused before anything is registered", async () => {
        const cluster = { ...agentCluster(), sshAuth: undefined };
        assert.throws(
            () => new mod.K3sAuditLogging("edge", { cluster }),
            (e: Error) =>
                e.message ===
                "akko:audit:K3sAuditLogging edge: privateKey: missing; allowed: an SSH private key, cluster.sshPrivateKeySecret, or cluster.sshAuth: { agent: true } (SSH agent)",
        );
        await settle();
        assert.deepEqual(run.resources, []);
    });
});
