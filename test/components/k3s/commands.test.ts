import { strict as assert } from "node:assert";
import { K3sClusterSchema } from "../../../components/config/k3s";
import { buildNodeCommands, parseNodeResult, pinnedHostKey } from "../../../components/k3s/commands";
import { CONVERGE_SH, EFFECTIVE_ARGS_SH, LAUNCH_SH, PREFLIGHT_SH } from "../../../components/k3s/scripts";
import { shellQuote } from "../../../components/k3s/shell";

const cluster = K3sClusterSchema.parse({
    name: "edge",
    kind: "k3s",
    sshPrivateKeySecret: "k",
    servers: [{ host: "10.0.0.1", user: "root", hostKey: "ssh-ed25519 AAAA" }],
    serviceName: "k3s-server",
    readyTimeoutSeconds: 300,
    auditLogPath: "/var/log/kubernetes/audit.log",
});

describe("buildNodeCommands", () => {
    const c = buildNodeCommands({
        cluster,
        server: cluster.servers[0],
        policyHash: "ab".repeat(32),
        manifestNames: ["m1.yaml", "m2.yaml"],
        manifestsHash: "cd".repeat(32),
    });

    it("preflight: the login user's shell runs preflight.sh with the node's inputs, no sudo for root", () => {
        assert.equal(
            c.preflight,
            [
                "env",
                "'AKKO_DROPIN_PATH=/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml'",
                `'AKKO_EFFECTIVE_ARGS_SCRIPT=${EFFECTIVE_ARGS_SH.replace(/'/g, `'\\''`)}'`,
                // The drop-in's flags, one a line: effective-args.sh checks k3s would really use each.
                `'AKKO_EXPECT_ARGS=${[
                    "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
                    "audit-log-path=/var/log/kubernetes/audit.log",
                    "audit-log-maxage=30",
                    "audit-log-maxbackup=10",
                    "audit-log-maxsize=100",
                    "audit-log-format=json",
                ].join("\n")}'`,
                "'AKKO_NODE=edge/10.0.0.1' 'AKKO_SERVICE=k3s-server' 'AKKO_STAGE_DIR=.akko-audit-stage' 'AKKO_SUDO='",
                `/bin/sh -c ${shellQuote(PREFLIGHT_SH)} akko-audit`,
            ].join(" "),
        );
    });

    it("apply: preflight again, then launch.sh with every path, timeout and hash from config, the worker inline", () => {
        const [pre, launch] = c.apply.split(" >/dev/null && ");
        assert.equal(pre, c.preflight);
        const expected = [
            "env",
            "'AKKO_ACTION=apply'",
            "'AKKO_AUDIT_LOG_PATH=/var/log/kubernetes/audit.log'",
            "'AKKO_DROPIN_PATH=/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml'",
            "'AKKO_EVENT_TIMEOUT=30'",
            `'AKKO_MANIFESTS=m1.yaml m2.yaml'`,
            "'AKKO_MANIFESTS_DIR=/var/lib/rancher/k3s/server/manifests'",
            `'AKKO_MANIFESTS_HASH=${"cd".repeat(32)}'`,
            "'AKKO_NODE=edge/10.0.0.1'",
            `'AKKO_POLICY_HASH=${"ab".repeat(32)}'`,
            "'AKKO_POLICY_PATH=/etc/rancher/k3s/audit-policy.yaml'",
            "'AKKO_READY_TIMEOUT=300'",
            "'AKKO_SERVICE=k3s-server'",
            "'AKKO_STAGE_DIR=.akko-audit-stage'",
            "'AKKO_STATE_DIR=/var/lib/akko-audit'",
            shellQuote(`AKKO_WORKER_SCRIPT=${CONVERGE_SH}`),
            "/bin/sh",
            "-c",
            shellQuote(LAUNCH_SH),
            "akko-audit",
        ].join(" ");
        assert.equal(launch, expected);
        for (const hook of ["AKKO_ROOT", "AKKO_PATH_PREFIX", "AKKO_DETACH", "AKKO_POLL_INTERVAL"])
            assert.ok(!c.apply.includes(`'${hook}=`), `${hook} is a test hook`);
    });

    it("remove: launch.sh remove, same paths, no preflight (a node must always be restorable)", () => {
        assert.ok(c.remove.startsWith("env 'AKKO_ACTION=remove' 'AKKO_AUDIT_LOG_PATH=/var/log/kubernetes/audit.log' "));
        assert.ok(!c.remove.includes(shellQuote(PREFLIGHT_SH)));
        assert.equal(c.stagePath("audit-policy.yaml"), ".akko-audit-stage/audit-policy.yaml");
    });

    it("stays far below the kernel's 128 KiB limit for one argument (sshd passes the line as sh -c ARG)", () => {
        assert.ok(Buffer.byteLength(c.apply) < 64 * 1024, `${Buffer.byteLength(c.apply)} bytes`);
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
