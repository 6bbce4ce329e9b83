/**
 * The non-root path, run locally through /bin/sh (no sshd user exists for it here): the exact command lines
 * the component builds for a login user "akko", with stub `id` and `sudo` first on PATH besides the k3s stubs.
 * The stub sudo either refuses (no passwordless sudo) or runs its command as "root" (the stub id then says 0).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { K3sClusterSchema } from "../../../../components/config/k3s";
import { buildBundle, writeBundle } from "../../../../components/k3s/bundle";
import { buildNodeCommands } from "../../../../components/k3s/commands";
import { policyHash, renderDropIn } from "../../../../components/k3s/render";
import { stubScripts } from "../helpers/stubs";

describe("k3s scripts as a non-root login user (sudo -n)", () => {
    let root: string;
    let bin: string;
    const cluster = K3sClusterSchema.parse({
        name: "edge",
        kind: "k3s",
        sshPrivateKeySecret: "k",
        servers: [{ host: "10.0.0.7", user: "akko", hostKey: "ssh-ed25519 AAAA" }],
    });
    const bundle = buildBundle({ cluster, policy: "p", manifests: [], stdinManifestNames: [], settings: { detach: "setsid", pollInterval: "0.1" } });
    /** The apply command, with the bundle where the upload would have put it (owned by the login user). */
    const commands = (stageDir: string) => {
        const c = buildNodeCommands({
            cluster,
            server: cluster.servers[0],
            bundleId: bundle.id,
            policyHash: policyHash("p", renderDropIn(cluster)),
            overrides: { root, pathPrefix: bin, stageDir },
        });
        writeBundle(bundle, c.bundlesDir);
        return c;
    };
    /** The login shell: PATH as sshd would give it, plus the stub dir so that `sudo` resolves to the stub. */
    const login = (line: string) => {
        const r = spawnSync("/bin/sh", ["-c", line], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, HOME: root } });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };

    before(function () {
        if (process.getuid?.() !== 0) {
            console.log("      skipped: needs root (chown of the stage directory to the simulated user)");
            this.skip();
        }
    });
    beforeEach(() => {
        root = mkdtempSync(path.join(os.tmpdir(), "akko-sudo-"));
        bin = path.join(root, "stub/bin");
        for (const d of ["ctl", "stub/bin", "etc/rancher/k3s"]) mkdirSync(path.join(root, d), { recursive: true });
        writeFileSync(path.join(root, "ctl/version"), "v1.29.6+k3s2");
        writeFileSync(path.join(root, "ctl/execstart"), "/usr/local/bin/k3s server --cluster-init");
        const stubs: Record<string, string> = {
            ...stubScripts(root),
            id: `#!/bin/sh\nif [ -n "\${AKKO_FAKE_ROOT:-}" ]; then u=0; n=root; else u=1000; n=akko; fi\ncase "$1" in -u) echo $u ;; -un) echo $n ;; *) echo "uid=$u($n)" ;; esac\n`,
            sudo: `#!/bin/sh\n[ "$1" = -n ] || { echo "stub sudo: expected -n" >&2; exit 2; }\nshift\nif [ -f '${root}/ctl/sudo-denied' ]; then echo "sudo: a password is required" >&2; exit 1; fi\nAKKO_FAKE_ROOT=1 exec "$@"\n`,
        };
        for (const [name, text] of Object.entries(stubs)) {
            writeFileSync(path.join(bin, name), text);
            chmodSync(path.join(bin, name), 0o755);
        }
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("preflight refuses a user without passwordless sudo, naming the user and the fix", () => {
        writeFileSync(path.join(root, "ctl/sudo-denied"), "");
        const r = login(commands(path.join(root, "stage")).apply);
        assert.equal(r.code, 3);
        assert.equal(
            r.stderr,
            "akko-audit: node edge/10.0.0.7: user akko has neither root nor passwordless sudo ('sudo -n true' failed); allow it in sudoers (NOPASSWD) or log in as root\n",
        );
    });

    it("preflight refuses a stage directory it does not own, or a symlink (someone else could swap the files)", () => {
        const stage = path.join(root, "stage");
        mkdirSync(stage);
        const r = login(commands(stage).apply);
        assert.equal(r.code, 3);
        assert.equal(r.stderr, `akko-audit: node edge/10.0.0.7: stage directory ${stage} belongs to uid 0, not akko; remove it\n`);
        const link = path.join(root, "link");
        symlinkSync(stage, link);
        chownSync(stage, 1000, 1000);
        assert.equal(login(commands(link).apply).stderr, `akko-audit: node edge/10.0.0.7: stage directory ${link} is a symbolic link; remove it\n`);
    });

    it("apply goes through sudo -n: preflight as the user, then the launcher as root, and the run completes", () => {
        const stage = path.join(root, "stage");
        mkdirSync(stage);
        chownSync(stage, 1000, 1000);
        writeFileSync(path.join(root, "ctl/started-at"), "1");
        const c = commands(stage);
        assert.ok(c.apply.includes(" 'AKKO_SUDO=sudo -n' "));
        const r = login(c.apply);
        assert.equal(r.code, 0, r.stderr);
        const result = JSON.parse(r.stdout);
        assert.equal(result.status, "ok");
        assert.equal(result.restarted, true);
        assert.equal(result.node, "edge/10.0.0.7");
    });
});
