import { remote } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { K3sCluster } from "../config/k3s";
import { buildBundle, writeBundle } from "./bundle";
import { buildNodeCommands, NodeResult, nodeLabel, parseNodeResult, pinnedHostKey } from "./commands";
import { K3sManifest, refuseSecretContent, stdinManifests } from "./manifests";
import { K3S_SERVER_TYPE } from "./describe";
import { policyHash, renderDropIn } from "./render";

export { K3S_SERVER_TYPE };
/** Seconds per SSH dial attempt. */
export const DEFAULT_PER_DIAL_TIMEOUT_SECONDS = 15;
/** Dial attempts before a node counts as unreachable (the provider's default, 10, takes minutes). */
export const DEFAULT_DIAL_ERROR_LIMIT = 3;

export interface K3sServerAuditLoggingArgs {
    /** The validated k3s cluster (components/config/k3s.ts). Required. */
    cluster: K3sCluster;
    /** Index of this node in cluster.servers. Required. */
    serverIndex: number;
    /** SSH private key; made secret if it is not. Required unless cluster.sshAuth is set (K3sAuditLogging reads it from secret config). */
    privateKey?: pulumi.Input<string>;
    /** The bastion's SSH private key. Default: privateKey, else the cluster's SSH agent. */
    bastionPrivateKey?: pulumi.Input<string>;
    /** The audit policy text. Required (K3sAuditLogging passes policy/audit-policy.yaml). */
    policy: string;
    /** Manifests for k3s's auto-deploy directory, removed on delete. Default none. */
    extraManifests?: K3sManifest[];
    /** Where the bundle is written on the machine running Pulumi. Default bundleCacheDir() ($XDG_CACHE_HOME/akko-audit/bundles). */
    bundleCacheDir?: string;
}

/**
 * One k3s server node, two SSH-connected resources: `<name>-bundle` uploads the cluster's bundle (scripts,
 * policy, drop-in, plain manifests, settings; content-addressed, so it is uploaded only when its content
 * changes), and `<name>-apply` runs the bundle's run.sh (preflight, then a detached converge with rollback;
 * delete puts the node back). The commands in state are a few hundred bytes: the bundle's id and the node.
 */
export class K3sServerAuditLogging extends pulumi.ComponentResource {
    /** sha256 of the policy and drop-in now on the node. */
    readonly policyHash: pulumi.Output<string>;
    /** Whether this run restarted k3s. */
    readonly restarted: pulumi.Output<boolean>;
    /** Whether /readyz answered ok at the end of the run. */
    readonly apiServerReady: pulumi.Output<boolean>;
    /** k3s version on the node (e.g. v1.30.4+k3s1). */
    readonly k3sVersion: pulumi.Output<string>;
    /** The upload of the cluster's bundle into the node's stage directory. */
    readonly bundle: remote.CopyToRemote;
    /** The apply command (HA: the next server depends on it). */
    readonly apply: remote.Command;

