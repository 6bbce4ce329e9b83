import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { K3sCluster, K3sServer } from "../components/config/k3s";
// Deep path, names on the k3s surface: the barrel would load the provider SDK.
import {
    buildVerifyCommand,
    k3sClustersOf,
    knownHostsLine,
    NodeFacts,
    parseVerifyOutput,
    Problem,
    problemLine,
    VerifyTestOverrides,
    verifyProblems,
} from "../components/k3s/verify";
import { CliError } from "./errors";
import { EVIDENCE_VERIFY_HELP, EvidenceVerifyDeps, evidenceVerifyCommand, isEvidenceMode } from "./evidence-verify-command";
import { SHIPPED_POLICY } from "./io";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const VERIFY_HELP = `Usage: akko-audit verify --stack NAME [--cluster NAME] [--identity-file PATH] [--bastion-identity-file PATH]
                         [--parallel N] [--timeout SECONDS] [--max-event-age DURATION] [--json] [--project-dir DIR]

Read-only check of every k3s server node of the stack, over SSH with the stack's settings (host, port, user,
pinned host key, bastion): the running k3s server's effective kube-apiserver audit flags, the audit policy's
and the drop-in's sha256 against what the stack installs, their modes and the audit log's (0600), the age of
the newest audit event in the log, and config files changed after k3s started. Nothing on a node is changed.
The SSH key: --identity-file PATH (the key stored in sshPrivateKeySecret; the secret is not readable offline),
else ssh-agent. --parallel: nodes at once (default 16); --timeout: seconds per node (default 60);
--max-event-age: oldest acceptable newest event, e.g. 90s, 15m, 1h (default 1h).
Prints one line per problem, "<cluster>/<host>: <what> — <fix>", and progress (N/M nodes) on stderr.
Exit: 0 every node matches the stack, 1 drift or a node not checked, 2 bad usage.

With --from/--to (online) or --digests/--events (offline), verify checks the tamper evidence instead: the
signed digest chain of each cluster's audit events against what Loki (or an export) holds now. The two
option sets do not mix.

${EVIDENCE_VERIFY_HELP}`;

const DEFAULT_PARALLEL = 16;
const DEFAULT_TIMEOUT_SECONDS = 60;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 3600;
/** Seconds per SSH connection attempt (the component's per-dial timeout). */
const CONNECT_TIMEOUT_SECONDS = 15;
const PROGRESS_INTERVAL_MS = 1000;

/** Test hooks: the simulated nodes' temporary roots and stubs, and the clock of the progress lines. */
export interface VerifyDeps {
    overrides?: (cluster: K3sCluster, server: K3sServer) => VerifyTestOverrides;
    now?: () => number;
    /** The evidence check's hooks (clock, environment, fetch). */
    evidence?: EvidenceVerifyDeps;
}

export interface NodeReport {
    node: string;
    cluster: string;
    host: string;
    /** Whether verify.sh ran on the node (false: SSH or the script failed; the problem says why). */
    checked: boolean;
    problems: (Problem & { line: string })[];
    facts?: NodeFacts;
}

interface SshResult {
    code: number;
    stdout: string;
    stderr: string;
    timedOut: boolean;
}

function intOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
    if (text === undefined) return fallback;
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) throw new CliError(`verify: --${name} ${JSON.stringify(text)}; allowed: a whole number from ${min} to ${max}`);
    return n;
}

