/**
 * Real SSH integration tests of the node scripts: one real sshd per simulated node on 127.0.0.1, the exact
 * command strings K3sServerAuditLogging builds, run with a real ssh client (host key pinned), uploads over
 * real SFTP. Stubbed, because they cannot run here: systemctl, k3s and journalctl (helpers/stubs.ts).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { renderDropIn } from "../../../../components/k3s/render";
import { effectiveK3sConfig } from "../helpers/effective-config";
import { applyNode, removeNode, SHIPPED_POLICY_TEXT, simCluster } from "../helpers/simulate";
import { SimNode, simNodeSuite } from "../helpers/sshd-node";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const AUDIT_ARGS = [
    "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
    "audit-log-path=/var/log/k3s-audit.log",
    "audit-log-maxage=30",
    "audit-log-maxbackup=10",
    "audit-log-maxsize=100",
    "audit-log-format=json",
];
const POLICY_PATH = "etc/rancher/k3s/audit-policy.yaml";
const DROPIN_PATH = "etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml";
const STATE = "var/lib/akko-audit";

const mode = (node: SimNode, p: string) => (statSync(path.join(node.root, p)).mode & 0o777).toString(8);
const apiArgs = (node: SimNode) => effectiveK3sConfig(path.join(node.root, "etc/rancher/k3s"))["kube-apiserver-arg"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What the stub API server answers right now, asked over SSH like an operator would. */
async function readyz(node: SimNode): Promise<string> {
    const r = await node.ssh(`${node.stubDir}/k3s kubectl get --raw /readyz`);
    return r.stdout.trim();
}

