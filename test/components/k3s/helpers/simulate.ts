/**
 * Runs on a simulated node exactly what K3sServerAuditLogging registers, in the same order and with the same
 * command strings: the bundle (buildBundle, written as writeBundle writes it) uploaded over real SFTP as
 * CopyToRemote does, then the apply Command (buildNodeCommands) with the secret manifests on its stdin;
 * remove is the apply Command's delete.
 */
import { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { K3sCluster, K3sClusterSchema } from "../../../../components/config/k3s";
import { BundleTestSettings, buildBundle, NodeBundle, writeBundle } from "../../../../components/k3s/bundle";
import { buildNodeCommands, NodeCommands, NodeResult, NodeTestOverrides, parseNodeResult } from "../../../../components/k3s/commands";
import { K3sManifest, stdinManifests } from "../../../../components/k3s/manifests";
import { policyHash, renderDropIn } from "../../../../components/k3s/render";
import { RunResult, SimNode } from "./sshd-node";

export const SHIPPED_POLICY_TEXT = readFileSync(path.join(__dirname, "../../../../policy/audit-policy.yaml"), "utf8");

/** The local bundle cache of this test process (the component's default is the user's cache directory). */
let cacheDir: string | undefined;
export function testBundleCache(): string {
    if (!cacheDir) {
        const dir = (cacheDir = mkdtempSync(path.join(os.tmpdir(), "akko-bundles-")));
        process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    }
    return cacheDir;
}

/** A validated k3s cluster whose servers are the given simulated nodes (host keys pinned). */
export function simCluster(name: string, nodes: SimNode[], extra: Partial<K3sCluster> = {}): K3sCluster {
    const parsed = K3sClusterSchema.parse({
        name,
        kind: "k3s",
        sshPrivateKeySecret: "testKey",
        servers: nodes.map((n) => ({ host: "127.0.0.1", port: n.port, user: "root", hostKey: n.hostKey })),
    });
    // Short timeouts below the schema's minimum: the stubs answer at once.
    return { ...parsed, readyTimeoutSeconds: 4, ...extra };
}

/** Test knobs: per node (its root, stubs, stage directory) and per bundle (short timeouts, setsid). */
export type SimOverrides = NodeTestOverrides & BundleTestSettings;

export function simOverrides(node: SimNode, extra: SimOverrides = {}): SimOverrides {
    return {
        root: node.root,
        pathPrefix: node.stubDir,
        stageDir: path.join(node.root, "stage"),
        detach: "setsid",
        pollInterval: "0.1",
        eventTimeoutSeconds: 3,
        requestTimeoutSeconds: 2,
        ...extra,
    };
}

export interface NodeRun {
    commands: NodeCommands;
    bundle: NodeBundle;
    upload: RunResult;
    apply?: RunResult;
    result?: NodeResult;
}

export interface ApplyOptions {
    policy?: string;
    /** Plain manifests (in the bundle). */
    manifests?: { fileName: string; content: string }[];
    /** Secret manifests (over the apply command's stdin). */
    secretManifests?: { fileName: string; content: string }[];
    overrides?: SimOverrides;
    /** Called with the ssh client process of the apply command (to kill it mid-run). */
    onApplySpawn?: (p: ChildProcess) => void;
}

export function nodeBundle(cluster: K3sCluster, node: SimNode, opts: ApplyOptions = {}): NodeBundle {
    const o = simOverrides(node, opts.overrides);
    return buildBundle({
        cluster,
        policy: opts.policy ?? SHIPPED_POLICY_TEXT,
        manifests: opts.manifests ?? [],
        stdinManifestNames: (opts.secretManifests ?? []).map((m) => m.fileName),
        settings: {
            detach: o.detach,
            pollInterval: o.pollInterval,
            eventTimeoutSeconds: o.eventTimeoutSeconds,
            requestTimeoutSeconds: o.requestTimeoutSeconds,
        },
    });
}

export function nodeCommands(cluster: K3sCluster, index: number, node: SimNode, opts: ApplyOptions = {}): NodeCommands {
    const o = simOverrides(node, opts.overrides);
    return buildNodeCommands({
        cluster,
        server: cluster.servers[index],
        bundleId: nodeBundle(cluster, node, opts).id,
        policyHash: policyHash(opts.policy ?? SHIPPED_POLICY_TEXT, renderDropIn(cluster)),
        overrides: { root: o.root, pathPrefix: o.pathPrefix, stageDir: o.stageDir },
    });
}

/** The apply command's stdin, as the component sends it (the secret manifests). */
export async function nodeStdin(opts: ApplyOptions): Promise<string | undefined> {
    const secret = (opts.secretManifests ?? []).map((m): K3sManifest => ({ ...m, secret: true }));
    if (secret.length === 0) return undefined;
    return new Promise((resolve) => stdinManifests(secret).apply((s) => resolve(s)));
}

/** Uploads the bundle as CopyToRemote does (the whole directory, into <bundlesDir>/<id>). */
export async function uploadBundle(cluster: K3sCluster, index: number, node: SimNode, opts: ApplyOptions = {}): Promise<RunResult> {
    const local = writeBundle(nodeBundle(cluster, node, opts), testBundleCache());
    return node.sftpPutDir(local, nodeCommands(cluster, index, node, opts).bundlesDir);
}

/** upload -> apply, stopping at the first failure, as Pulumi would. */
export async function applyNode(cluster: K3sCluster, index: number, node: SimNode, opts: ApplyOptions = {}): Promise<NodeRun> {
    const commands = nodeCommands(cluster, index, node, opts);
    const run: NodeRun = { commands, bundle: nodeBundle(cluster, node, opts), upload: await uploadBundle(cluster, index, node, opts) };
    if (run.upload.code !== 0) return run;
    run.apply = await node.ssh(commands.apply, { onSpawn: opts.onApplySpawn, stdin: await nodeStdin(opts) });
    if (run.apply.stdout.includes("{")) run.result = parseNodeResult(run.apply.stdout);
    return run;
}

/** The apply Command's delete (the bundle it names must be on the node, as after the last apply). */
export async function removeNode(
    cluster: K3sCluster,
    index: number,
    node: SimNode,
    opts: ApplyOptions = {},
): Promise<{ run: RunResult; result?: NodeResult }> {
    const run = await node.ssh(nodeCommands(cluster, index, node, opts).remove, { stdin: await nodeStdin(opts) });
    return { run, result: run.stdout.includes("{") ? parseNodeResult(run.stdout) : undefined };
}
