/**
 * The effective-args check over real SSH (one real sshd per simulated node, the component's exact command
 * strings). Stubbed, because they cannot run here: systemctl, k3s and journalctl (helpers/stubs.ts); the
 * stub k3s starts its "API server" with the flags helpers/k3s-config-merge.js computes, a second merge
 * written from k3s's source with a real YAML parser, so each refusal is shown to match what that k3s would
 * really have run.
 */
import assert from "node:assert/strict";
import { apiServerArgs, effectiveValue } from "../helpers/k3s-config-merge.js";
import { applyNode, simCluster } from "../helpers/simulate";
import { SimNode, simNodeSuite } from "../helpers/sshd-node";

const DROPIN = "/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml";
const DROPIN_PATH = DROPIN.slice(1);

/** The effective-args refusal as preflight prints it (exit 3, one line, before anything is touched). */
function assertRefused(run: Awaited<ReturnType<typeof applyNode>>, node: SimNode, message: string, restartsBefore = 0) {
    assert.equal(run.apply!.code, 3, run.apply!.stderr);
    assert.equal(run.apply!.stderr, `akko-audit: node ${message}\n`);
    assert.equal(run.upload.code, 0, "the bundle upload comes first; the refusal is the apply's, before anything is touched");
    assert.equal(run.result, undefined);
    assert.equal(node.restarts(), restartsBefore);
}

