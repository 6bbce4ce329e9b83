/**
 * Runs on a simulated node exactly what K3sServerAuditLogging registers, in the same order and with the same
 * command strings (buildNodeCommands): the preflight Command, the CopyToRemote uploads (here over real
 * SFTP), then the apply Command; remove is the apply Command's delete.
 */
import { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { K3sCluster, K3sClusterSchema } from "../../../../components/config/k3s";
import {
    buildNodeCommands,
    NodeCommands,
    NodeResult,
    NodeTestOverrides,
    parseNodeResult,
    STAGED_DROPIN,
    STAGED_POLICY,
    stagedManifest,
} from "../../../../components/k3s/commands";
import { manifestsHash, policyHash, renderDropIn } from "../../../../components/k3s/render";
import { RunResult, SimNode } from "./sshd-node";

export const SHIPPED_POLICY_TEXT = readFileSync(path.join(__dirname, "../../../../policy/audit-policy.yaml"), "utf8");

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

export function simOverrides(node: SimNode, extra: NodeTestOverrides = {}): NodeTestOverrides {
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
    preflight: RunResult;
    upload?: RunResult;
    apply?: RunResult;
    result?: NodeResult;
}

export interface ApplyOptions {
    policy?: string;
    manifests?: { fileName: string; content: string }[];
    overrides?: NodeTestOverrides;
    /** Called with the ssh client process of the apply command (to kill it mid-run). */
    onApplySpawn?: (p: ChildProcess) => void;
}

export function nodeCommands(cluster: K3sCluster, index: number, node: SimNode, opts: ApplyOptions = {}): NodeCommands {
    const policy = opts.policy ?? SHIPPED_POLICY_TEXT;
    const manifests = opts.manifests ?? [];
    return buildNodeCommands({
        cluster,
        server: cluster.servers[index],
        policyHash: policyHash(policy, renderDropIn(cluster)),
        manifestNames: manifests.map((m) => m.fileName),
        manifestsHash: manifestsHash(manifests),
        overrides: simOverrides(node, opts.overrides),
    });
}

/** preflight -> uploads -> apply, stopping at the first failure, as Pulumi would. */
export async function applyNode(cluster: K3sCluster, index: number, node: SimNode, opts: ApplyOptions = {}): Promise<NodeRun> {
    const policy = opts.policy ?? SHIPPED_POLICY_TEXT;
    const commands = nodeCommands(cluster, index, node, opts);
    const run: NodeRun = { commands, preflight: await node.ssh(commands.preflight) };
    if (run.preflight.code !== 0) return run;
    const files: Record<string, string> = {
        [commands.stagePath(STAGED_POLICY)]: policy,
        [commands.stagePath(STAGED_DROPIN)]: renderDropIn(cluster),
    };
    for (const m of opts.manifests ?? []) files[commands.stagePath(stagedManifest(m.fileName))] = m.content;
    run.upload = await node.sftpPut(files);
    if (run.upload.code !== 0) return run;
    run.apply = await node.ssh(commands.apply, { onSpawn: opts.onApplySpawn });
    if (run.apply.stdout.includes("{")) run.result = parseNodeResult(run.apply.stdout);
    return run;
}

export async function removeNode(
    cluster: K3sCluster,
    index: number,
    node: SimNode,
    opts: ApplyOptions = {},
): Promise<{ run: RunResult; result?: NodeResult }> {
    const run = await node.ssh(nodeCommands(cluster, index, node, opts).remove);
    return { run, result: run.stdout.includes("{") ? parseNodeResult(run.stdout) : undefined };
}
