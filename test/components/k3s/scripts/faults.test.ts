/**
 * Fault cases of launch.sh/converge.sh over real SSH (issue 12, item 3): full disks, a failing restart, the
 * old API server's shutdown events, a dead worker, concurrent runs, stale locks, modes, hand edits.
 * Real: sshd on loopback, ssh/sftp, the scripts, tmpfs mounts for full disks (we run as root). Stubbed,
 * because they cannot run here: systemctl, k3s and journalctl (helpers/stubs.ts).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderDropIn } from "../../../../components/k3s/render";
import { applyNode, removeNode, SHIPPED_POLICY_TEXT, simCluster } from "../helpers/simulate";
import { SimNode, simNodeSuite } from "../helpers/sshd-node";

const POLICY_PATH = "etc/rancher/k3s/audit-policy.yaml";
const DROPIN_PATH = "etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml";
const STATE = "var/lib/akko-audit";
const JOURNAL_5 = "journalctl -u k3s \\(last 5 lines\\):\\n";

const mode = (node: SimNode, p: string) => (statSync(path.join(node.root, p)).mode & 0o777).toString(8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** A small tmpfs over DIR (inside the node's root): a real full disk. */
const mountTmpfs = (dir: string, size: string) => execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);

describe("k3s node scripts, faults over real SSH (stub systemctl/k3s/journalctl, tmpfs for full disks)", function () {
    this.timeout(60000);
    const mounts: string[] = [];
    const node = simNodeSuite(() => {
        for (const m of mounts.splice(0).reverse()) execFileSync("umount", ["-l", m]);
    });

    it("state disk full (tmpfs): no room for the bundle, then none for the backup: nothing touched; once there is room the node's own policy survives apply and destroy byte for byte", async () => {
        const n = await node("full");
        const own = `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n${"# padding\n".repeat(40000)}`;
        n.write(POLICY_PATH, own);
        const state = path.join(n.root, STATE);
        n.write(`${STATE}/.keep`, "");
        mountTmpfs(state, "32k");
        mounts.push(state);
        const c = simCluster("full", [n]);
        const noBundle = await applyNode(c, 0, n);
        assert.equal(noBundle.apply!.code, 1);
        assert.equal(
            noBundle.apply!.stderr,
            `akko-audit: node full/127.0.0.1: cannot copy the bundle ${n.root}/stage/bundles/${noBundle.bundle.id} into ${state} (missing, or no space left); nothing was changed\n`,
        );
        assert.equal(noBundle.result, undefined);
        assert.equal(n.read(POLICY_PATH), own);
        assert.equal(n.restarts(), 0);

        // Room for the bundle (about 60 KB) and the desired files, not for a backup of the 400 KB policy.
        execFileSync("mount", ["-o", "remount,size=256k", state]);
        const bad = await applyNode(c, 0, n);
        assert.equal(bad.apply!.code, 1);
        assert.match(
            bad.apply!.stderr,
            new RegExp(
                `^akko-audit: node full/127\\.0\\.0\\.1: cannot back up the current files \\(cannot copy ${esc(path.join(n.root, POLICY_PATH))} into ${esc(state)}/backup: cp: error writing '${esc(state)}/backup/policy\\.akko-tmp': No space left on device\\); nothing was changed and k3s was not restarted\\n$`,
            ),
        );
        assert.equal(bad.result!.restarted, false);
        assert.equal(bad.result!.apiServerReady, true);
        assert.equal(n.read(POLICY_PATH), own);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.read(`${STATE}/backup/policy`), undefined);
        assert.equal(n.read(`${STATE}/original/policy`), undefined);
        assert.equal(n.restarts(), 0);

        execFileSync("mount", ["-o", "remount,size=2m", state]);
        const ok = await applyNode(c, 0, n);
        assert.equal(ok.result?.status, "ok", ok.apply?.stderr);
        assert.equal(n.read(`${STATE}/original/policy`), own);
        const removed = await removeNode(c, 0, n);
        assert.equal(removed.run.code, 0, removed.run.stderr);
        assert.equal(n.read(POLICY_PATH), own);
        assert.equal(n.read(DROPIN_PATH), undefined);
    });

    it("destroy never restores an unverified (truncated) original: fails naming the file and the fix, nothing touched", async () => {
        const n = await node("trunc");
        const own = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n";
        n.write(POLICY_PATH, own);
        const c = simCluster("trunc", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        n.write(`${STATE}/original/policy`, own.slice(0, 20));
        const removed = await removeNode(c, 0, n);
        assert.equal(removed.run.code, 1);
        const orig = path.join(n.root, STATE, "original/policy");
        const target = path.join(n.root, POLICY_PATH);
        assert.equal(
            removed.run.stderr,
            `akko-audit: node trunc/127.0.0.1: the saved original ${orig} of ${target} does not match its sha256 (truncated or edited); nothing was changed. Check that file and copy it to ${target} by hand, or delete ${orig} and ${orig}.sha256 to have the current file removed, then run again\n`,
        );
        assert.equal(n.read(POLICY_PATH), SHIPPED_POLICY_TEXT);
        assert.equal(n.read(DROPIN_PATH), renderDropIn(c));
        assert.equal(n.restarts(), 1);
    });

    it("/etc full mid-install (tmpfs, room for the drop-in only): nothing installed, not restarted, and the message says so", async () => {
        const n = await node("etcfull");
        const k3sDir = path.join(n.root, "etc/rancher/k3s");
        mountTmpfs(k3sDir, "64k");
        mounts.push(k3sDir);
        n.write("etc/rancher/k3s/config.yaml.d/.keep", "");
        // 14 of the 16 pages: the drop-in's temporary file (1 page, written first) fits, the policy's (2) does not.
        writeFileSync(path.join(k3sDir, "filler"), Buffer.alloc(14 * 4096));
        const c = simCluster("etcfull", [n]);
        const bad = await applyNode(c, 0, n);
        const policy = path.join(n.root, POLICY_PATH);
        assert.equal(
            bad.result?.message,
            `cannot write ${policy} (cp: error writing '${policy}.akko-tmp': No space left on device); nothing was changed and k3s was not restarted`,
        );
        assert.equal(bad.result!.restarted, false);
        assert.equal(bad.result!.apiServerReady, true);
        assert.equal(n.read(POLICY_PATH), undefined);
        assert.equal(n.read(`${POLICY_PATH}.akko-tmp`), undefined);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.read(`${DROPIN_PATH}.akko-tmp`), undefined);
        assert.equal(n.restarts(), 0);
    });

    it("systemctl restart fails: not reported as restarted; files put back; the message quotes systemctl", async () => {
        const n = await node("masked");
        n.ctl("restart-fail", "Failed to restart k3s.service: Unit k3s.service is masked.\n");
        const bad = await applyNode(simCluster("masked", [n]), 0, n);
        assert.equal(bad.apply!.code, 1);
        assert.equal(bad.result!.restarted, false);
        assert.equal(bad.result!.apiServerReady, true);
        assert.equal(
            bad.result!.message,
            "systemctl restart k3s failed: Failed to restart k3s.service: Unit k3s.service is masked.; the previous files are back and k3s was not restarted (it still runs the previous configuration); the API server is ready",
        );
        assert.equal(n.read(POLICY_PATH), undefined);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.restarts(), 0);
    });

    it("audit events the old API server writes while stopping do not count as the new one's", async () => {
        const n = await node("shutdown");
        const c = simCluster("shutdown", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        n.ctl("shutdown-event", "1");
        n.ctl("no-audit", "1");
        const bad = await applyNode(c, 0, n, { policy: `${SHIPPED_POLICY_TEXT}# v2\n`, overrides: { eventTimeoutSeconds: 1 } });
        assert.equal(bad.result?.status, "failed");
        assert.match(
            bad.result!.message,
            /received no JSON audit event for this run's probe request within 1s; rolled back to the previous files and restarted k3s/,
        );
        assert.match(n.read("var/log/k3s-audit.log")!, /"auditID":"shutdown-/);
        assert.equal(n.read(POLICY_PATH), SHIPPED_POLICY_TEXT);
    });

    it("a worker killed mid-run is reported at once (not after the run timeout); the next run recovers", async () => {
        const n = await node("dead");
        n.ctl("ready-delay", "30");
        const c = simCluster("dead", [n], { readyTimeoutSeconds: 60 });
        const pending = applyNode(c, 0, n);
        let worker = 0;
        for (let i = 0; i < 200 && !worker; i++) {
            await sleep(50);
            const owner = n.read(`${STATE}/lock/owner`)?.trim().split("\n");
            if (owner && owner.length >= 2 && n.restarts() > 0) worker = Number(owner[1].split(" ")[0]);
        }
        assert.ok(worker > 0, "the worker joined the lock and restarted k3s");
        const killedAt = Date.now();
        process.kill(worker, "SIGKILL");
        const run = await pending;
        assert.ok(Date.now() - killedAt < 5000, "reported within seconds");
        assert.equal(run.apply!.code, 1);
        assert.match(
            run.apply!.stderr,
            /^akko-audit: node dead\/127\.0\.0\.1: run \d+-\d+ ended without a result \(killed, out of memory or the node rebooting\); the next pulumi up restores its backup first\. Last lines of .*\/var\/lib\/akko-audit\/worker\.log:\n/,
        );
        n.ctl("ready-delay", "0");
        const next = await applyNode(c, 0, n);
        assert.equal(next.result?.status, "ok", next.apply?.stderr);
        assert.equal(next.result!.restarted, true);
        assert.equal(n.read(DROPIN_PATH), renderDropIn(c));
    });

    it("two applies to one node at once: one lock over the whole run; both succeed, one restart, no raw errors", async () => {
        const n = await node("twice");
        n.ctl("ready-delay", "1");
        const c = simCluster("twice", [n], { readyTimeoutSeconds: 10 });
        const [a, b] = await Promise.all([applyNode(c, 0, n), applyNode(c, 0, n)]);
        assert.equal(a.apply?.stderr, "");
        assert.equal(b.apply?.stderr, "");
        assert.deepEqual([a.result?.status, b.result?.status], ["ok", "ok"]);
        assert.deepEqual([a.result!.restarted, b.result!.restarted].sort(), [false, true]);
        assert.equal(n.restarts(), 1);
        assert.equal(n.read(`${STATE}/lock/owner`), undefined);
    });

    it("a stale lock whose PID is alive again (reused, or another boot) does not block the run", async () => {
        const n = await node("reused");
        const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
        // PID 1 is alive, but it is not the process that took the lock: other start time, then another boot.
        n.write(`${STATE}/lock/owner`, `1 12345 ${bootId}\n`);
        const c = simCluster("reused", [n]);
        const started = Date.now();
        const first = await applyNode(c, 0, n);
        assert.equal(first.result?.status, "ok", first.apply?.stderr);
        n.write(`${STATE}/lock/owner`, "1 25 00000000-0000-0000-0000-000000000000\n");
        const second = await applyNode(c, 0, n);
        assert.equal(second.result?.status, "ok", second.apply?.stderr);
        assert.ok(Date.now() - started < 15000);
    });

    it("an API server not ready before the change: nothing changed, not restarted, not blamed on audit", async () => {
        const n = await node("broken");
        n.ctl("started-at");
        const bad = await applyNode(simCluster("broken", [n], { readyTimeoutSeconds: 1 }), 0, n);
        assert.equal(bad.apply!.code, 1);
        assert.match(
            bad.apply!.stderr,
            new RegExp(
                `^akko-audit: node broken/127\\.0\\.0\\.1: the API server is not ready before any change \\(not caused by akko-audit\\); nothing was changed and k3s was not restarted; stopping the rollout\\. ${JOURNAL_5}`,
            ),
        );
        assert.equal(bad.result!.restarted, false);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.restarts(), 0);
    });

    it("a drop-in that lands between preflight and restart: the running server is proven not to use our flags, and the run rolls back", async () => {
        const n = await node("race");
        n.ctl(
            "on-restart",
            `[ -f "$ROOT/ctl/raced" ] || { printf 'kube-apiserver-arg:\\n  - anonymous-auth=false\\n' >"$ROOT/etc/rancher/k3s/config.yaml.d/99-late.yaml"; touch "$ROOT/ctl/raced"; }\n`,
        );
        const run = await applyNode(simCluster("race", [n]), 0, n);
        assert.equal(run.apply!.code, 1);
        assert.match(
            run.apply!.stderr,
            /^akko-audit: node race\/127\.0\.0\.1: after the restart the running API server does not use the audit flags: \/etc\/rancher\/k3s\/config\.yaml\.d\/99-late\.yaml sets kube-apiserver-arg without a \+, which replaces the whole list, so k3s would run the API server without the audit flags of \/etc\/rancher\/k3s\/config\.yaml\.d\/90-akko-audit\.yaml; change that key to kube-apiserver-arg\+ \(append\) in \/etc\/rancher\/k3s\/config\.yaml\.d\/99-late\.yaml; rolled back to the previous files and restarted k3s; the API server is ready again\. journalctl -u k3s/,
        );
        assert.equal(run.result!.status, "failed");
        // Rolled back: none of our files, k3s restarted once more with the node's own config.
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.read(POLICY_PATH), undefined);
        assert.equal(n.restarts(), 2);
        assert.equal(run.result!.apiServerReady, true);
    });

    it("modes changed by hand are put back to 0600 on the next run, without a restart", async () => {
        const n = await node("modes");
        const c = simCluster("modes", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        execFileSync("chmod", ["0644", path.join(n.root, POLICY_PATH), path.join(n.root, DROPIN_PATH)]);
        const again = await applyNode(c, 0, n);
        assert.equal(again.result?.status, "ok", again.apply?.stderr);
        assert.equal(again.result!.restarted, false);
        assert.equal(
            again.result!.message,
            `already up to date; no restart; mode 0600 put back on ${path.join(n.root, DROPIN_PATH)} ${path.join(n.root, POLICY_PATH)}`,
        );
        assert.equal(mode(n, POLICY_PATH), "600");
        assert.equal(mode(n, DROPIN_PATH), "600");
        assert.equal(n.restarts(), 1);
    });

    it("destroy keeps a hand-edited drop-in aside and names it", async () => {
        const n = await node("edited");
        const c = simCluster("edited", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        const edited = `${renderDropIn(c)}  - audit-log-compress=true\n`;
        n.write(DROPIN_PATH, edited);
        const removed = await removeNode(c, 0, n);
        assert.equal(removed.run.code, 0, removed.run.stderr);
        const kept = removed.result!.message.match(/kept as (\S+) \(k3s does not read it there\)$/)?.[1];
        assert.ok(kept, removed.result!.message);
        assert.match(kept!, new RegExp(`^${esc(path.join(n.root, "etc/rancher/k3s/90-akko-audit.yaml"))}\\.edited-\\d{8}T\\d{6}Z$`));
        assert.equal(readFileSync(kept!, "utf8"), edited);
        assert.equal(n.read(DROPIN_PATH), undefined);
    });

    it("a k3s version with a quote and a backslash still gives valid JSON", async () => {
        const n = await node("quote");
        n.ctl("version", 'v1.30.4+k3s1"x\\');
        const run = await applyNode(simCluster("quote", [n]), 0, n);
        assert.equal(JSON.parse(run.apply!.stdout).k3sVersion, 'v1.30.4+k3s1"x\\');
        assert.equal(run.result?.status, "ok", run.apply?.stderr);
        assert.equal(run.result!.k3sVersion, 'v1.30.4+k3s1"x\\');
    });
});
