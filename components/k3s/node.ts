import { remote } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { K3sCluster } from "../config/k3s";
import { buildBundle, NodeBundle, writeBundle } from "./bundle";
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
        if (args.privateKey === undefined && !cluster.sshAuth)
            throw new pulumi.RunError(
                `${K3S_SERVER_TYPE} ${name}: privateKey: missing; allowed: an SSH private key, or cluster.sshAuth: { agent: true } (SSH agent)`,
            );
        const files = clusterFiles(name, args, opts?.parent);
        const commandsOf = (b: NodeBundle) => buildNodeCommands({ cluster, server, bundleId: b.id, policyHash: files.policyHash });
        // Plain strings when the bundle is (no Output per command line); else from the bundle Output.
        let commands: { [K in "apply" | "remove" | "bundlesDir"]: pulumi.Input<string> };
        if (pulumi.Output.isInstance<NodeBundle>(files.bundle)) {
            const later = files.bundle.apply(commandsOf);
            commands = { apply: later.apply((c) => c.apply), remove: later.apply((c) => c.remove), bundlesDir: later.apply((c) => c.bundlesDir) };
        } else commands = commandsOf(files.bundle);
        const stdin = files.stdin;

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
        // themselves instead, so a change is an in-place update that runs the command again. Stacks created by 0.1.0
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
                source: files.source,
                remotePath: commands.bundlesDir,
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
                create: commands.apply,
                delete: commands.remove,
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

/** What the server nodes of one cluster share: built (and the bundle written) once per cluster, not once per node. */
interface ClusterFiles {
    /** The cluster's bundle: plain when every plain manifest is a string (the rollout's case), else an Output. */
    bundle: NodeBundle | pulumi.Output<NodeBundle>;
    /** The bundle in the local cache, the upload's source (a FileArchive: state keeps its path and hash). */
    source: pulumi.asset.Archive | pulumi.Output<pulumi.asset.Archive>;
    /** policyHash(policy, drop-in). */
    policyHash: string;
    /** The apply command's stdin: the secret manifests. */
    stdin: pulumi.Output<string> | undefined;
}

interface SharedFiles {
    cluster: K3sCluster;
    policy: string;
    manifests: readonly K3sManifest[];
    cacheDir: string | undefined;
    files: ClusterFiles;
}

/** Per parent (a K3sAuditLogging, one per cluster and program run): what its nodes share. */
const sharedByParent = new WeakMap<pulumi.Resource, SharedFiles>();

const sameManifests = (a: readonly K3sManifest[], b: readonly K3sManifest[]) =>
    a.length === b.length && a.every((m, i) => m.fileName === b[i].fileName && m.content === b[i].content && m.secret === b[i].secret);

/**
 * The node's bundle, its local copy, the policy hash and the secret manifests' stdin. The servers of one cluster
 * (same parent, cluster, policy, manifests and cache) share them: the same values, built once.
 */
function clusterFiles(name: string, args: K3sServerAuditLoggingArgs, parent: pulumi.Resource | undefined): ClusterFiles {
    const { cluster, policy, bundleCacheDir: cacheDir } = args;
    const manifests = args.extraManifests ?? [];
    const known = parent ? sharedByParent.get(parent) : undefined;
    if (known && known.cluster === cluster && known.policy === policy && known.cacheDir === cacheDir && sameManifests(known.manifests, manifests))
        return known.files;

    const plainManifests = manifests.filter((m) => !m.secret);
    const secretManifests = manifests.filter((m) => m.secret);
    const stdinManifestNames = secretManifests.map((m) => m.fileName);
    const hash = policyHash(policy, renderDropIn(cluster));
    const stdin = secretManifests.length > 0 ? stdinManifests(secretManifests) : undefined;
    let files: ClusterFiles;
    const contents = plainManifests.map((m) => m.content);
    if (contents.every((c): c is string => typeof c === "string")) {
        // Plain strings cannot be secret: the bundle is built and written now, and its id is a plain string.
        const bundle = buildBundle({
            cluster,
            policy,
            manifests: plainManifests.map((m, i) => ({ fileName: m.fileName, content: contents[i] })),
            stdinManifestNames,
        });
        files = { bundle, source: new pulumi.asset.FileArchive(writeBundle(bundle, cacheDir)), policyHash: hash, stdin };
    } else {
        const bundle = pulumi.all(contents).apply((texts) =>
            buildBundle({
                cluster,
                policy,
                manifests: plainManifests.map((m, i) => ({ fileName: m.fileName, content: texts[i] })),
                stdinManifestNames,
            }),
        );
        // A manifest not marked secret is written to the bundle on local disk: refuse one that is a secret Output.
        const plainChecked = pulumi.output(refuseSecretContent(`${K3S_SERVER_TYPE} ${name}`, plainManifests).then(() => true));
        // (Not pulumi.all: it would copy the bundle's Map into a plain object.)
        const source = plainChecked.apply(() => bundle.apply((b) => new pulumi.asset.FileArchive(writeBundle(b, cacheDir)) as pulumi.asset.Archive));
        files = { bundle, source, policyHash: hash, stdin };
    }
    if (parent) sharedByParent.set(parent, { cluster, policy, manifests, cacheDir, files });
    return files;
}