describe("k3s node scripts over real SSH (stub systemctl/k3s/journalctl)", function () {
    this.timeout(60000);
    const node = simNodeSuite();

    it("first apply installs policy (0600), drop-in, log dir, restarts once, sees an audit event", async () => {
        const n = await node("first");
        n.write("etc/rancher/k3s/config.yaml", 'write-kubeconfig-mode: "0600"\n');
        const c = simCluster("first", [n]);
        const run = await applyNode(c, 0, n);
        assert.equal(run.upload.code, 0, run.upload.stderr);
        assert.equal(run.apply!.code, 0, run.apply!.stderr);
        assert.equal(run.result!.status, "ok");
        assert.equal(run.result!.restarted, true);
        assert.equal(run.result!.apiServerReady, true);
        assert.equal(run.result!.k3sVersion, "v1.30.4+k3s1");
        assert.equal(run.result!.node, "first/127.0.0.1");
        assert.equal(n.read(POLICY_PATH), SHIPPED_POLICY_TEXT);
        assert.equal(mode(n, POLICY_PATH), "600");
        assert.equal(n.read(DROPIN_PATH), renderDropIn(c));
        assert.equal(mode(n, STATE), "700");
        assert.equal(mode(n, "stage"), "700");
        assert.deepEqual(apiArgs(n), AUDIT_ARGS);
        assert.equal(n.restarts(), 1);
        const events = n
            .read("var/log/k3s-audit.log")!
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l));
        assert.ok(events.length >= 1);
        assert.equal(events[0].apiVersion, "audit.k8s.io/v1");
        assert.equal(events[0].kind, "Event");
        assert.equal(n.read("etc/rancher/k3s/config.yaml"), 'write-kubeconfig-mode: "0600"\n');
    });

    it("creates a missing audit log directory with mode 0700", async () => {
        const n = await node("logdir");
        const c = simCluster("logdir", [n], { auditLogPath: "/var/log/kubernetes/audit/audit.log" });
        const run = await applyNode(c, 0, n);
        assert.equal(run.result?.status, "ok", run.apply?.stderr);
        assert.equal(mode(n, "var/log/kubernetes/audit"), "700");
        assert.equal(mode(n, "var/log"), "755");
        assert.ok(n.read("var/log/kubernetes/audit/audit.log")!.includes('"kind":"Event"'));
    });

    it("second apply with the same config changes nothing and does not restart", async () => {
        const n = await node("idem");
        const c = simCluster("idem", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.restarted, true);
        const before = { policy: statSync(path.join(n.root, POLICY_PATH)).mtimeMs, dropin: statSync(path.join(n.root, DROPIN_PATH)).mtimeMs };
        const second = await applyNode(c, 0, n);
        assert.equal(second.result?.status, "ok", second.apply?.stderr);
        assert.equal(second.result!.restarted, false);
        assert.equal(second.result!.apiServerReady, true);
        assert.equal(second.result!.message, "already up to date; no restart");
        assert.equal(n.restarts(), 1);
        assert.equal(statSync(path.join(n.root, POLICY_PATH)).mtimeMs, before.policy);
        assert.equal(statSync(path.join(n.root, DROPIN_PATH)).mtimeMs, before.dropin);
        assert.deepEqual(apiArgs(n), AUDIT_ARGS);
    });

    it("a changed policy restarts exactly once", async () => {
        const n = await node("changed");
        const c = simCluster("changed", [n]);
        const first = await applyNode(c, 0, n);
        const changed = `${SHIPPED_POLICY_TEXT}# tightened\n`;
        const second = await applyNode(c, 0, n, { policy: changed });
        assert.equal(second.result?.status, "ok", second.apply?.stderr);
        assert.equal(second.result!.restarted, true);
        assert.notEqual(second.result!.policyHash, first.result!.policyHash);
        assert.equal(n.read(POLICY_PATH), changed);
        assert.equal(n.restarts(), 2);
        assert.equal((await applyNode(c, 0, n, { policy: changed })).result?.restarted, false);
        assert.equal(n.restarts(), 2);
    });

    it("keeps the node's own kube-apiserver-arg entries (config.yaml and an earlier drop-in)", async () => {
        const n = await node("userargs");
        const userConfig =
            "kube-apiserver-arg:\n  - enable-admission-plugins=NodeRestriction\n  - anonymous-auth=false\ntls-san: [k3s.example.net]\n";
        const userDropIn = "kube-apiserver-arg+:\n  - request-timeout=2m\n";
        n.write("etc/rancher/k3s/config.yaml", userConfig);
        n.write("etc/rancher/k3s/config.yaml.d/50-user.yaml", userDropIn);
        const c = simCluster("userargs", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        assert.deepEqual(apiArgs(n), ["enable-admission-plugins=NodeRestriction", "anonymous-auth=false", "request-timeout=2m", ...AUDIT_ARGS]);
        assert.deepEqual(effectiveK3sConfig(path.join(n.root, "etc/rancher/k3s"))["tls-san"], ["k3s.example.net"]);
        assert.equal(n.read("etc/rancher/k3s/config.yaml"), userConfig);
        assert.equal(n.read("etc/rancher/k3s/config.yaml.d/50-user.yaml"), userDropIn);
    });

    it("API server fails after the change: rolls back byte for byte, service running, error names the node and quotes the journal", async () => {
        const n = await node("rollback");
        const c = simCluster("rollback", [n], { readyTimeoutSeconds: 2 });
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        const goodPolicy = n.read(POLICY_PATH);
        const goodDropIn = n.read(DROPIN_PATH);
        n.ctl("fail-pattern", "broken-rule");
        const bad = await applyNode(c, 0, n, { policy: `${SHIPPED_POLICY_TEXT}# broken-rule\n` });
        assert.equal(bad.apply!.code, 1);
        assert.equal(bad.result!.status, "failed");
        assert.equal(bad.result!.apiServerReady, true);
        assert.match(
            bad.apply!.stderr,
            /^akko-audit: node rollback\/127\.0\.0\.1: the API server was not ready within 2s after restarting k3s with the audit configuration; rolled back to the previous files and restarted k3s; the API server is ready again\. journalctl -u k3s \(last 5 lines\):\n/,
        );
        assert.match(bad.apply!.stderr, /failed to load audit policy: strict decoding error/);
        // At most the 5 journal lines, and never the command text.
        assert.equal(bad.apply!.stderr.trim().split("\n").length, 6);
        assert.ok(!bad.apply!.stderr.includes("AKKO_"));
        assert.equal(bad.result!.node, "rollback/127.0.0.1");
        assert.equal(n.read(POLICY_PATH), goodPolicy);
        assert.equal(n.read(DROPIN_PATH), goodDropIn);
        assert.equal(await readyz(n), "ok");
        assert.equal(n.restarts(), 3);
    });

    it("first apply that fails removes what it wrote (there was nothing before)", async () => {
        const n = await node("rollback0");
        n.ctl("fail-pattern", "audit-policy-file");
        const c = simCluster("rollback0", [n], { readyTimeoutSeconds: 2 });
        const bad = await applyNode(c, 0, n);
        assert.equal(bad.result?.status, "failed");
        assert.equal(n.read(POLICY_PATH), undefined);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(await readyz(n), "ok");
        assert.deepEqual(apiArgs(n), undefined);
    });

    it("an API server that hangs is rolled back too (bounded by the timeouts)", async () => {
        const n = await node("hang");
        n.ctl("fail-pattern", "audit-policy-file");
        n.ctl("fail-mode", "hang");
        const c = simCluster("hang", [n], { readyTimeoutSeconds: 2 });
        const started = Date.now();
        const bad = await applyNode(c, 0, n, { overrides: { requestTimeoutSeconds: 1 } });
        assert.equal(bad.result?.status, "failed");
        assert.match(bad.result!.message, /^the API server was not ready within 2s after restarting k3s/);
        assert.ok(Date.now() - started < 20000);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(await readyz(n), "ok");
    });

    it("ready but no audit event: rolls back and says so", async () => {
        const n = await node("noevent");
        n.ctl("no-audit", "1");
        const c = simCluster("noevent", [n]);
        const bad = await applyNode(c, 0, n, { overrides: { eventTimeoutSeconds: 1 } });
        assert.equal(bad.result?.status, "failed");
        assert.match(
            bad.result!.message,
            /^the API server is ready but \/.*\/var\/log\/k3s-audit\.log received no JSON audit event for this run's probe request within 1s; rolled back to the previous files and restarted k3s; the API server is ready again\. /,
        );
        assert.equal(n.read(DROPIN_PATH), undefined);
    });

    it("SSH connection killed mid-restart: the detached run finishes, the node is healthy, the next run converges", async () => {
        const n = await node("killed");
        n.ctl("ready-delay", "2");
        const c = simCluster("killed", [n], { readyTimeoutSeconds: 10 });
        let killedAt = 0;
        const run = await applyNode(c, 0, n, {
            onApplySpawn: (p) => {
                const timer = setInterval(() => {
                    if (n.restarts() > 0) {
                        clearInterval(timer);
                        killedAt = Date.now();
                        p.kill("SIGKILL");
                    }
                }, 20);
                p.once("close", () => clearInterval(timer));
            },
        });
        assert.ok(killedAt > 0, "the ssh client was killed after the restart began");
        assert.equal(run.result, undefined);
        // The run goes on without the connection.
        let result: { status?: string } = {};
        for (let i = 0; i < 100 && result.status === undefined; i++) {
            await sleep(100);
            const text = n.read(`${STATE}/result.json`);
            if (text) result = JSON.parse(text);
        }
        assert.equal(result.status, "ok");
        assert.equal(await readyz(n), "ok");
        assert.deepEqual(apiArgs(n), AUDIT_ARGS);
        const next = await applyNode(c, 0, n);
        assert.equal(next.result?.status, "ok");
        assert.equal(next.result!.restarted, false);
        assert.equal(n.restarts(), 1);
    });

    it("a run that died half-way (node rebooted) is restored from its backup and converged by the next run", async () => {
        const n = await node("reboot");
        const c = simCluster("reboot", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        const v1 = n.read(POLICY_PATH)!;
        // What a run killed between writing the files and restarting leaves: new files, phase, backup, a dead lock.
        const v2 = `${SHIPPED_POLICY_TEXT}# v2\n`;
        n.write(`${STATE}/backup/policy`, v1);
        n.write(`${STATE}/backup/dropin`, n.read(DROPIN_PATH)!);
        n.write(POLICY_PATH, v2);
        n.write(`${STATE}/phase`, "files-written\n");
        n.write(`${STATE}/lock/pid`, "999999\n");
        const next = await applyNode(c, 0, n, { policy: v2 });
        assert.equal(next.result?.status, "ok", next.apply?.stderr);
        assert.equal(next.result!.restarted, true, "the API server must run what is on disk");
        assert.equal(n.read(POLICY_PATH), v2);
        assert.equal(n.read(`${STATE}/phase`), undefined);
        assert.equal(n.restarts(), 2);
    });

    it("refuses kube-apiserver-arg on the k3s command line before touching anything", async () => {
        const n = await node("cli");
        n.ctl("execstart", "/usr/local/bin/k3s server --kube-apiserver-arg=audit-log-path=/tmp/x");
        const run = await applyNode(simCluster("cli", [n]), 0, n);
        assert.equal(run.apply!.code, 3);
        assert.equal(
            run.apply!.stderr,
            "akko-audit: node cli/127.0.0.1: kube-apiserver-arg is set on the k3s command line of unit k3s (/usr/local/bin/k3s server --kube-apiserver-arg=audit-log-path=/tmp/x ); command-line lists override config-file lists, so the audit drop-in would be silently ignored. Fix: move those flags into /etc/rancher/k3s/config.yaml under kube-apiserver-arg, re-run the k3s install script without them in INSTALL_K3S_EXEC (or edit ExecStart), then systemctl daemon-reload\n",
        );
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.read(`${STATE}/result.json`), undefined);
        assert.equal(n.restarts(), 0);
    });

    it("refuses an agent node and k3s older than v1.21", async () => {
        const agent = await node("agent");
        agent.ctl("execstart", "/usr/local/bin/k3s agent --server https://10.0.0.1:6443");
        const a = await applyNode(simCluster("agent", [agent]), 0, agent);
        assert.equal(a.apply!.code, 3);
        assert.equal(
            a.apply!.stderr,
            "akko-audit: node agent/127.0.0.1: unit k3s runs 'k3s agent': agents run no API server and are never touched; remove this node from servers\n",
        );
        const old = await node("old");
        old.ctl("version", "v1.20.15+k3s1");
        const o = await applyNode(simCluster("old", [old]), 0, old);
        assert.equal(
            o.apply!.stderr,
            "akko-audit: node old/127.0.0.1: k3s v1.20.15+k3s1 is older than v1.21, which has no config.yaml.d drop-ins; upgrade k3s first\n",
        );
        assert.equal(agent.restarts() + old.restarts(), 0);
    });

    it("delete restores the node as it was: the user's own policy file back byte for byte, drop-in, manifests, state and stage gone", async () => {
        const n = await node("delete");
        const ownPolicy = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n";
        n.write(POLICY_PATH, ownPolicy);
        n.write("etc/rancher/k3s/config.yaml", "kube-apiserver-arg: [anonymous-auth=false]\n");
        const c = simCluster("delete", [n]);
        const manifests = [{ fileName: "akko-alloy.yaml", content: "apiVersion: helm.cattle.io/v1\nkind: HelmChart\n" }];
        const applied = await applyNode(c, 0, n, { manifests });
        assert.equal(applied.result?.status, "ok", applied.apply?.stderr);
        assert.equal(n.read("var/lib/rancher/k3s/server/manifests/akko-alloy.yaml"), manifests[0].content);
        assert.equal(mode(n, "var/lib/rancher/k3s/server/manifests/akko-alloy.yaml"), "600");
        // The engine runs the delete command of the last apply: it names that apply's bundle.
        const removed = await removeNode(c, 0, n, { manifests });
        assert.equal(removed.run.code, 0, removed.run.stderr);
        assert.equal(removed.result!.restarted, true);
        assert.equal(existsSync(path.join(n.root, "stage")), false, "the stage directory and its bundles are gone");
        assert.equal(n.read(POLICY_PATH), ownPolicy);
        assert.equal(n.read(DROPIN_PATH), undefined);
        assert.equal(n.read("var/lib/rancher/k3s/server/manifests/akko-alloy.yaml"), undefined);
        assert.equal(n.read(`${STATE}/result.json`), undefined);
        assert.equal(n.read("stage/audit-policy.yaml"), undefined);
        assert.deepEqual(apiArgs(n), ["anonymous-auth=false"]);
        assert.equal(await readyz(n), "ok");
        assert.equal(n.restarts(), 2);
    });

    it("secret manifests come over stdin (never in the bundle), are installed 0600, and a change to one alone is installed", async () => {
        const n = await node("secret");
        const c = simCluster("secret", [n]);
        const manifests = [{ fileName: "akko-alloy.yaml", content: "kind: HelmChart\n" }];
        const secretManifests = [{ fileName: "akko-alloy-env.yaml", content: "kind: Secret\ndata:\n  P: aHVudGVyMg==\n" }];
        const run = await applyNode(c, 0, n, { manifests, secretManifests });
        assert.equal(run.result?.status, "ok", run.apply?.stderr);
        assert.deepEqual(
            [...run.bundle.files.keys()].filter((f) => f.startsWith("manifest-")),
            ["manifest-akko-alloy.yaml"],
        );
        assert.ok(![...run.bundle.files.values()].some((t) => t.includes("aHVudGVyMg==")), "the secret is in no bundle file");
        assert.equal(n.read("var/lib/rancher/k3s/server/manifests/akko-alloy-env.yaml"), secretManifests[0].content);
        assert.equal(mode(n, "var/lib/rancher/k3s/server/manifests/akko-alloy-env.yaml"), "600");
        const rotated = [{ ...secretManifests[0], content: "kind: Secret\ndata:\n  P: bmV3\n" }];
        const again = await applyNode(c, 0, n, { manifests, secretManifests: rotated });
        assert.equal(again.bundle.id, run.bundle.id, "same bundle: the secret is not in it");
        assert.equal(again.result?.status, "ok", again.apply?.stderr);
        assert.equal(again.result?.restarted, false);
        assert.equal(n.read("var/lib/rancher/k3s/server/manifests/akko-alloy-env.yaml"), rotated[0].content);
        // A secret manifest missing from stdin: refused before anything changes.
        const missing = await n.ssh(run.commands.apply);
        assert.equal(missing.code, 1);
        assert.equal(
            missing.stderr,
            "akko-audit: node secret/127.0.0.1: secret manifest akko-alloy-env.yaml did not arrive on stdin; nothing was changed\n",
        );
        assert.equal(n.read("var/lib/rancher/k3s/server/manifests/akko-alloy-env.yaml"), rotated[0].content);
        assert.equal(n.restarts(), 1);
    });

    it("uploads only a new bundle, and a successful apply leaves only the bundle in use on the node", async () => {
        const n = await node("prune");
        const c = simCluster("prune", [n]);
        const first = await applyNode(c, 0, n);
        assert.equal(first.result?.status, "ok", first.apply?.stderr);
        const second = await applyNode(c, 0, n, { manifests: [{ fileName: "a.yaml", content: "v: 1\n" }] });
        assert.equal(second.result?.status, "ok", second.apply?.stderr);
        assert.notEqual(second.bundle.id, first.bundle.id);
        assert.deepEqual(readdirSync(path.join(n.root, "stage/bundles")), [second.bundle.id]);
        assert.equal(n.restarts(), 1, "a manifest alone restarts nothing");
    });

    it("a changed manifest is installed without a restart", async () => {
        const n = await node("manifest");
        const c = simCluster("manifest", [n]);
        await applyNode(c, 0, n, { manifests: [{ fileName: "a.yaml", content: "v: 1\n" }] });
        const second = await applyNode(c, 0, n, { manifests: [{ fileName: "a.yaml", content: "v: 2\n" }] });
        assert.equal(second.result?.status, "ok", second.apply?.stderr);
        assert.equal(second.result!.restarted, false);
        assert.equal(n.read("var/lib/rancher/k3s/server/manifests/a.yaml"), "v: 2\n");
        assert.equal(n.restarts(), 1);
    });

    it("refuses a bundle that does not hash to its id (nothing installed), and says how to upload it again", async () => {
        const n = await node("tamper");
        const c = simCluster("tamper", [n]);
        const run = await applyNode(c, 0, n);
        assert.equal(run.result?.status, "ok");
        const bundle = `${n.root}/stage/bundles/${run.bundle.id}`;
        n.write(`stage/bundles/${run.bundle.id}/audit-policy.yaml`, "tampered\n");
        const again = await n.ssh(run.commands.apply);
        assert.equal(again.code, 3);
        assert.equal(
            again.stderr,
            `akko-audit: node tamper/127.0.0.1: bundle ${bundle} is incomplete or altered (sha256sum -c SHA256SUMS fails); nothing was changed; upload it again: pulumi up --replace <URN of this node's -bundle resource> (pulumi stack --show-urns lists it)\n`,
        );
        // Altered consistently (SHA256SUMS rewritten too): the id no longer matches.
        n.write(
            `stage/bundles/${run.bundle.id}/SHA256SUMS`,
            run.bundle.files.get("SHA256SUMS")!.replace(/^[0-9a-f]{64}(?=  audit-policy\.yaml)/m, sha256("tampered\n")),
        );
        const forged = await n.ssh(run.commands.apply);
        assert.equal(forged.code, 3);
        assert.equal(
            forged.stderr,
            `akko-audit: node tamper/127.0.0.1: bundle ${bundle} does not hash to its name; nothing was changed; upload it again: pulumi up --replace <URN of this node's -bundle resource> (pulumi stack --show-urns lists it)\n`,
        );
        assert.equal(n.read(POLICY_PATH), SHIPPED_POLICY_TEXT);
        assert.equal(n.restarts(), 1);
    });

    it("one unreachable node fails with a clear error while the other clusters succeed", async () => {
        const [a, b] = [await node("ok-a"), await node("ok-b")];
        const down = await node("down");
        const downCluster = simCluster("down", [down]);
        await down.stop();
        const [ra, rdown, rb] = await Promise.all([
            applyNode(simCluster("ok-a", [a]), 0, a),
            applyNode(downCluster, 0, down),
            applyNode(simCluster("ok-b", [b]), 0, b),
        ]);
        assert.equal(ra.result?.status, "ok");
        assert.equal(rb.result?.status, "ok");
        assert.equal(rdown.upload.code, 255);
        assert.match(rdown.upload.stderr, new RegExp(`^ssh: connect to host 127\\.0\\.0\\.1 port ${down.port}: Connection refused`));
    });

    it("a node whose host key does not match the pinned one is refused by the client", async () => {
        const n = await node("hostkey");
        const other = await node("other");
        n.write("ssh/known_hosts", `[127.0.0.1]:${n.port} ${other.hostKey}\n`);
        const run = await applyNode(simCluster("hostkey", [n]), 0, n);
        assert.equal(run.upload.code, 255);
        assert.match(run.upload.stderr, /Host key verification failed/);
        assert.equal(run.apply, undefined);
        assert.equal(n.restarts(), 0);
    });

    it("HA: servers go one at a time; a failing server stops the rollout before the next one", async () => {
        const ha = [await node("ha0"), await node("ha1"), await node("ha2")];
        const c = simCluster("ha", ha, { readyTimeoutSeconds: 2 });
        ha[1].ctl("fail-pattern", "audit-policy-file");
        const results = [];
        // The component chains each server's preflight on the previous server's apply (dependsOn).
        for (let i = 0; i < ha.length; i++) {
            const r = await applyNode(c, i, ha[i]);
            results.push(r.result?.status);
            if (r.result?.status !== "ok") break;
        }
        assert.deepEqual(results, ["ok", "failed"]);
        assert.equal(ha[2].restarts(), 0);
        assert.equal(ha[2].read(DROPIN_PATH), undefined);
        assert.equal(await readyz(ha[0]), "ok");
        assert.equal(await readyz(ha[1]), "ok");
    });
});
