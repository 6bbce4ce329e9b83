import { DEFAULT_STAGE_DIR, K3sCluster, K3sServer } from "../config/k3s";
import { buildRemoteCommand } from "./shell";

// Defined next to the schema, which keeps the audit log out of it.
export { DEFAULT_STAGE_DIR };

/**
 * Test hooks: the integration tests and the bench point the scripts at a temporary root with stub
 * systemctl/k3s/journalctl first on PATH. Production never sets them.
 */
export interface NodeTestOverrides {
    /** AKKO_ROOT: prefix for every node path. */
    root?: string;
    /** AKKO_PATH_PREFIX: directories put first on PATH (sshd resets PATH, so it travels in the command). */
    pathPrefix?: string;
    /** Absolute stage directory (default DEFAULT_STAGE_DIR under the login directory). */
    stageDir?: string;
}

export interface NodeCommandInput {
    cluster: K3sCluster;
    server: K3sServer;
    /** The id of the node's bundle (buildBundle). */
    bundleId: string;
    /** policyHash(policy, drop-in): launch.sh checks the bundle's pair against it; the change preview reads it (a new one restarts k3s). */
    policyHash: string;
    overrides?: NodeTestOverrides;
}

export interface NodeCommands {
    /** As the login user: run.sh apply from the bundle (preflight, then launch.sh as root); prints the result JSON line. */
    apply: string;
    /** The same with remove (the apply Command's delete). */
    remove: string;
    /** Where the upload puts bundles: the CopyToRemote's remotePath (the bundle lands in `<bundlesDir>/<id>`). */
    bundlesDir: string;
    /** The bundle's directory on the node. */
    bundleDir: string;
}

/** Name of a node in messages and on the node: "<cluster>/<host>". */
export const nodeLabel = (cluster: K3sCluster, server: K3sServer) => `${cluster.name}/${server.host}`;

/**
 * Runs the bundle's run.sh, or says what to do when the bundle is not on the node (re-imaged, or its
 * directory removed by hand): the upload runs only when the bundle's content changes.
 */
export const BOOT_SCRIPT = [
    `if [ -r "$AKKO_BUNDLE/run.sh" ]; then exec /bin/sh "$AKKO_BUNDLE/run.sh"; fi`,
    `printf 'akko-audit: node %s: bundle %s is not on the node (re-imaged, or removed by hand); nothing was changed; upload it again: pulumi up --replace <URN of its -bundle resource>\\n' "$AKKO_NODE" "$AKKO_BUNDLE" >&2`,
    "exit 3",
].join("\n");

/** The exact command lines the component runs on one server node (pure; the integration tests run them). */
export function buildNodeCommands(input: NodeCommandInput): NodeCommands {
    const { cluster, server, overrides = {} } = input;
    const bundlesDir = `${overrides.stageDir ?? DEFAULT_STAGE_DIR}/bundles`;
    const bundleDir = `${bundlesDir}/${input.bundleId}`;
    const env: Record<string, string> = {
        AKKO_BUNDLE: bundleDir,
        AKKO_NODE: nodeLabel(cluster, server),
        AKKO_POLICY_HASH: input.policyHash,
        AKKO_SUDO: server.user !== "root" ? "sudo -n" : "",
    };
    if (overrides.root !== undefined) env.AKKO_ROOT = overrides.root;
    if (overrides.pathPrefix !== undefined) env.AKKO_PATH_PREFIX = overrides.pathPrefix;
    return {
        apply: buildRemoteCommand(BOOT_SCRIPT, { ...env, AKKO_ACTION: "apply" }, { sudo: false }),
        remove: buildRemoteCommand(BOOT_SCRIPT, { ...env, AKKO_ACTION: "remove" }, { sudo: false }),
        bundlesDir,
        bundleDir,
    };
}

/** The run's result as launch.sh prints it (the last JSON line of its stdout). */
export interface NodeResult {
    runId: string;
    action: "apply" | "remove";
    status: "ok" | "failed";
    node: string;
    policyHash: string;
    restarted: boolean;
    apiServerReady: boolean;
    k3sVersion: string;
    message: string;
}

/** Parses the last JSON line of the apply command's stdout; throws a one-line error otherwise. */
export function parseNodeResult(stdout: string): NodeResult {
    const line = stdout
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .pop();
    if (!line) throw new Error(`akko-audit: no result line in the node's output (${JSON.stringify(stdout.slice(0, 200))})`);
    return JSON.parse(line) as NodeResult;
}

/** The host key in the form connection.hostKey takes ("type base64"), without a known_hosts host field. */
export function pinnedHostKey(line: string): string {
    const parts = line.trim().split(/\s+/);
    return parts.length >= 3 ? parts.slice(1, 3).join(" ") : parts.join(" ");
}
