import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { K3sCluster } from "../config/k3s";
import { secretConfig } from "../config/pulumi";
import { K3sManifest, validateManifests } from "./manifests";
import { K3sServerAuditLogging } from "./node";
import { K3S_CLUSTER_TYPE } from "./describe";

export { K3S_CLUSTER_TYPE };
/** The product's audit policy, installed on every server node. */
export const SHIPPED_POLICY_FILE = path.join(__dirname, "..", "..", "policy", "audit-policy.yaml");

export interface K3sAuditLoggingArgs {
    /** The validated k3s cluster from the stack config (components/config/k3s.ts). Required. */
    cluster: K3sCluster;
    /** SSH private key. Default: secretConfig(cluster.sshPrivateKeySecret) if set; always kept secret. Without one, cluster.sshAuth (the SSH agent). */
    privateKey?: pulumi.Input<string>;
    /** Bastion SSH private key. Default: secretConfig(cluster.bastionSshPrivateKeySecret) if set, else privateKey. */
    bastionPrivateKey?: pulumi.Input<string>;
    /** The audit policy text. Default: policy/audit-policy.yaml. */
    policy?: string;
    /** Files for /var/lib/rancher/k3s/server/manifests on every server (e.g. an Alloy HelmChart). Default none. */
    extraManifests?: K3sManifest[];
}

let shippedPolicyText: string | undefined;
/** The text of SHIPPED_POLICY_FILE, read once (like the bundled scripts), not once per cluster. */
function shippedPolicy(): string {
    return (shippedPolicyText ??= readFileSync(SHIPPED_POLICY_FILE, "utf8"));
}

/** A server node's component name: the cluster's name and the node's host (unique in a cluster). */
export const k3sNodeName = (cluster: string, host: string) => `${cluster}-${host}`;
/** The name 0.1.0 gave the node at position `index` (kept as an alias for stacks made by it). */
export const legacyK3sNodeName = (cluster: string, index: number) => `${cluster}-server-${index}`;

/** Refusals of the component's own arguments, one line each (config errors come from validateStackConfig). */
export function validateK3sArgs(name: string, args: K3sAuditLoggingArgs): string[] {
    const where = `${K3S_CLUSTER_TYPE} ${name}`;
    const problems: string[] = [];
    // validateStackConfig already refuses this; a component built from hand-made args must too.
    args.cluster.servers.forEach((s, i) => {
        if (!s.hostKey && !args.cluster.dangerouslySkipHostKeyCheck) {
            problems.push(
                `${where}: cluster.servers[${i}].hostKey: missing; allowed: the node's public host key (ssh-keyscan -t ed25519 ${s.host}), or dangerouslySkipHostKeyCheck: true on the cluster`,
            );
        }
        if (s.bastion && !s.bastion.hostKey && !args.cluster.dangerouslySkipHostKeyCheck) {
            problems.push(
                `${where}: cluster.servers[${i}].bastion.hostKey: missing; allowed: the bastion's public host key (ssh-keyscan -t ed25519 ${s.bastion.host}), or dangerouslySkipHostKeyCheck: true on the cluster`,
            );
        }
    });
    if (args.privateKey === undefined && !args.cluster.sshPrivateKeySecret && !args.cluster.sshAuth)
        problems.push(
            `${where}: privateKey: missing; allowed: an SSH private key, cluster.sshPrivateKeySecret, or cluster.sshAuth: { agent: true } (SSH agent)`,
        );
    return [...problems, ...validateManifests(where, args.extraManifests ?? [])];
}

/**
 * Audit logging on every server node of one k3s cluster, over SSH. Servers go one at a time (each waits
 * for the previous one's API server to be ready again), so an HA cluster's API stays up; clusters are
 * independent of each other. Agents are never listed and never touched. Nodes are `<name>-<host>`: a
 * node keeps its resources whatever its place in the list, and removing one cleans up that host only.
 */
export class K3sAuditLogging extends pulumi.ComponentResource {
    /** One component per server node, in config order. */
    readonly servers: K3sServerAuditLogging[];
    /** Per node ("<cluster>/<host>"): policy hash applied, whether it restarted, API ready, k3s version. */
    readonly nodes: pulumi.Output<{ node: string; policyHash: string; restarted: boolean; apiServerReady: boolean; k3sVersion: string }[]>;

    constructor(name: string, args: K3sAuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = validateK3sArgs(name, args);
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
        super(K3S_CLUSTER_TYPE, name, {}, opts);
        const { cluster } = args;
        // The key given, else the one the cluster's config names, else none (SSH agent).
        const keyOf = (given: pulumi.Input<string> | undefined, secretKey: string | undefined) =>
            given !== undefined ? pulumi.secret(given) : secretKey ? secretConfig(secretKey) : undefined;
        const privateKey = keyOf(args.privateKey, cluster.sshPrivateKeySecret);
        const bastionPrivateKey = keyOf(args.bastionPrivateKey, cluster.bastionSshPrivateKeySecret);
        const policy = args.policy ?? shippedPolicy();

        this.servers = [];
        let previous: K3sServerAuditLogging | undefined;
        cluster.servers.forEach((server, i) => {
            const node: K3sServerAuditLogging = new K3sServerAuditLogging(
                k3sNodeName(name, server.host),
                { cluster, serverIndex: i, privateKey, bastionPrivateKey, policy, extraManifests: args.extraManifests },
                // 0.1.0 named nodes by position: the alias moves such a stack's node to its host name with
                // no delete (children follow: their names start with the node's). It assumes the list
                // order is the one 0.1.0 last applied; `akko-audit plan --base` shows any host mismatch.
                { parent: this, dependsOn: previous ? [previous.apply] : [], aliases: [{ name: legacyK3sNodeName(name, i) }] },
            );
            this.servers.push(node);
            previous = node;
        });
        // One `all` over every node's four outputs (not one per node): the same list, fewer Outputs.
        this.nodes = pulumi
            .all(this.servers.flatMap((s): pulumi.Input<unknown>[] => [s.policyHash, s.restarted, s.apiServerReady, s.k3sVersion]))
            .apply((v) =>
                cluster.servers.map((server, i) => ({
                    node: `${cluster.name}/${server.host}`,
                    policyHash: v[4 * i] as string,
                    restarted: v[4 * i + 1] as boolean,
                    apiServerReady: v[4 * i + 2] as boolean,
                    k3sVersion: v[4 * i + 3] as string,
                })),
            );
        this.registerOutputs({ nodes: this.nodes });
    }
}
