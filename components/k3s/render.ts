import { createHash } from "node:crypto";
import { K3S_MANIFESTS_DIR, K3sCluster, NODE_STATE_DIR } from "../config/k3s";

// Defined next to the schema, which keeps the audit log out of them; re-exported for the node code.
export { K3S_MANIFESTS_DIR, NODE_STATE_DIR };

/** Where k3s reads the audit policy from (the drop-in names it). */
export const K3S_POLICY_PATH = "/etc/rancher/k3s/audit-policy.yaml";
/** The drop-in: k3s merges config.yaml.d/*.yaml after config.yaml, in file-name order; 90 sorts late. */
export const K3S_DROPIN_PATH = "/etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml";

/** The fields of a k3s cluster the drop-in depends on. */
export type DropInSettings = Pick<K3sCluster, "auditLogPath" | "auditLogMaxAgeDays" | "auditLogMaxBackup" | "auditLogMaxSizeMb">;

/**
 * The k3s config drop-in. `kube-apiserver-arg+` appends to the list from config.yaml and earlier drop-ins;
 * without the `+` this file would replace the node's own kube-apiserver-arg entries.
 */
export function renderDropIn(c: DropInSettings, policyPath: string = K3S_POLICY_PATH): string {
    return [
        "# Managed by akko-audit: `pulumi up` rewrites this file, `pulumi destroy` removes it. Do not edit.",
        "# kube-apiserver-arg+ appends to the node's own kube-apiserver-arg list instead of replacing it.",
        "kube-apiserver-arg+:",
        ...dropInArgs(c, policyPath).map((a) => `  - ${a}`),
        "",
    ].join("\n");
}

/** The drop-in's kube-apiserver flags (`name=value`); preflight checks k3s would really use each of them. */
export function dropInArgs(c: DropInSettings, policyPath: string = K3S_POLICY_PATH): string[] {
    return [
        `audit-policy-file=${policyPath}`,
        `audit-log-path=${c.auditLogPath}`,
        `audit-log-maxage=${c.auditLogMaxAgeDays}`,
        `audit-log-maxbackup=${c.auditLogMaxBackup}`,
        `audit-log-maxsize=${c.auditLogMaxSizeMb}`,
        "audit-log-format=json",
    ];
}

/** sha256 of the policy followed by the drop-in: in the apply command (a change updates it in place), and what launch.sh verifies on the node. */
export function policyHash(policy: string, dropIn: string): string {
    return createHash("sha256").update(policy).update(dropIn).digest("hex");
}

/** sha256 over "<fileName>\n<content>" of each manifest, in order (launch.sh computes the same). */
export function manifestsHash(manifests: { fileName: string; content: string }[]): string {
    const h = createHash("sha256");
    for (const m of manifests) h.update(`${m.fileName}\n`).update(m.content);
    return h.digest("hex");
}

/** What `akko-audit render` writes for one k3s cluster: the drop-in each of its servers receives. */
export function renderK3sArtifacts(cluster: K3sCluster): { path: string; content: string; description: string }[] {
    return [
        {
            path: `k3s/${cluster.name}/90-akko-audit.yaml`,
            content: renderDropIn(cluster),
            description: `k3s drop-in for ${K3S_DROPIN_PATH} on the ${cluster.servers.length} server node(s) of ${cluster.name}`,
        },
    ];
}
