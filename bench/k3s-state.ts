/**
 * The bytes of inputs one k3s server node puts in Pulumi state: the component's two resources, registered
 * under the SDK's mocks (the engine stores what the program registers), inputs as JSON. Secret inputs count
 * at their plaintext size; the engine's ciphertext is about 4/3 of it plus an envelope.
 */
import { K3sClusterSchema } from "../components/config/k3s";
import { k3sCommandOutputs } from "../test/helpers/k3s-outputs";
import { setupMocks, settle } from "../test/helpers/pulumi-mocks";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";
/** The size of a real OpenSSH ed25519 private key (411 bytes). */
const ED25519_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${"A".repeat(340)}\n-----END OPENSSH PRIVATE KEY-----\n`;

async function measure(auth: Record<string, unknown>, config: Record<string, string>): Promise<number> {
    const run = await setupMocks({ config, secretKeys: Object.keys(config), outputs: k3sCommandOutputs });
    const { K3sAuditLogging } = await import("../components/k3s/index.js");
    const cluster = K3sClusterSchema.parse({ name: "edge", kind: "k3s", servers: [{ host: "10.0.0.1", hostKey: HOST_KEY }], ...auth });
    new K3sAuditLogging("edge", { cluster });
    await settle();
    return run.resources.filter((r) => r.custom).reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r.inputs)), 0);
}

export async function stateBytesPerNode(): Promise<{ sshAgent: number; ed25519Key: number }> {
    return {
        sshAgent: await measure({ sshAuth: { agent: true } }, {}),
        ed25519Key: await measure({ sshPrivateKeySecret: "k" }, { "akko-audit:k": ED25519_KEY }),
    };
}