    constructor(name: string, args: K3sServerAuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(K3S_SERVER_TYPE, name, {}, opts);
        const { cluster } = args;
        const server = cluster.servers[args.serverIndex];
        if (!server) throw new Error(`${K3S_SERVER_TYPE} ${name}: serverIndex: got ${args.serverIndex}; allowed: 0 to ${cluster.servers.length - 1}`);
        if (!server.hostKey && !cluster.dangerouslySkipHostKeyCheck) {
            throw new pulumi.RunError(
                `${K3S_SERVER_TYPE} ${name}: cluster.servers[${args.serverIndex}].hostKey: missing; allowed: the node's public host key, or dangerouslySkipHostKeyCheck: true on the cluster`,
            );
        }
        const manifests = args.extraManifests ?? [];
        const plainManifests = manifests.filter((m) => !m.secret);
        const secretManifests = manifests.filter((m) => m.secret);
        const bundle = pulumi.all(plainManifests.map((m) => m.content)).apply((contents) =>
            buildBundle({
                cluster,
                policy: args.policy,
                manifests: plainManifests.map((m, i) => ({ fileName: m.fileName, content: contents[i] })),
                stdinManifestNames: secretManifests.map((m) => m.fileName),
            }),
        );
        // A manifest not marked secret is written to the bundle on local disk: refuse one that is a secret Output.
        const plainChecked = pulumi.output(refuseSecretContent(`${K3S_SERVER_TYPE} ${name}`, plainManifests).then(() => true));
        const hash = policyHash(args.policy, renderDropIn(cluster));
        const commands = bundle.apply((b) => buildNodeCommands({ cluster, server, bundleId: b.id, policyHash: hash }));
        const stdin = secretManifests.length > 0 ? stdinManifests(secretManifests) : undefined;

        if (args.privateKey === undefined && !cluster.sshAuth)
            throw new pulumi.RunError(
                `${K3S_SERVER_TYPE} ${name}: privateKey: missing; allowed: an SSH private key, or cluster.sshAuth: { agent: true } (SSH agent)`,
            );
        // With the agent, no key is in the inputs (nor state). An unset agentSocketPath makes the provider read
        // SSH_AUTH_SOCK; the provider also offers the agent after a key whenever SSH_AUTH_SOCK is set.
        const privateKey = args.privateKey !== undefined ? pulumi.secret(args.privateKey) : undefined;
        const agentSocketPath = privateKey === undefined ? cluster.sshAuth?.agentSocket : undefined;
        const connection: remote.CommandArgs["connection"] = {
            host: server.host,
            port: server.port,
            user: server.user,
            privateKey,
            agentSocketPath,
            hostKey: server.hostKey ? pinnedHostKey(server.hostKey) : undefined,
            perDialTimeout: DEFAULT_PER_DIAL_TIMEOUT_SECONDS,
            dialErrorLimit: DEFAULT_DIAL_ERROR_LIMIT,
            // Without a bastion host key the proxy hop is unpinned: only with dangerouslySkipHostKeyCheck.
            proxy: server.bastion
                ? {
                      host: server.bastion.host,
                      port: server.bastion.port,
                      user: server.bastion.user,
                      privateKey: args.bastionPrivateKey !== undefined ? pulumi.secret(args.bastionPrivateKey) : privateKey,
                      agentSocketPath: args.bastionPrivateKey === undefined ? agentSocketPath : undefined,
                      hostKey: server.bastion.hostKey ? pinnedHostKey(server.bastion.hostKey) : undefined,
                      perDialTimeout: DEFAULT_PER_DIAL_TIMEOUT_SECONDS,
                      dialErrorLimit: DEFAULT_DIAL_ERROR_LIMIT,
                  }
                : undefined,
        };
        // No `triggers`: @pulumi/command replaces a command whose triggers change (the provider marks them
        // replaceOnChanges and the SDK adds `replaceOnChanges: ["triggers[*]"]`), and a replaced apply's delete
        // script would put the node back as it was before akko-audit. The content hashes are in the commands
        // themselves instead, so a change is an in-place update that runs `update`. Stacks created by 0.1.0
        // hold triggers in state: ignoring them keeps their old value, which is not a change (removing the key
        // would itself be a replace).
        const ignoreChanges = ["triggers"];
        // Output could quote k3s's journal; nothing from the node goes to the Pulumi log.
        const logging = remote.Logging.None;

        const upload = (this.bundle = new remote.CopyToRemote(
            `${name}-bundle`,
            {
                connection,
                // A FileArchive: state keeps its path and hash, not its content. The engine compares archives by
                // hash only, so another machine's cache path is no change; a new hash is an update (a new copy).
                // (Not pulumi.all: it would copy the bundle's Map into a plain object.)
                source: plainChecked.apply(() =>
                    bundle.apply((b) => new pulumi.asset.FileArchive(writeBundle(b, args.bundleCacheDir)) as pulumi.asset.Archive),
                ),
                remotePath: commands.apply((c) => c.bundlesDir),
            },
            // HA: the previous server's apply (K3sAuditLogging passes it as dependsOn); children do not
            // inherit a component's dependsOn, so it goes on the first child.
            { parent: this, dependsOn: opts?.dependsOn, ignoreChanges },
        ));
        // One idempotent run for create and update (without `update`, the provider runs `create` again: one copy
        // of the command in state, not two). A changed bundle (its id is in the command) or secret manifest
        // (stdin) is an update in place, restarting k3s only if the policy or drop-in changed. `delete` runs
        // only when the node leaves the stack (destroy, or removed from config).
        this.apply = new remote.Command(
            `${name}-apply`,
            {
                connection,
                create: commands.apply((c) => c.apply),
                delete: commands.apply((c) => c.remove),
                stdin,
                logging,
                addPreviousOutputInEnv: false,
            },
            // stderr can quote k3s's journal on failure: kept secret in state. Its delete script turns the node's
            // audit log off: protected unless the cluster opts in (the upload deletes nothing).
            {
                parent: this,
                dependsOn: [upload],
                additionalSecretOutputs: ["stderr"],
                ignoreChanges,
                protect: !cluster.allowAuditOff,
            },
        );

        const result: pulumi.Output<NodeResult> = this.apply.stdout.apply((out) => parseNodeResult(out));
        this.policyHash = result.apply((r) => r.policyHash);
        this.restarted = result.apply((r) => r.restarted);
        this.apiServerReady = result.apply((r) => r.apiServerReady);
        this.k3sVersion = result.apply((r) => r.k3sVersion);
        this.registerOutputs({
            node: nodeLabel(cluster, server),
            policyHash: this.policyHash,
            restarted: this.restarted,
            apiServerReady: this.apiServerReady,
            k3sVersion: this.k3sVersion,
        });
    }
}