function durationOption(text: string | undefined): number {
    if (text === undefined) return DEFAULT_MAX_EVENT_AGE_SECONDS;
    const m = /^(\d+)(s|m|h)$/.exec(text);
    if (!m || Number(m[1]) === 0) throw new CliError(`verify: --max-event-age ${JSON.stringify(text)}; allowed: a duration such as 90s, 15m or 1h`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
}

function readableFile(option: string, file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    try {
        readFileSync(file);
    } catch (e) {
        throw new CliError(`verify: --${option} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return path.resolve(file);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** ssh options for one endpoint: no user config, batch mode, its key pinned in our own known_hosts file. */
function endpointOptions(knownHosts: string | undefined, identity: string | undefined): string[] {
    const pin = knownHosts
        ? ["-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${knownHosts}`]
        : // dangerouslySkipHostKeyCheck with no key in the stack: what the component does too.
          ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"];
    return [
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        `ConnectTimeout=${CONNECT_TIMEOUT_SECONDS}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        ...pin,
        ...(identity ? ["-i", identity, "-o", "IdentitiesOnly=yes"] : []),
    ];
}

/** Runs the command over the system ssh client; kills it (and a ProxyCommand child) after timeoutMs. */
function runSsh(args: string[], timeoutMs: number): Promise<SshResult> {
    return new Promise((resolve) => {
        // Its own process group: a timeout kills the jump-host ssh too.
        const p = spawn("ssh", args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => {
            timedOut = true;
            try {
                process.kill(-p.pid!, "SIGKILL");
            } catch {
                p.kill("SIGKILL");
            }
        }, timeoutMs);
        p.on("error", (e) => {
            clearTimeout(timer);
            resolve({ code: 255, stdout, stderr: `ssh: ${e.message}`, timedOut });
        });
        p.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 255, stdout, stderr, timedOut });
        });
    });
}

/** The first line of a failure, short: messages quote at most that, never the command. */
const firstLine = (text: string) =>
    (
        text
            .split("\n")
            .map((l) => l.trim())
            .find((l) => l.length > 0) ?? "no message"
    ).slice(0, 200);

interface Run {
    stack: string;
    identity?: string;
    bastionIdentity?: string;
    timeoutSeconds: number;
    maxEventAgeSeconds: number;
    policySha256: string;
    workDir: string;
    deps: VerifyDeps;
}

async function verifyNode(run: Run, cluster: K3sCluster, index: number): Promise<NodeReport> {
    const server = cluster.servers[index];
    const node = `${cluster.name}/${server.host}`;
    const report: NodeReport = { node, cluster: cluster.name, host: server.host, checked: false, problems: [] };
    const add = (p: Problem) => report.problems.push({ ...p, line: problemLine(cluster, server, p) });
    const where = `servers[${index}]`;

    let knownHosts: string | undefined;
    const pins = [
        ...(server.hostKey ? [knownHostsLine(server.host, server.port, server.hostKey)] : []),
        ...(server.bastion?.hostKey ? [knownHostsLine(server.bastion.host, server.bastion.port, server.bastion.hostKey)] : []),
    ];
    if (pins.length > 0) {
        knownHosts = path.join(run.workDir, `known_hosts-${createHash("sha256").update(node).digest("hex").slice(0, 16)}`);
        writeFileSync(knownHosts, pins.join("\n") + "\n", { mode: 0o600 });
    }
    const args = [...endpointOptions(server.hostKey ? knownHosts : undefined, run.identity), "-p", String(server.port)];
    if (server.bastion) {
        const b = server.bastion;
        const jump = [
            "ssh",
            ...endpointOptions(b.hostKey ? knownHosts : undefined, run.bastionIdentity ?? run.identity),
            "-p",
            String(b.port),
            "-W",
            "%h:%p",
            `${b.user}@${b.host}`,
        ];
        args.push("-o", `ProxyCommand=${jump.map(quote).join(" ")}`);
    }
    args.push(`${server.user}@${server.host}`, buildVerifyCommand(cluster, server, run.deps.overrides?.(cluster, server)));

    const r = await runSsh(args, run.timeoutSeconds * 1000);
    const via = server.bastion ? ` through bastion ${server.bastion.host}:${server.bastion.port}` : "";
    if (r.timedOut) {
        add({ what: `no answer within ${run.timeoutSeconds}s${via}`, fix: `check the node and the network, or raise --timeout` });
        return report;
    }
    if (r.code === 255) {
        const msg = firstLine(r.stderr);
        if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(r.stderr))
            add({
                // ssh's own text here is a banner of '@' lines: not worth quoting.
                what: `host key does not match ${where}.hostKey${via}`,
                fix: `compare with ssh-keyscan -t ed25519 ${server.host}; update hostKey only if the node's key changed on purpose`,
            });
        else if (/permission denied/i.test(r.stderr))
            add({
                what: `SSH login as ${server.user} refused${via} (${msg})`,
                fix: `pass --identity-file with the key in secret config ${cluster.sshPrivateKeySecret}, or add it to ssh-agent`,
            });
        else
            add({
                what: `unreachable over SSH${via} (${msg})`,
                fix: `check that the node is up and sshd listens on ${server.host}:${server.port} (${where} in the stack)`,
            });
        return report;
    }
    if (r.code !== 0) {
        const sudo = /sudo/i.test(r.stderr);
        add({
            what: `verify.sh failed on the node (exit ${r.code}: ${firstLine(r.stderr)})`,
            fix: sudo
                ? `allow ${server.user} passwordless sudo (sudo -n), as akko-audit up needs too, or log in as root`
                : "look at the node's state",
        });
        return report;
    }
    let facts: NodeFacts;
    try {
        facts = parseVerifyOutput(r.stdout);
    } catch (e) {
        add({ what: `${(e as Error).message}`, fix: "check that the login shell is POSIX (sh, bash, dash, zsh)" });
        return report;
    }
    report.checked = true;
    report.facts = facts;
    for (const p of verifyProblems(cluster, facts, {
        policySha256: run.policySha256,
        maxEventAgeSeconds: run.maxEventAgeSeconds,
        applyCommand: `akko-audit up --stack ${run.stack}`,
    }))
        add(p);
    return report;
}

