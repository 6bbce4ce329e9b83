import { z } from "zod";
import {
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

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SSH_USER = "root";
/** The path the shipper reads; also the runbook's. */
export const DEFAULT_AUDIT_LOG_PATH = "/var/log/k3s-audit.log";
export const DEFAULT_AUDIT_LOG_MAX_AGE_DAYS = 30;
export const DEFAULT_AUDIT_LOG_MAX_BACKUP = 10;
export const DEFAULT_AUDIT_LOG_MAX_SIZE_MB = 100;
export const DEFAULT_READY_TIMEOUT_SECONDS = 180;
export const DEFAULT_K3S_SERVICE = "k3s";

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

export const K3sServerSchema = SshEndpointSchema.extend({
    /** Optional jump host (`connection.proxy`); uses the cluster's SSH key unless bastionSshPrivateKeySecret is set. */
    bastion: SshEndpointSchema.optional(),
});

export const K3sClusterSchema = strictObject({
    name: clusterName,
    /** Earlier names of this cluster: renaming keeps its resources (aliases). Default none. */
    previousNames,
    kind: z.literal("k3s"),
    /** k3s server nodes (they run the API server). Agents must not be listed: they are never touched. */
    servers: z.array(K3sServerSchema, allowed("a list of server nodes")).min(1, allowed("at least one server node")),
    /** Secret config key holding the SSH private key (PEM or OpenSSH). Required. */
    sshPrivateKeySecret: secretRef,
    /** Secret config key holding the bastion's SSH private key. Default: the cluster's key. */
    bastionSshPrivateKeySecret: secretRef.optional(),
    /** Connect without pinning host keys. Default false. Anyone on the path can then impersonate the node. */
    dangerouslySkipHostKeyCheck: z.boolean(allowed("true or false")).default(false),
    /** Where the API server writes audit events (the shipper reads it). Default /var/log/k3s-audit.log. */
    auditLogPath: absolutePath.default(DEFAULT_AUDIT_LOG_PATH),
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
        { field: "sshPrivateKeySecret", key: c.sshPrivateKeySecret },
        ...(c.bastionSshPrivateKeySecret ? [{ field: "bastionSshPrivateKeySecret", key: c.bastionSshPrivateKeySecret }] : []),
    ],
    bufferRetention: (c) => ({ field: "auditLogMaxAgeDays", days: c.auditLogMaxAgeDays }),
    identity: () => undefined,
    problems: (c, { where }) => {
        const problems: string[] = [];
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
