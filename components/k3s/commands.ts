import { DEFAULT_STAGE_DIR, K3sCluster, K3sServer } from "../config/k3s";
import { dropInArgs, K3S_DROPIN_PATH, K3S_MANIFESTS_DIR, K3S_POLICY_PATH, NODE_STATE_DIR } from "./render";
import { CONVERGE_SH, EFFECTIVE_ARGS_SH, LAUNCH_SH, PREFLIGHT_SH } from "./scripts";
import { buildRemoteCommand } from "./shell";

// Defined next to the schema, which keeps the audit log out of it.
export { DEFAULT_STAGE_DIR };
/** Seconds to wait for the audit log's first event once the API server is ready. */
export const DEFAULT_AUDIT_EVENT_TIMEOUT_SECONDS = 30;
/** File names in the stage directory (launch.sh reads these). */
export const STAGED_POLICY = "audit-policy.yaml";
export const STAGED_DROPIN = "90-akko-audit.yaml";
export const stagedManifest = (fileName: string) => `manifest-${fileName}`;

/**
 * Test hooks: the integration tests and the bench point the scripts at a temporary root with stub
 * systemctl/k3s/journalctl first on PATH. Production never sets them.
 */
export interface NodeTestOverrides {
    /** AKKO_ROOT: prefix for every node path. */
    root?: string;
    /** AKKO_PATH_PREFIX: directories put first on PATH (sshd resets PATH, so it travels in the command). */
    pathPrefix?: string;
    /** AKKO_STAGE_DIR: absolute stage directory (default DEFAULT_STAGE_DIR under the login directory). */
    stageDir?: string;
    /** AKKO_DETACH: auto | systemd-run | setsid | nohup. */
    detach?: string;
    /** AKKO_POLL_INTERVAL in seconds (fractions allowed). */
    pollInterval?: string;
    /** AKKO_EVENT_TIMEOUT in seconds. */
    eventTimeoutSeconds?: number;
    /** AKKO_REQUEST_TIMEOUT: seconds one readiness request may take. */
    requestTimeoutSeconds?: number;
}

export interface NodeCommandInput {
    cluster: K3sCluster;
    server: K3sServer;
    /** policyHash(policy, dropIn). */
    policyHash: string;
    /** Extra manifest file names, in order. */
    manifestNames: string[];
    /** manifestsHash(...) of the extra manifests; empty skips the check on the node. */
    manifestsHash: string;
    overrides?: NodeTestOverrides;
}

export interface NodeCommands {
    /** As the login user: refusals, sudo check, stage directory. Prints {"k3sVersion",...}. */
    preflight: string;
    /** Preflight again, then (as root) launch.sh apply: prints the result JSON line. */
    apply: string;
    /** As root: launch.sh remove. */
    remove: string;
    /** The stage directory the uploads go to. */
    stageDir: string;
    /** Upload path of a staged file (STAGED_POLICY, STAGED_DROPIN, stagedManifest(name)). */
    stagePath(file: string): string;
}

/** Name of a node in messages and on the node: "<cluster>/<host>". */
export const nodeLabel = (cluster: K3sCluster, server: K3sServer) => `${cluster.name}/${server.host}`;

/** The exact command lines the component runs on one server node (pure; the integration tests run them). */
export function buildNodeCommands(input: NodeCommandInput): NodeCommands {
    const { cluster, server, overrides = {} } = input;
    const sudo = server.user !== "root";
    const stageDir = overrides.stageDir ?? DEFAULT_STAGE_DIR;
    const common: Record<string, string> = {
        AKKO_NODE: nodeLabel(cluster, server),
        AKKO_SERVICE: cluster.serviceName,
        AKKO_STAGE_DIR: stageDir,
    };
    if (overrides.root !== undefined) common.AKKO_ROOT = overrides.root;
    if (overrides.pathPrefix !== undefined) common.AKKO_PATH_PREFIX = overrides.pathPrefix;
    const runEnv: Record<string, string> = {
        ...common,
        AKKO_POLICY_PATH: K3S_POLICY_PATH,
        AKKO_DROPIN_PATH: K3S_DROPIN_PATH,
        AKKO_AUDIT_LOG_PATH: cluster.auditLogPath,
        AKKO_MANIFESTS_DIR: K3S_MANIFESTS_DIR,
        AKKO_STATE_DIR: NODE_STATE_DIR,
        AKKO_READY_TIMEOUT: String(cluster.readyTimeoutSeconds),
        AKKO_EVENT_TIMEOUT: String(overrides.eventTimeoutSeconds ?? DEFAULT_AUDIT_EVENT_TIMEOUT_SECONDS),
        AKKO_WORKER_SCRIPT: CONVERGE_SH,
    };
    if (overrides.detach !== undefined) runEnv.AKKO_DETACH = overrides.detach;
    if (overrides.pollInterval !== undefined) runEnv.AKKO_POLL_INTERVAL = overrides.pollInterval;
    if (overrides.requestTimeoutSeconds !== undefined) runEnv.AKKO_REQUEST_TIMEOUT = String(overrides.requestTimeoutSeconds);

    const preflightEnv = {
        ...common,
        AKKO_SUDO: sudo ? "sudo -n" : "",
        // The effective-args check: the drop-in's flags must be the ones k3s will really run with.
        AKKO_EFFECTIVE_ARGS_SCRIPT: EFFECTIVE_ARGS_SH,
        AKKO_DROPIN_PATH: K3S_DROPIN_PATH,
        AKKO_EXPECT_ARGS: dropInArgs(cluster).join("\n"),
    };
    const preflight = buildRemoteCommand(PREFLIGHT_SH, preflightEnv, { sudo: false });
    const launchApply = buildRemoteCommand(
        LAUNCH_SH,
        {
            ...runEnv,
            AKKO_ACTION: "apply",
            AKKO_POLICY_HASH: input.policyHash,
            AKKO_MANIFESTS: input.manifestNames.join(" "),
            AKKO_MANIFESTS_HASH: input.manifestsHash,
        },
        { sudo },
    );
    const remove = buildRemoteCommand(LAUNCH_SH, { ...runEnv, AKKO_ACTION: "remove" }, { sudo });
    return {
        preflight,
        // Preflight again right before the change: the node may have changed since the first check.
        apply: `${preflight} >/dev/null && ${launchApply}`,
        remove,
        stageDir,
        stagePath: (file) => `${stageDir}/${file}`,
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
