import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { K3sClusterSchema } from "../../../components/config/k3s";
import { BUNDLE_SUMS, bundleCacheDir, bundleSettings, buildBundle, writeBundle } from "../../../components/k3s/bundle";
import { BUNDLED_SCRIPTS } from "../../../components/k3s/scripts";
import { renderDropIn } from "../../../components/k3s/render";

const sha256 = (t: string) => createHash("sha256").update(t).digest("hex");
const cluster = K3sClusterSchema.parse({
    name: "edge",
    kind: "k3s",
    sshAuth: { agent: true },
    servers: [{ host: "10.0.0.1", hostKey: "ssh-ed25519 AAAA" }],
    serviceName: "k3s-server",
    auditLogPath: "/var/log/kubernetes/audit.log",
});
const input = {
    cluster,
    policy: "apiVersion: audit.k8s.io/v1\nkind: Policy\n",
    manifests: [{ fileName: "akko-alloy.yaml", content: "kind: HelmChart\n" }],
    stdinManifestNames: ["akko-alloy-env.yaml"],
};

describe("k3s bundle", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "akko-bundle-test-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("holds the scripts, the policy, the drop-in, the plain manifests and the settings; its id is sha256(SHA256SUMS)", () => {
        const b = buildBundle(input);
        assert.deepEqual([...b.files.keys()].sort(), [
            "90-akko-audit.yaml",
            "SHA256SUMS",
            "audit-policy.yaml",
            "converge.sh",
            "effective-args.sh",
            "launch.sh",
            "manifest-akko-alloy.yaml",
            "preflight.sh",
            "run.sh",
            "settings.env",
        ]);
        assert.equal(b.files.get("audit-policy.yaml"), input.policy);
        assert.equal(b.files.get("90-akko-audit.yaml"), renderDropIn(cluster));
        assert.equal(b.files.get("run.sh"), BUNDLED_SCRIPTS.get("run.sh"));
        assert.equal(b.id, sha256(b.files.get(BUNDLE_SUMS)!));
        assert.equal(b.files.get(BUNDLE_SUMS)!.split("\n")[0], `${sha256(renderDropIn(cluster))}  90-akko-audit.yaml`);
        assert.equal(buildBundle(input).id, b.id, "same input, same id");
        assert.notEqual(buildBundle({ ...input, policy: "other" }).id, b.id);
        assert.notEqual(buildBundle({ ...input, stdinManifestNames: [] }).id, b.id, "the secret manifests' names are settings");
    });

    it("settings.env: every value quoted for sh, sourced back to the same values (multi-line flags, quotes)", () => {
        const tricky = { ...cluster, serviceName: "k3s-it's" };
        const text = bundleSettings({ ...input, cluster: tricky });
        const file = path.join(dir, "settings.env");
        writeFileSync(file, text);
        const r = spawnSync(
            "/bin/sh",
            ["-c", `. '${file}' && printf '%s|%s|%s|%s' "$AKKO_SERVICE" "$AKKO_EXPECT_ARGS" "$AKKO_MANIFESTS" "$AKKO_STDIN_MANIFESTS"`],
            {
                encoding: "utf8",
            },
        );
        assert.equal(r.stderr, "");
        assert.equal(
            r.stdout,
            "k3s-it's|audit-policy-file=/etc/rancher/k3s/audit-policy.yaml\naudit-log-path=/var/log/kubernetes/audit.log\naudit-log-maxage=30\naudit-log-maxbackup=10\naudit-log-maxsize=100\naudit-log-format=json|akko-alloy.yaml|akko-alloy-env.yaml",
        );
    });

    it("writeBundle: <cache>/<id>, checked by the real sha256sum -c, written once (an intact copy is kept, an altered one rewritten)", () => {
        const b = buildBundle(input);
        const at = writeBundle(b, dir);
        assert.equal(at, path.join(dir, b.id));
        const check = spawnSync("sha256sum", ["-c", "--quiet", BUNDLE_SUMS], { cwd: at, encoding: "utf8" });
        assert.equal(check.status, 0, check.stdout + check.stderr);
        assert.equal(sha256(readFileSync(path.join(at, BUNDLE_SUMS), "utf8")), b.id);
        assert.deepEqual(readdirSync(dir), [b.id], "no temporary directory left");
        writeFileSync(path.join(at, "run.sh"), "tampered");
        assert.equal(writeBundle(b, dir), at);
        assert.equal(readFileSync(path.join(at, "run.sh"), "utf8"), BUNDLED_SCRIPTS.get("run.sh"));
    });

    it("cache directory: $XDG_CACHE_HOME/akko-audit/bundles when absolute, else ~/.cache", () => {
        assert.equal(bundleCacheDir({ XDG_CACHE_HOME: "/var/cache/me" }), "/var/cache/me/akko-audit/bundles");
        assert.equal(bundleCacheDir({ XDG_CACHE_HOME: "relative" }), path.join(os.homedir(), ".cache/akko-audit/bundles"));
        assert.equal(bundleCacheDir({}), path.join(os.homedir(), ".cache/akko-audit/bundles"));
    });
});
