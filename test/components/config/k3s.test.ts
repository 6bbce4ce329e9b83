/**
 * The k3s cluster schema's own rules, through validateStackConfig (the house message format): where the
 * audit log may go. Pure: nothing runs on a node here.
 */
import { strict as assert } from "node:assert";
import { configProblems } from "../../helpers/config";
import { validateStackConfig } from "../../../components/config";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";
const WHERE = 'akko-audit:clusters[0] (cluster "edge", kind k3s)';

function k3s(extra: Record<string, unknown> = {}) {
    return { name: "edge", kind: "k3s", sshPrivateKeySecret: "sshKey", servers: [{ host: "10.0.0.1", hostKey: HOST_KEY }], ...extra };
}
function raw(values: Record<string, unknown>, secretKeys: string[] = ["sshKey"]) {
    return { stack: "test", values: { sshKey: "[secret]", ...values }, secretKeys: new Set(secretKeys) };
}
const problems = (values: Record<string, unknown>, secretKeys?: string[]) => configProblems(() => validateStackConfig(raw(values, secretKeys)));
const logPathProblems = (auditLogPath: unknown) => problems({ clusters: [k3s({ auditLogPath })] });

describe("k3s config: auditLogPath", () => {
    it("accepts absolute file paths elsewhere, including k3s's own logs directory (CIS guide)", () => {
        for (const p of [
            "/var/log/k3s-audit.log",
            "/var/log/kubernetes/audit/audit.log",
            "/var/lib/rancher/k3s/server/logs/audit.log",
            "/srv/a..b/x.log",
        ]) {
            const c = validateStackConfig(raw({ clusters: [k3s({ auditLogPath: p })] })).clusters[0];
            assert.equal(c.kind === "k3s" && c.auditLogPath, p);
        }
    });

    it("refuses each bad path with one line naming the field, the value and what is allowed", () => {
        const cases: [unknown, string][] = [
            [42, "field auditLogPath: got 42; allowed: an absolute file path such as /var/log/k3s-audit.log"],
            [
                "/var/log/a.log\nkube-apiserver-arg+: [x]",
                'field auditLogPath: got "/var/log/a.log\\nkube-apiserver-arg+: [x]"; allowed: a path on one line (no newline)',
            ],
            ["/var/log/a.log\r", 'field auditLogPath: got "/var/log/a.log\\r"; allowed: a path on one line (no newline)'],
            [
                "var/log/a.log",
                'field auditLogPath: got "var/log/a.log"; allowed: an absolute file path such as /var/log/k3s-audit.log (starting with /)',
            ],
            ["/var/log/a b.log", "field auditLogPath: got \"/var/log/a b.log\"; allowed: an absolute path of letters, digits, '.', '_', '-' and '/'"],
            ["/var/log/audit/", 'field auditLogPath: got "/var/log/audit/"; allowed: a file path, not a directory (no trailing /)'],
            [
                "/var/log/../etc/rancher/k3s/x.log",
                "field auditLogPath: got \"/var/log/../etc/rancher/k3s/x.log\"; allowed: a path without '..' segments",
            ],
            ["/var/log/..", "field auditLogPath: got \"/var/log/..\"; allowed: a path without '..' segments"],
            [
                "/etc/rancher/./k3s/a.log",
                "field auditLogPath: got \"/etc/rancher/./k3s/a.log\"; allowed: a normalized path (no '.' segment, no '//')",
            ],
            ["/etc//rancher/k3s/a.log", "field auditLogPath: got \"/etc//rancher/k3s/a.log\"; allowed: a normalized path (no '.' segment, no '//')"],
            [
                "/audit.log",
                'field auditLogPath: got "/audit.log"; allowed: a file inside a directory, not directly in / (Alloy mounts the log\'s directory)',
            ],
            [
                "/etc/rancher/k3s/config.yaml.d/audit.yaml",
                'field auditLogPath: got "/etc/rancher/k3s/config.yaml.d/audit.yaml"; allowed: a path outside /etc/rancher/k3s: k3s\'s config directory (config.yaml.d/*.yaml is read as k3s config)',
            ],
            [
                "/etc/rancher/k3s",
                'field auditLogPath: got "/etc/rancher/k3s"; allowed: a path outside /etc/rancher/k3s: k3s\'s config directory (config.yaml.d/*.yaml is read as k3s config)',
            ],
            [
                "/etc/rancher/k3s/audit.log",
                'field auditLogPath: got "/etc/rancher/k3s/audit.log"; allowed: a path outside /etc/rancher/k3s: k3s\'s config directory (config.yaml.d/*.yaml is read as k3s config)',
            ],
            [
                "/var/lib/rancher/k3s/server/manifests/audit.json",
                'field auditLogPath: got "/var/lib/rancher/k3s/server/manifests/audit.json"; allowed: a path outside /var/lib/rancher/k3s/server/manifests: k3s applies every manifest there',
            ],
            [
                "/var/lib/akko-audit/audit.log",
                'field auditLogPath: got "/var/lib/akko-audit/audit.log"; allowed: a path outside /var/lib/akko-audit: akko-audit\'s state on the node (backups, rollback)',
            ],
            [
                "/root/.akko-audit-stage/audit.log",
                'field auditLogPath: got "/root/.akko-audit-stage/audit.log"; allowed: a path outside the SSH user\'s upload directory (~/.akko-audit-stage)',
            ],
        ];
        for (const [value, message] of cases) assert.deepEqual(logPathProblems(value), [`${WHERE}: ${message}`], JSON.stringify(value));
    });

    it("a prefix of an off-limits directory is not inside it", () => {
        for (const auditLogPath of ["/etc/rancher/k3s-audit/audit.log", "/var/lib/akko-audit-logs/audit.log"])
            assert.doesNotThrow(() => validateStackConfig(raw({ clusters: [k3s({ auditLogPath })] })));
    });
});