export async function verifyCommand(args: string[], out: Output, deps: VerifyDeps = {}): Promise<number> {
    // --from/--to/--digests/--events choose the evidence check; it refuses the SSH options itself, by name.
    if (isEvidenceMode(args)) return evidenceVerifyCommand(args, out, deps.evidence ?? (deps.now ? { now: deps.now } : {}));
    const evidenceOnly = ["--public-key", "--store-url", "--loki-url", "--loki-password-file", "--lateness"].find((o) =>
        args.some((a) => a === o || a.startsWith(`${o}=`)),
    );
    if (evidenceOnly)
        throw new CliError(
            `verify: ${evidenceOnly} is an option of the evidence check; add --from T --to T (or --digests/--events), or drop it for the SSH node check`,
        );
    const opts = parseOptions("verify", args, {
        stack: { type: "string" },
        cluster: { type: "string" },
        "identity-file": { type: "string" },
        "bastion-identity-file": { type: "string" },
        parallel: { type: "string" },
        timeout: { type: "string" },
        "max-event-age": { type: "string" },
        json: { type: "boolean" },
        "project-dir": { type: "string" },
    });
    if (opts.help) return (out.stdout(VERIFY_HELP), 0);
    const parallel = intOption("parallel", opts.parallel, DEFAULT_PARALLEL, 1, 256);
    const timeoutSeconds = intOption("timeout", opts.timeout, DEFAULT_TIMEOUT_SECONDS, 1, 3600);
    const maxEventAgeSeconds = durationOption(opts["max-event-age"]);
    const identity = readableFile("identity-file", opts["identity-file"]);
    const bastionIdentity = readableFile("bastion-identity-file", opts["bastion-identity-file"]);
    const config = loadStackForCli(opts.stack, opts["project-dir"], "verify", out);
    if (typeof config === "number") return config;

    const all = k3sClustersOf(config.clusters);
    const clusters = opts.cluster === undefined ? all : all.filter((c) => c.name === opts.cluster);
    if (clusters.length === 0) {
        const names = all.map((c) => c.name);
        throw new CliError(
            opts.cluster === undefined
                ? `verify: stack ${config.stack} has no k3s cluster; allowed: a stack with k3s clusters (only k3s nodes are reached over SSH)`
                : `verify: --cluster ${JSON.stringify(opts.cluster)}; allowed: ${names.length > 0 ? names.join(", ") : "none (the stack has no k3s cluster)"}`,
        );
    }

    const targets = clusters.flatMap((c) => c.servers.map((_, i) => ({ cluster: c, index: i })));
    const workDir = mkdtempSync(path.join(tmpdir(), "akko-verify-"));
    const run: Run = {
        stack: config.stack,
        identity,
        bastionIdentity,
        timeoutSeconds,
        maxEventAgeSeconds,
        policySha256: createHash("sha256").update(readFileSync(SHIPPED_POLICY)).digest("hex"),
        workDir,
        deps,
    };
    const now = deps.now ?? Date.now;
    const reports: NodeReport[] = new Array(targets.length);
    let next = 0;
    let done = 0;
    let lastProgress = -Infinity;
    const worker = async () => {
        while (next < targets.length) {
            const i = next++;
            reports[i] = await verifyNode(run, targets[i].cluster, targets[i].index);
            done++;
            const t = now();
            if (done === targets.length || t - lastProgress >= PROGRESS_INTERVAL_MS) {
                lastProgress = t;
                out.stderr(`verify: ${done}/${targets.length} nodes`);
            }
        }
    };
    try {
        await Promise.all(Array.from({ length: Math.min(parallel, targets.length) }, worker));
    } finally {
        rmSync(workDir, { recursive: true, force: true });
    }

    const problems = reports.flatMap((r) => r.problems);
    const drifted = reports.filter((r) => r.problems.length > 0).length;
    if (opts.json) out.stdout(JSON.stringify({ stack: config.stack, nodes: reports, problems: problems.length }, null, 2));
    else {
        for (const p of problems) out.stdout(p.line);
        out.stdout(
            drifted === 0
                ? `stack ${config.stack}: ${reports.length} k3s node(s) match the stack`
                : `stack ${config.stack}: ${drifted} of ${reports.length} k3s node(s) differ from the stack (${problems.length} problem(s))`,
        );
    }
    return problems.length > 0 ? 1 : 0;
}
