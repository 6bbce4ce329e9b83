import { z } from "zod";
import {
    ABSOLUTE_PATH,
    absolutePath,
    allowAuditOff,
    allowed,
    clusterName,
    previousNames,
    host,
    intInRange,
    port,
    secretRef,
    sshHostKey,
    sshUser,
    strictObject,
} from "./fields";
import type { KindRules } from "./kind-rules";
import { CONFIG_NAMESPACE } from "./namespace";

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SSH_USER = "root";
/** The path the shipper reads; also the runbook's. */
export const DEFAULT_AUDIT_LOG_PATH = "/var/log/k3s-audit.log";
export const DEFAULT_AUDIT_LOG_MAX_AGE_DAYS = 30;
export const DEFAULT_AUDIT_LOG_MAX_BACKUP = 10;
export const DEFAULT_AUDIT_LOG_MAX_SIZE_MB = 100;
export const DEFAULT_READY_TIMEOUT_SECONDS = 180;
export const DEFAULT_K3S_SERVICE = "k3s";

/** k3s's config directory: config.yaml, config.yaml.d (every *.yaml there is read as config), our policy. */
export const K3S_CONFIG_DIR = "/etc/rancher/k3s";
/** k3s's auto-deploy directory: k3s applies every manifest there. */
export const K3S_MANIFESTS_DIR = "/var/lib/rancher/k3s/server/manifests";
/** Root-only state on the node: desired files, backups, the original files, the last result. */
export const NODE_STATE_DIR = "/var/lib/akko-audit";
/** Where the SSH user uploads files, relative to its login directory (preflight makes it 0700). */
export const DEFAULT_STAGE_DIR = ".akko-audit-stage";

const AUDIT_LOG_PATH_TEXT = "an absolute file path such as /var/log/k3s-audit.log";
/** Directories the audit log must stay out of, and why (the API server would write into them). */
const OFF_LIMITS: readonly { dir: string; why: string }[] = [
    { dir: K3S_CONFIG_DIR, why: "k3s's config directory (config.yaml.d/*.yaml is read as k3s config)" },
    { dir: K3S_MANIFESTS_DIR, why: "k3s applies every manifest there" },
    { dir: NODE_STATE_DIR, why: "akko-audit's state on the node (backups, rollback)" },
];

/**
 * Why an audit log path is refused (the "allowed:" text), or undefined. The path goes into the drop-in and
 * the converge script, and its directory is mounted into Alloy: one rule per message, in a fixed order.
 */
export function auditLogPathProblem(p: string): string | undefined {
    if (/[\r\n]/.test(p)) return "a path on one line (no newline)";
    if (!p.startsWith("/")) return `${AUDIT_LOG_PATH_TEXT} (starting with /)`;
    if (!ABSOLUTE_PATH.test(p)) return "an absolute path of letters, digits, '.', '_', '-' and '/'";
    if (p.endsWith("/")) return "a file path, not a directory (no trailing /)";
    const segments = p.slice(1).split("/");
    if (segments.includes("..")) return "a path without '..' segments";
    // Normalized, so the directory checks below cannot be side-stepped with /etc/rancher/./k3s or //.
    if (segments.some((s) => s === "." || s === "")) return "a normalized path (no '.' segment, no '//')";
    if (segments.length < 2) return "a file inside a directory, not directly in / (Alloy mounts the log's directory)";
    for (const { dir, why } of OFF_LIMITS) if (p === dir || p.startsWith(`${dir}/`)) return `a path outside ${dir}: ${why}`;
    if (segments.includes(DEFAULT_STAGE_DIR)) return `a path outside the SSH user's upload directory (~/${DEFAULT_STAGE_DIR})`;
    return undefined;
}

export const auditLogPath = z.string(allowed(AUDIT_LOG_PATH_TEXT)).superRefine((p, ctx) => {
    const problem = auditLogPathProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: p });
});

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;

export const SshEndpointSchema = strictObject({
    /** Hostname or IP address the SSH connection goes to. */
    host,
    /** SSH port. Default 22. */
    port: port.default(DEFAULT_SSH_PORT),
    /** Login user; must be root or have passwordless sudo. Default root. */
    user: sshUser.default(DEFAULT_SSH_USER),
    /** The host's public key (ssh-keyscan line); required unless the cluster skips host-key checks. */
    hostKey: sshHostKey.optional(),
});

/**
 * SSH agent authentication: the agent holds the keys, so no private key is in the stack's config or state
 * (a config of one key per cluster outgrows what Pulumi can hand the program, see "Fleets of hundreds of clusters" in the README).
 * The command provider (@pulumi/command 1.2.1, remote/connection.go) dials `agentSocketPath`, else
 * SSH_AUTH_SOCK of its own process (the environment `pulumi up` runs in), and offers the agent's keys.
 */
export const SshAuthSchema = strictObject({
    /** Authenticate with the SSH agent's keys (true; for a key in secret config, use sshPrivateKeySecret instead). */
    agent: z.literal(true, allowed("true (for a key in secret config, leave sshAuth out and set sshPrivateKeySecret)")),
    /** The agent's socket on the machine running pulumi. Default: that process's SSH_AUTH_SOCK. */
    agentSocket: absolutePath.optional(),
});
export type SshAuth = z.infer<typeof SshAuthSchema>;

export const K3sServerSchema = SshEndpointSchema.extend({
    /** Optional jump host (`connection.proxy`); uses the cluster's SSH key or agent unless bastionSshPrivateKeySecret is set. */
    bastion: SshEndpointSchema.optional(),
});

