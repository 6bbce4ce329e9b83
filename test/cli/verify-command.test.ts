/**
 * `akko-audit verify` against real nodes: one real sshd per simulated k3s server on 127.0.0.1, the system
 * ssh client with the stack's pinned host keys, verify.sh run for real. The nodes are first set up by the
 * real apply (launch.sh/converge.sh over SSH, helpers/simulate.ts).
 * Stubbed, because no systemd or k3s runs here: systemctl (the shared stub of helpers/stubs.ts, plus a
 * wrapper answering `show -p MainPID` with the pid of the stand-in below), k3s and journalctl. The running
 * "k3s server" is a real process whose title is "/usr/local/bin/k3s server", as k3s sets its own (it hides
 * its flags from ps); perl's $0 rewrites argv the same way k3s's gspt does.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { verifyCommand } from "../../cli/verify-command";
import { applyNode, SHIPPED_POLICY_TEXT, simCluster } from "../components/k3s/helpers/simulate";
import { clientPrivateKey, SimNode, SKIP_REASON, sshdAvailable, startNode } from "../components/k3s/helpers/sshd-node";

const LOGS = {
    kubeconfigSecret: "logsKubeconfig",
    retentionDays: 30,
    mode: "SingleBinary",
    gatewayPasswordSecret: "lokiPassword",
    ingress: { clusterIssuer: "letsencrypt-staging", lokiHost: "loki.test.example.net" },
};
const LOG = "var/log/k3s-audit.log";
const sha12 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

/** An audit event as kube-apiserver writes it (the stub's own events carry no timestamps). */
const event = (at: Date) =>
    JSON.stringify({
        kind: "Event",
        apiVersion: "audit.k8s.io/v1",
        level: "Metadata",
        auditID: "0b7c",
        stage: "ResponseComplete",
        requestURI: "/api/v1/namespaces/kube-system",
        verb: "get",
        user: { username: "system:admin" },
        requestReceivedTimestamp: at.toISOString(),
        stageTimestamp: at.toISOString(),
    }) + "\n";

/** Every file under the node's root: content, mode, mtime and ctime (a chmod or a rewrite changes ctime). */
function snapshot(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            const s = statSync(p);
            out[path.relative(root, p)] = `${s.mode} ${s.mtimeMs} ${s.ctimeMs} ${e.isFile() ? readFileSync(p, "base64") : "dir"}`;
            if (e.isDirectory()) walk(p);
        }
    };
    walk(root);
    return out;
}