describe("k3s config: SSH authentication (sshPrivateKeySecret or sshAuth)", () => {
    const agent = (extra: Record<string, unknown> = {}) => {
        const c: Record<string, unknown> = k3s(extra);
        delete c.sshPrivateKeySecret;
        return c;
    };
    const only = (values: Record<string, unknown>) => {
        const [c] = validateStackConfig(raw(values)).clusters;
        assert.ok(c.kind === "k3s");
        return c;
    };

    it("a key from secret config still works; clusters may share one secret (named once in secretKeys)", () => {
        const config = validateStackConfig(raw({ clusters: [k3s(), k3s({ name: "edge2" })] }));
        assert.deepEqual(config.secretKeys, ["sshKey"]);
        assert.deepEqual(
            config.clusters.map((c) => c.kind === "k3s" && [c.sshPrivateKeySecret, c.sshAuth]),
            [
                ["sshKey", undefined],
                ["sshKey", undefined],
            ],
        );
    });

    it("sshAuth on the cluster: no secret at all; agentSocket optional", () => {
        const c = only({ clusters: [agent({ sshAuth: { agent: true } })] });
        assert.deepEqual([c.sshPrivateKeySecret, c.sshAuth], [undefined, { agent: true }]);
        assert.deepEqual(validateStackConfig(raw({ clusters: [agent({ sshAuth: { agent: true } })] })).secretKeys, []);
        assert.deepEqual(only({ clusters: [agent({ sshAuth: { agent: true, agentSocket: "/run/agent.sock" } })] }).sshAuth, {
            agent: true,
            agentSocket: "/run/agent.sock",
        });
    });

    it("the stack's akko-audit:sshAuth is the default for clusters that name neither; a cluster's own choice wins", () => {
        const config = validateStackConfig(
            raw({
                sshAuth: { agent: true, agentSocket: "/run/fleet.sock" },
                clusters: [agent(), k3s({ name: "keyed" }), agent({ name: "own", sshAuth: { agent: true } })],
            }),
        );
        assert.deepEqual(
            config.clusters.map((c) => c.kind === "k3s" && [c.name, c.sshPrivateKeySecret, c.sshAuth]),
            [
                ["edge", undefined, { agent: true, agentSocket: "/run/fleet.sock" }],
                ["keyed", "sshKey", undefined],
                ["own", undefined, { agent: true }],
            ],
        );
    });

    it("neither, both, or a bad sshAuth: one line each, naming the field, the value and what is allowed", () => {
        assert.deepEqual(problems({ clusters: [agent()] }), [
            `${WHERE}: field sshPrivateKeySecret: missing; allowed: the name of a secret config key holding the SSH private key, or sshAuth: { agent: true } on the cluster or in akko-audit:sshAuth (SSH agent, no key in config)`,
        ]);
        assert.deepEqual(problems({ clusters: [k3s({ sshAuth: { agent: true } })] }), [
            `${WHERE}: field sshAuth: got {"agent":true}; allowed: sshAuth or sshPrivateKeySecret, not both (sshPrivateKeySecret is "sshKey")`,
        ]);
        assert.deepEqual(problems({ clusters: [agent({ sshAuth: { agent: false } })] }), [
            `${WHERE}: field sshAuth.agent: got false; allowed: true (for a key in secret config, leave sshAuth out and set sshPrivateKeySecret)`,
        ]);
        assert.deepEqual(problems({ clusters: [agent({ sshAuth: { agent: true, agentSocket: "run/agent.sock" } })] }), [
            `${WHERE}: field sshAuth.agentSocket: got "run/agent.sock"; allowed: an absolute path of letters, digits, '.', '_', '-' and '/'`,
        ]);
        assert.deepEqual(problems({ sshAuth: { agent: true, socket: "/run/a.sock" }, clusters: [k3s()] }), [
            'akko-audit:sshAuth: unknown field "socket"; allowed fields: agent, agentSocket',
        ]);
        assert.deepEqual(problems({ sshAuth: "agent", clusters: [k3s()] }), ['akko-audit:sshAuth: value: got "agent"; allowed: a mapping of fields']);
    });
});