export const K3sClusterSchema = strictObject({
    name: clusterName,
    /** Earlier names of this cluster: renaming keeps its resources (aliases). Default none. */
    previousNames,
    kind: z.literal("k3s"),
    /** k3s server nodes (they run the API server). Agents must not be listed: they are never touched. */
    servers: z.array(K3sServerSchema, allowed("a list of server nodes")).min(1, allowed("at least one server node")),
    /**
     * Secret config key holding the SSH private key (PEM or OpenSSH); clusters may share one. Required unless
     * sshAuth (here or the stack's akko-audit:sshAuth) is set.
     */
    sshPrivateKeySecret: secretRef.optional(),
    /** SSH agent authentication instead of a key in config, e.g. { agent: true }. Default: akko-audit:sshAuth, if set and the cluster names no key. */
    sshAuth: SshAuthSchema.optional(),
    /** Secret config key holding the bastion's SSH private key. Default: the cluster's key, or its agent. */
    bastionSshPrivateKeySecret: secretRef.optional(),
    /** Connect without pinning host keys. Default false. Anyone on the path can then impersonate the node. */
    dangerouslySkipHostKeyCheck: z.boolean(allowed("true or false")).default(false),
    /**
     * Where the API server writes audit events (the shipper reads it): an absolute, normalized file path, not in /,
     * outside /etc/rancher/k3s, k3s's manifests directory, /var/lib/akko-audit and ~/.akko-audit-stage. Default /var/log/k3s-audit.log.
     */
    auditLogPath: auditLogPath.default(DEFAULT_AUDIT_LOG_PATH),
    /** Days rotated audit files are kept on the node (audit-log-maxage). Default 30. */
    auditLogMaxAgeDays: intInRange(1, 3650, "days").default(DEFAULT_AUDIT_LOG_MAX_AGE_DAYS),
    /** Rotated audit files kept (audit-log-maxbackup). Default 10. */
    auditLogMaxBackup: intInRange(1, 1000, "files").default(DEFAULT_AUDIT_LOG_MAX_BACKUP),
    /** Size in MB at which the audit file rotates (audit-log-maxsize). Default 100. */
    auditLogMaxSizeMb: intInRange(1, 10240, "megabytes").default(DEFAULT_AUDIT_LOG_MAX_SIZE_MB),
    /** How long to wait for the API server after a restart before rolling back. Default 180 s. */
    readyTimeoutSeconds: intInRange(10, 3600, "seconds").default(DEFAULT_READY_TIMEOUT_SECONDS),
    /** systemd unit of the k3s server. Default k3s. */
    serviceName: z
        .string(allowed("a systemd unit name such as k3s"))
        .regex(SERVICE_NAME, allowed("a systemd unit name such as k3s"))
        .default(DEFAULT_K3S_SERVICE),
    allowAuditOff,
});

export type K3sCluster = z.infer<typeof K3sClusterSchema>;
export type K3sServer = z.infer<typeof K3sServerSchema>;

/** The fleet rules of a k3s cluster (KIND_RULES). */
export const k3sRules: KindRules<K3sCluster> = {
    secretRefs: (c) => [
        ...(c.sshPrivateKeySecret ? [{ field: "sshPrivateKeySecret", key: c.sshPrivateKeySecret }] : []),
        ...(c.bastionSshPrivateKeySecret ? [{ field: "bastionSshPrivateKeySecret", key: c.bastionSshPrivateKeySecret }] : []),
    ],
    bufferRetention: (c) => ({ field: "auditLogMaxAgeDays", days: c.auditLogMaxAgeDays }),
    identity: () => undefined,
    // A cluster that names its own key or agent keeps it; the stack's sshAuth fills in the others.
    withStackDefaults: (c, { sshAuth }) => (c.sshPrivateKeySecret || c.sshAuth || !sshAuth ? c : { ...c, sshAuth }),
    problems: (c, { where }) => {
        const problems: string[] = [];
        if (!c.sshPrivateKeySecret && !c.sshAuth)
            problems.push(
                `${where}: field sshPrivateKeySecret: missing; allowed: the name of a secret config key holding the SSH private key, or sshAuth: { agent: true } on the cluster or in ${CONFIG_NAMESPACE}:sshAuth (SSH agent, no key in config)`,
            );
        if (c.sshPrivateKeySecret && c.sshAuth)
            problems.push(
                `${where}: field sshAuth: got ${JSON.stringify(c.sshAuth)}; allowed: sshAuth or sshPrivateKeySecret, not both (sshPrivateKeySecret is ${JSON.stringify(c.sshPrivateKeySecret)})`,
            );
        c.servers.forEach((s, j) => {
            if (!s.hostKey && !c.dangerouslySkipHostKeyCheck) {
                problems.push(
                    `${where}: field servers[${j}].hostKey: missing; allowed: the node's public host key (ssh-keyscan -t ed25519 ${s.host}), or dangerouslySkipHostKeyCheck: true on the cluster`,
                );
            }
            if (s.bastion && !s.bastion.hostKey && !c.dangerouslySkipHostKeyCheck) {
                problems.push(
                    `${where}: field servers[${j}].bastion.hostKey: missing; allowed: the bastion's public host key (ssh-keyscan -t ed25519 ${s.bastion.host}), or dangerouslySkipHostKeyCheck: true on the cluster`,
                );
            }
        });
        // A node's resources are named after its host: one host, one node.
        const hosts = new Map<string, number>();
        c.servers.forEach((s, j) => {
            const id = s.host.toLowerCase();
            const prev = hosts.get(id);
            if (prev !== undefined)
                problems.push(
                    `${where}: field servers[${j}].host: got ${JSON.stringify(s.host)}; allowed: a host not already listed (servers[${prev}] has it; one entry per node)`,
                );
            else hosts.set(id, j);
        });
        return problems;
    },
};
