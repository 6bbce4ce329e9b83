/**
 * Fleet-scale config: the stack's config as the nodejs language host hands it to the program (one
 * environment string, PULUMI_CONFIG, built by hostConfig) must fit Linux's MAX_ARG_STRLEN, or `pulumi up`
 * cannot start the program. Synthetic 1,000-cluster stacks written as Pulumi.<stack>.yaml; offline.
 */
import { strict as assert } from "node:assert";
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { readStackFile, validateStackConfig } from "../../../components/config";
import { MAX_ARG_STRLEN, estimatedSecretBytes, pulumiConfigSize, pulumiConfigSizeProblem } from "../../../components/plan/config-size";
import { k3sFleet } from "../../helpers/fleet";

/** An ed25519 private key in OpenSSH format is 411 bytes (7 lines). */
const ED25519_KEY_BYTES = 411;

/** A `secure:` value as Pulumi's passphrase secrets manager writes it: v1:<nonce>:<AES-256-GCM ciphertext + tag>. */
function passphraseCiphertext(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", randomBytes(32), nonce);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${ct.toString("base64")}`;
}

describe("PULUMI_CONFIG size at fleet scale", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "akko-size-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const write = (stack: string, config: Record<string, unknown>) => writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));

    it("the limit is Linux's MAX_ARG_STRLEN (32 pages of 4 KiB, include/uapi/linux/binfmts.h)", () => {
        assert.equal(MAX_ARG_STRLEN, 32 * 4096);
    });

    it("the passphrase ciphertext gives the decrypted size exactly", () => {
        assert.equal(estimatedSecretBytes(passphraseCiphertext("k".repeat(ED25519_KEY_BYTES))), ED25519_KEY_BYTES);
    });

    it("agent auth: no secret in config; what is left is about 180 bytes per cluster with a pinned host key", () => {
        write("agent700", { "akko-audit:sshAuth": { agent: true }, "akko-audit:clusters": k3sFleet(700) });
        const size = pulumiConfigSize(dir, "agent700");
        assert.deepEqual(size, { bytes: 125766, secrets: 0, secretBytes: 0 });
        assert.ok(size.bytes < MAX_ARG_STRLEN);
        assert.equal(pulumiConfigSizeProblem(dir, "agent700"), undefined);
    });

    it("agent auth: 1,000 clusters with one pinned host key each do not fit (the host keys alone are about 90 KB)", () => {
        write("agent1000", { "akko-audit:sshAuth": { agent: true }, "akko-audit:clusters": k3sFleet(1000) });
        assert.deepEqual(pulumiConfigSize(dir, "agent1000"), { bytes: 179656, secrets: 0, secretBytes: 0 });
        assert.match(
            pulumiConfigSizeProblem(dir, "agent1000")!,
            /^stack agent1000: PULUMI_CONFIG: got about 179656 bytes \(0 secrets, about 0 bytes of them\); allowed: at most 131072 bytes/,
        );
    });

    it("1,000 distinct SSH key secrets: refused offline, one line naming the size, the limit and the fix", () => {
        const config: Record<string, unknown> = { "akko-audit:clusters": k3sFleet(1000, (i) => ({ sshPrivateKeySecret: `sshKey${i}` })) };
        for (let i = 0; i < 1000; i++) config[`akko-audit:sshKey${i}`] = { secure: passphraseCiphertext("k".repeat(ED25519_KEY_BYTES)) };
        write("keys", config);
        const size = pulumiConfigSize(dir, "keys");
        assert.equal(size.secrets, 1000);
        assert.equal(size.secretBytes, 1000 * (ED25519_KEY_BYTES + 7));
        const problem = pulumiConfigSizeProblem(dir, "keys")!;
        assert.equal(problem.split("\n").length, 1);
        assert.equal(
            problem,
            `stack keys: PULUMI_CONFIG: got about ${size.bytes} bytes (1000 secrets, about 418000 bytes of them); allowed: at most 131072 bytes, Linux's MAX_ARG_STRLEN for one environment string (beyond it pulumi up cannot start the program: argument list too long); use SSH agent authentication (akko-audit:sshAuth: { agent: true }) or one sshPrivateKeySecret shared by the clusters instead of a key per cluster, and move the clusters to a file in the project, named by akko-audit:clustersFile (e.g. fleet.yaml: not in PULUMI_CONFIG, whatever the fleet's size)`,
        );
    });

    describe("with the fleet in akko-audit:clustersFile (only its name is in PULUMI_CONFIG)", () => {
        const AGENT = { "akko-audit:sshAuth": { agent: true } };
        const FILE_STACK_BYTES = 109;

        it("1,000 single-node clusters with agent auth: over the cap inline, far under it from a file, and the same parsed clusters", () => {
            const clusters = k3sFleet(1000);
            write("inline", { ...AGENT, "akko-audit:clusters": clusters });
            write("file", { ...AGENT, "akko-audit:clustersFile": "fleet.yaml" });
            writeFileSync(path.join(dir, "fleet.yaml"), stringify(clusters));
            // Inline, the same fleet cannot start the program: the test cannot pass for a fleet that fits anyway.
            assert.equal(pulumiConfigSize(dir, "inline").bytes, 179656);
            assert.ok(pulumiConfigSizeProblem(dir, "inline"));
            assert.deepEqual(pulumiConfigSize(dir, "file"), { bytes: FILE_STACK_BYTES, secrets: 0, secretBytes: 0 });
            assert.ok(FILE_STACK_BYTES * 1000 < MAX_ARG_STRLEN);
            assert.equal(pulumiConfigSizeProblem(dir, "file"), undefined);

            const fromFile = validateStackConfig(readStackFile(dir, "file"));
            const inline = validateStackConfig(readStackFile(dir, "inline"));
            assert.equal(fromFile.clusters.length, 1000);
            assert.deepEqual(fromFile.clusters, inline.clusters);
            assert.deepEqual(
                fromFile.clusters[999].kind === "k3s" && fromFile.clusters[999].sshAuth,
                { agent: true },
                "the stack's sshAuth applies to file clusters",
            );
            assert.deepEqual(fromFile.secretKeys, []);
        });

        it("5,000 nodes in the file: PULUMI_CONFIG does not grow with the fleet", () => {
            write("file", { ...AGENT, "akko-audit:clustersFile": "fleet.yaml" });
            writeFileSync(path.join(dir, "fleet.yaml"), stringify(k3sFleet(1000)));
            const thousand = pulumiConfigSize(dir, "file");
            // 1,000 clusters of 5 servers, and 5,000 single-node clusters.
            for (const clusters of [k3sFleet(1000, () => ({}), 5), k3sFleet(5000)]) {
                writeFileSync(path.join(dir, "fleet.yaml"), stringify(clusters));
                assert.deepEqual(pulumiConfigSize(dir, "file"), thousand);
                const nodes = validateStackConfig(readStackFile(dir, "file")).clusters.flatMap((c) => (c.kind === "k3s" ? c.servers : []));
                assert.equal(nodes.length, 5000);
            }
            assert.equal(thousand.bytes, FILE_STACK_BYTES);
        });
    });
});