describe("k3s effective kube-apiserver args over real SSH (stub systemctl/k3s, faithful config merge)", function () {
    this.timeout(60000);
    const node = simNodeSuite();

    it("a later 99-*.yaml with kube-apiserver-arg (no +): refused naming the file; the merged k3s would indeed run without our flags", async () => {
        const n = await node("late");
        n.write("etc/rancher/k3s/config.yaml.d/99-tuning.yaml", "kube-apiserver-arg:\n  - request-timeout=2m\n");
        const run = await applyNode(simCluster("late", [n]), 0, n);
        assertRefused(
            run,
            n,
            "late/127.0.0.1: /etc/rancher/k3s/config.yaml.d/99-tuning.yaml sets kube-apiserver-arg without a +, which replaces the whole list, so k3s would run the API server without the audit flags of /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml; change that key to kube-apiserver-arg+ (append) in /etc/rancher/k3s/config.yaml.d/99-tuning.yaml",
        );
        assert.equal(n.read(DROPIN_PATH), undefined);
        // What the prediction says: with our drop-in in place, k3s would start without audit flags.
        n.write(DROPIN_PATH, "kube-apiserver-arg+:\n  - audit-log-path=/var/log/k3s-audit.log\n");
        assert.deepEqual(apiServerArgs(n.root), ["--request-timeout=2m"]);
    });

    it("the same drop-in with kube-apiserver-arg+ (flow style) is fine: applied, and the merged k3s runs our flags and its own", async () => {
        const n = await node("plus");
        n.write("etc/rancher/k3s/config.yaml.d/99-tuning.yaml", "kube-apiserver-arg+: [request-timeout=2m, 'anonymous-auth=false']\n");
        const run = await applyNode(simCluster("plus", [n]), 0, n);
        assert.equal(run.apply!.code, 0, run.apply!.stderr);
        assert.equal(run.result?.status, "ok", run.apply?.stderr);
        assert.deepEqual(apiServerArgs(n.root), [
            "--anonymous-auth=false",
            "--audit-log-format=json",
            "--audit-log-maxage=30",
            "--audit-log-maxbackup=10",
            "--audit-log-maxsize=100",
            "--audit-log-path=/var/log/k3s-audit.log",
            "--audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
            "--request-timeout=2m",
        ]);
        assert.match(n.read("ctl/journal")!, /Running kube-apiserver --anonymous-auth=false --audit-log-format=json /);
    });

    it("a later drop-in overriding one of our flags (last flag wins): refused naming the file and the flag", async () => {
        const n = await node("override");
        n.write("etc/rancher/k3s/config.yaml.d/95-retention.yaml", "kube-apiserver-arg+:\n- audit-log-maxage=7\n");
        const run = await applyNode(simCluster("override", [n]), 0, n);
        assertRefused(
            run,
            n,
            "override/127.0.0.1: /etc/rancher/k3s/config.yaml.d/95-retention.yaml sets audit-log-maxage=7 after /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml; the last flag wins, so the API server would not use audit-log-maxage=30; remove audit-log-maxage from /etc/rancher/k3s/config.yaml.d/95-retention.yaml",
        );
    });

    it("--config moves the config: refused (our drop-in dir would never be read), whether on the command line or in the unit's env file", async () => {
        const n = await node("moved");
        n.ctl("execstart", "/usr/local/bin/k3s server --config /srv/k3s/server.yaml");
        const run = await applyNode(simCluster("moved", [n]), 0, n);
        assertRefused(
            run,
            n,
            "moved/127.0.0.1: k3s reads its config from /srv/k3s/server.yaml (--config on the k3s command line of unit k3s), so it never reads the audit drop-in /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml (only /srv/k3s/server.yaml.d/*.yaml); move that config back to /etc/rancher/k3s/config.yaml and remove --config on the k3s command line of unit k3s (a moved k3s config is not supported)",
        );
        n.ctl("execstart", "/usr/local/bin/k3s server");
        n.write("etc/systemd/system/k3s.service.env", 'K3S_TOKEN=x\nK3S_CONFIG_FILE="/srv/k3s/server.yaml"\n');
        const env = await applyNode(simCluster("moved", [n]), 0, n);
        assertRefused(
            env,
            n,
            "moved/127.0.0.1: k3s reads its config from /srv/k3s/server.yaml (K3S_CONFIG_FILE in /etc/systemd/system/k3s.service.env (EnvironmentFile of unit k3s)), so it never reads the audit drop-in /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml (only /srv/k3s/server.yaml.d/*.yaml); move that config back to /etc/rancher/k3s/config.yaml and remove K3S_CONFIG_FILE in /etc/systemd/system/k3s.service.env (EnvironmentFile of unit k3s) (a moved k3s config is not supported)",
        );
        // The merged k3s agrees: with our drop-in written, the moved config's k3s runs no audit flag.
        n.write(DROPIN_PATH, "kube-apiserver-arg+:\n  - audit-log-path=/var/log/k3s-audit.log\n");
        assert.equal(effectiveValue(apiServerArgs(n.root), "audit-log-path"), undefined);
    });

    it("CIS audit flags in config.yaml: refused with what would happen to their log and how to proceed; the same path is fine", async () => {
        const n = await node("cis");
        const cis =
            "kube-apiserver-arg:\n  - 'audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log'\n  - 'audit-policy-file=/var/lib/rancher/k3s/server/audit.yaml'\n  - 'audit-log-maxage=30'\n";
        n.write("etc/rancher/k3s/config.yaml", cis);
        const run = await applyNode(simCluster("cis", [n]), 0, n);
        assertRefused(
            run,
            n,
            "cis/127.0.0.1: /etc/rancher/k3s/config.yaml already sets audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log (an existing audit setup, e.g. the CIS hardening layout); the audit drop-in /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml comes later and the last flag wins, so the API server would write audit events only to /var/log/k3s-audit.log and /var/lib/rancher/k3s/server/logs/audit.log would stop receiving any; remove the audit-* entries from kube-apiserver-arg in /etc/rancher/k3s/config.yaml, or set auditLogPath: /var/lib/rancher/k3s/server/logs/audit.log on this cluster so both are the same file",
        );
        const same = await applyNode(simCluster("cis", [n], { auditLogPath: "/var/lib/rancher/k3s/server/logs/audit.log" }), 0, n);
        assert.equal(same.result?.status, "ok", same.apply!.stderr + (same.apply?.stderr ?? ""));
        assert.equal(effectiveValue(apiServerArgs(n.root), "audit-log-path"), "/var/lib/rancher/k3s/server/logs/audit.log");
        assert.equal(effectiveValue(apiServerArgs(n.root), "audit-policy-file"), "/etc/rancher/k3s/audit-policy.yaml");
        assert.equal(n.read("etc/rancher/k3s/config.yaml"), cis);
    });

    it("a drop-in added after a successful apply: the next apply refuses (never 'already up to date') and restarts nothing", async () => {
        const n = await node("after");
        const c = simCluster("after", [n]);
        assert.equal((await applyNode(c, 0, n)).result?.status, "ok");
        assert.equal(effectiveValue(apiServerArgs(n.root), "audit-log-path"), "/var/log/k3s-audit.log");
        n.write("etc/rancher/k3s/config.yaml.d/99-late.yaml", "# added by hand\nkube-apiserver-arg: [profiling=false]\n");
        const next = await applyNode(c, 0, n);
        assertRefused(
            next,
            n,
            "after/127.0.0.1: /etc/rancher/k3s/config.yaml.d/99-late.yaml sets kube-apiserver-arg without a +, which replaces the whole list, so k3s would run the API server without the audit flags of /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml; change that key to kube-apiserver-arg+ (append) in /etc/rancher/k3s/config.yaml.d/99-late.yaml",
            1,
        );
        // The prediction is the merged k3s's: its next start would run without audit.
        assert.deepEqual(apiServerArgs(n.root), ["--profiling=false"]);
    });

    it("kube-apiserver-arg YAML it cannot read safely: refused naming the file, never guessed", async () => {
        const n = await node("yaml");
        n.write("etc/rancher/k3s/config.yaml.d/50-odd.yaml", "kube-apiserver-arg+: |\n  request-timeout=2m\n");
        const run = await applyNode(simCluster("yaml", [n]), 0, n);
        assertRefused(
            run,
            n,
            "yaml/127.0.0.1: /etc/rancher/k3s/config.yaml.d/50-odd.yaml: cannot parse kube-apiserver-arg+: | (only a string or a list of strings)",
        );
        n.write("etc/rancher/k3s/config.yaml.d/50-odd.yaml", "{kube-apiserver-arg+: [request-timeout=2m]}\n");
        const flow = await applyNode(simCluster("yaml", [n]), 0, n);
        assertRefused(
            flow,
            n,
            "yaml/127.0.0.1: /etc/rancher/k3s/config.yaml.d/50-odd.yaml: mentions kube-apiserver-arg in a form this check cannot read safely (only a top-level 'kube-apiserver-arg:' or 'kube-apiserver-arg+:' key holding a string or a list of strings); rewrite it in that form",
        );
    });
});