describe("akko-audit verify over real SSH (stub systemctl/k3s)", function () {
    this.timeout(60000);
    const nodes: SimNode[] = [];
    const procs: ChildProcess[] = [];
    let project: string;
    let identity: string;

    before(function () {
        if (!sshdAvailable()) {
            console.log(`      skipped: ${SKIP_REASON}`);
            this.skip();
        }
        const keyDir = mkdtempSync(path.join(tmpdir(), "akko-verify-key-"));
        identity = path.join(keyDir, "id");
        writeFileSync(identity, clientPrivateKey(), { mode: 0o600 });
    });
    beforeEach(() => {
        project = mkdtempSync(path.join(tmpdir(), "akko-verify-project-"));
    });
    afterEach(async () => {
        for (const p of procs.splice(0)) p.kill("SIGKILL");
        await Promise.all(nodes.splice(0).map((n) => n.stop()));
        rmSync(project, { recursive: true, force: true });
    });

    /** A node set up by the real apply, its stand-in k3s server running, a fresh 0600 audit log. */
    async function appliedNode(label: string): Promise<SimNode> {
        const n = await startNode(label);
        nodes.push(n);
        const run = await applyNode(simCluster(label, [n]), 0, n);
        assert.equal(run.result?.status, "ok", run.apply?.stderr);
        // kube-apiserver creates its log 0600 (the stub's shell redirection cannot).
        chmodSync(path.join(n.root, LOG), 0o600);
        writeFileSync(path.join(n.root, LOG), event(new Date()), { flag: "a" });
        return n;
    }

    /** Starts the stand-in "k3s server" process and points the MainPID wrapper at it. */
    function startK3s(n: SimNode): void {
        const p = spawn("perl", ["-e", '$0 = "/usr/local/bin/k3s server"; sleep 3600'], { stdio: "ignore" });
        procs.push(p);
        const dir = path.join(n.root, "verify-stub");
        mkdirSync(dir, { recursive: true });
        writeFileSync(
            path.join(dir, "systemctl"),
            `#!/bin/sh\nif [ "$1 $2 $3" = "show -p MainPID" ]; then echo "MainPID=${p.pid}"; exit 0; fi\nexec '${n.stubDir}/systemctl' "$@"\n`,
            { mode: 0o755 },
        );
    }

    function writeStack(clusters: { name: string; port: number; hostKey: string }[]): void {
        const doc = {
            config: {
                "akko-audit:clusters": clusters.map((c) => ({
                    name: c.name,
                    kind: "k3s",
                    sshPrivateKeySecret: `${c.name}Key`,
                    servers: [{ host: "127.0.0.1", port: c.port, hostKey: c.hostKey }],
                })),
                "akko-audit:logs": LOGS,
            },
        };
        writeFileSync(path.join(project, "Pulumi.t.yaml"), stringify(doc));
    }

    async function verify(byPort: Map<number, SimNode>, ...extra: string[]) {
        const out: string[] = [];
        const err: string[] = [];
        const code = await verifyCommand(
            ["--stack", "t", "--project-dir", project, "--identity-file", identity, ...extra],
            { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
            {
                overrides: (_c, s) => {
                    const n = byPort.get(s.port);
                    if (!n) return {};
                    return { root: n.root, pathPrefix: `${path.join(n.root, "verify-stub")}:${n.stubDir}` };
                },
            },
        );
        return { code, out, err };
    }

    it("clean nodes: exit 0, one summary line, progress on stderr, and not one byte changed on the nodes", async () => {
        const a = await appliedNode("a");
        const b = await appliedNode("b");
        startK3s(a);
        startK3s(b);
        writeStack([
            { name: "a", port: a.port, hostKey: a.hostKey },
            { name: "b", port: b.port, hostKey: b.hostKey },
        ]);
        const before = [snapshot(a.root), snapshot(b.root)];
        const restarts = [a.restarts(), b.restarts()];
        const byPort = new Map([
            [a.port, a],
            [b.port, b],
        ]);
        const r = await verify(byPort);
        assert.deepEqual(r.out, ["stack t: 2 k3s node(s) match the stack"]);
        assert.equal(r.code, 0);
        assert.equal(r.err.at(-1), "verify: 2/2 nodes");
        assert.deepEqual([snapshot(a.root), snapshot(b.root)], before);
        assert.deepEqual([a.restarts(), b.restarts()], restarts);

        const j = await verify(byPort, "--json", "--parallel", "1");
        assert.equal(j.code, 0);
        const doc = JSON.parse(j.out.join("\n"));
        assert.equal(doc.problems, 0);
        assert.deepEqual(
            doc.nodes.map((n: { node: string; checked: boolean }) => [n.node, n.checked]),
            [
                ["a/127.0.0.1", true],
                ["b/127.0.0.1", true],
            ],
        );
        assert.equal(doc.nodes[0].facts.cmdline, "/usr/local/bin/k3s server");
        assert.equal(doc.nodes[0].facts.argsSource, "config files");
        assert.deepEqual(doc.nodes[0].facts.apiserverArgs, [
            "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
            "audit-log-path=/var/log/k3s-audit.log",
            "audit-log-maxage=30",
            "audit-log-maxbackup=10",
            "audit-log-maxsize=100",
            "audit-log-format=json",
        ]);
        assert.deepEqual([snapshot(a.root), snapshot(b.root)], before);
    });

    it("drift: changed policy, wrong mode, a later drop-in that replaces the flag list, a stale log: exit 1, exact lines", async () => {
        const a = await appliedNode("drift");
        const clean = await appliedNode("clean");
        const edited = `${SHIPPED_POLICY_TEXT}# local edit\n`;
        a.write("etc/rancher/k3s/audit-policy.yaml", edited);
        chmodSync(path.join(a.root, "etc/rancher/k3s/audit-policy.yaml"), 0o600);
        chmodSync(path.join(a.root, "etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml"), 0o644);
        // No '+': this list replaces every earlier one, ours included; k3s was restarted with it.
        a.write("etc/rancher/k3s/config.yaml.d/95-user.yaml", "kube-apiserver-arg:\n  - anonymous-auth=false\n  - audit-log-maxage=7\n");
        writeFileSync(path.join(a.root, LOG), event(new Date(Date.now() - 7210 * 1000)), { flag: "a" });
        startK3s(a);
        startK3s(clean);
        writeStack([
            { name: "drift", port: a.port, hostKey: a.hostKey },
            { name: "clean", port: clean.port, hostKey: clean.hostKey },
        ]);
        const before = snapshot(a.root);
        const r = await verify(
            new Map([
                [a.port, a],
                [clean.port, clean],
            ]),
        );
        const up = "run 'akko-audit up --stack t'";
        assert.deepEqual(r.out, [
            `drift/127.0.0.1: kube-apiserver flag audit-policy-file is not set (config files) — ${up}`,
            `drift/127.0.0.1: kube-apiserver flag audit-log-path is not set (config files) — ${up}`,
            `drift/127.0.0.1: kube-apiserver flag audit-log-maxage is 7, the stack sets 30 (config files) — ${up}`,
            `drift/127.0.0.1: kube-apiserver flag audit-log-maxbackup is not set (config files) — ${up}`,
            `drift/127.0.0.1: kube-apiserver flag audit-log-maxsize is not set (config files) — ${up}`,
            `drift/127.0.0.1: kube-apiserver flag audit-log-format is not set (config files) — ${up}`,
            `drift/127.0.0.1: audit policy /etc/rancher/k3s/audit-policy.yaml has sha256 ${sha12(edited)}, the stack installs ${sha12(SHIPPED_POLICY_TEXT)} — ${up} (it overwrites local edits)`,
            "drift/127.0.0.1: drop-in /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml has mode 0644, expected 0600 — sudo chmod 0600 /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml",
            "drift/127.0.0.1: newest audit event in /var/log/k3s-audit.log is 2h old (limit 1h) — check the API server's audit flags and disk (journalctl -u k3s)",
            "stack t: 1 of 2 k3s node(s) differ from the stack (9 problem(s))",
        ]);
        assert.equal(r.code, 1);
        assert.deepEqual(snapshot(a.root), before);
    });

    it("an unreachable node: one line saying what to check, exit 1", async () => {
        writeStack([{ name: "gone", port: 1, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJflOeWUuzNH29wCMleKOmvYbplkQE9E29rlmrt9X2vZ" }]);
        const r = await verify(new Map());
        assert.deepEqual(r.out, [
            "gone/127.0.0.1: unreachable over SSH (ssh: connect to host 127.0.0.1 port 1: Connection refused) — check that the node is up and sshd listens on 127.0.0.1:1 (servers[0] in the stack)",
            "stack t: 1 of 1 k3s node(s) differ from the stack (1 problem(s))",
        ]);
        assert.equal(r.code, 1);
    });

    it("a node whose host key differs from the stack's is not trusted", async () => {
        const n = await appliedNode("mitm");
        startK3s(n);
        const other = await startNode("other");
        nodes.push(other);
        writeStack([{ name: "mitm", port: n.port, hostKey: other.hostKey }]);
        const r = await verify(new Map([[n.port, n]]));
        assert.deepEqual(r.out, [
            "mitm/127.0.0.1: host key does not match servers[0].hostKey — compare with ssh-keyscan -t ed25519 127.0.0.1; update hostKey only if the node's key changed on purpose",
            "stack t: 1 of 1 k3s node(s) differ from the stack (1 problem(s))",
        ]);
        assert.equal(r.code, 1);
    });

    it("bad usage: one line, exit 2", async () => {
        writeStack([{ name: "u", port: 2222, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJflOeWUuzNH29wCMleKOmvYbplkQE9E29rlmrt9X2vZ" }]);
        const cases: [string[], string][] = [
            [["--parallel", "0"], 'verify: --parallel "0"; allowed: a whole number from 1 to 256'],
            [["--max-event-age", "5d"], 'verify: --max-event-age "5d"; allowed: a duration such as 90s, 15m or 1h'],
            [["--cluster", "nope"], 'verify: --cluster "nope"; allowed: u'],
            [["--identity-file", "/nonexistent/key"], "verify: --identity-file /nonexistent/key: cannot read (ENOENT)"],
        ];
        for (const [args, message] of cases) {
            await assert.rejects(verify(new Map(), ...args), (e: Error & { exitCode?: number }) => {
                assert.equal(e.message, message);
                assert.equal(e.exitCode, 2);
                return true;
            });
        }
    });
});
