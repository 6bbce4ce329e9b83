import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { K3sClusterSchema } from "../../../components/config/k3s";
import { BOOT_SCRIPT, buildNodeCommands, parseNodeResult, pinnedHostKey } from "../../../components/k3s/commands";
import { shellQuote } from "../../../components/k3s/shell";

const cluster = K3sClusterSchema.parse({
    name: "edge",
    kind: "k3s",
    sshPrivateKeySecret: "k",
    servers: [
        { host: "10.0.0.1", user: "root", hostKey: "ssh-ed25519 AAAA" },
        { host: "10.0.0.2", user: "akko", hostKey: "ssh-ed25519 AAAA" },
    ],
    serviceName: "k3s-server",
    readyTimeoutSeconds: 300,
    auditLogPath: "/var/log/kubernetes/audit.log",
});
const ID = "ab".repeat(32);
const PH = "cd".repeat(32);

describe("buildNodeCommands", () => {
    const c = buildNodeCommands({ cluster, server: cluster.servers[0], bundleId: ID, policyHash: PH });

    it("apply: the login shell runs the bundle's run.sh with the bundle, the node and the action; nothing else travels in it", () => {
        assert.equal(
            c.apply,
            `env 'AKKO_ACTION=apply' 'AKKO_BUNDLE=.akko-audit-stage/bundles/${ID}' 'AKKO_NODE=edge/10.0.0.1' 'AKKO_POLICY_HASH=${PH}' 'AKKO_SUDO=' /bin/sh -c ${shellQuote(BOOT_SCRIPT)} akko-audit`,
        );
        for (const hook of ["AKKO_ROOT", "AKKO_PATH_PREFIX"]) assert.ok(!c.apply.includes(`'${hook}=`), `${hook} is a test hook`);
    });

    it("remove: the same with remove; a non-root login user gets sudo -n for the launcher", () => {
        assert.equal(c.remove, c.apply.replace("'AKKO_ACTION=apply'", "'AKKO_ACTION=remove'"));
        const other = buildNodeCommands({ cluster, server: cluster.servers[1], bundleId: ID, policyHash: PH });
        assert.equal(
            other.apply,
            `env 'AKKO_ACTION=apply' 'AKKO_BUNDLE=.akko-audit-stage/bundles/${ID}' 'AKKO_NODE=edge/10.0.0.2' 'AKKO_POLICY_HASH=${PH}' 'AKKO_SUDO=sudo -n' /bin/sh -c ${shellQuote(BOOT_SCRIPT)} akko-audit`,
        );
        assert.equal(c.bundlesDir, ".akko-audit-stage/bundles");
        assert.equal(c.bundleDir, `.akko-audit-stage/bundles/${ID}`);
    });

    it("a bundle missing from the node (re-imaged): exit 3, one line naming the node, the bundle and how to upload it again", () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), "akko-boot-"));
        try {
            const r = spawnSync("/bin/sh", ["-c", c.apply], { cwd: dir, encoding: "utf8" });
            assert.equal(r.status, 3);
            assert.equal(
                r.stderr,
                `akko-audit: node edge/10.0.0.1: bundle .akko-audit-stage/bundles/${ID} is not on the node (re-imaged, or removed by hand); nothing was changed; upload it again: pulumi up --replace <URN of its -bundle resource>\n`,
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is short: under 640 bytes a command, so the apply's inputs in state stay small", () => {
        assert.ok(Buffer.byteLength(c.apply) < 640, `${Buffer.byteLength(c.apply)} bytes`);
    });
});

describe("parseNodeResult / pinnedHostKey", () => {
    it("takes the last JSON line of stdout", () => {
        assert.deepEqual(parseNodeResult('noise\n{"status":"ok","restarted":false}\n'), { status: "ok", restarted: false });
        assert.throws(() => parseNodeResult("sudo: a password is required\n"), {
            message: 'akko-audit: no result line in the node\'s output ("sudo: a password is required\\n")',
        });
    });
    it("drops a known_hosts host field", () => {
        assert.equal(pinnedHostKey("10.0.0.1 ssh-ed25519 AAAAkey"), "ssh-ed25519 AAAAkey");
        assert.equal(pinnedHostKey("ssh-ed25519 AAAAkey"), "ssh-ed25519 AAAAkey");
    });
});
