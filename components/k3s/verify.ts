/**
 * `akko-audit verify` for one k3s server node, pure: the read-only command it runs (scripts/verify.sh), the
 * parse of what that prints, and the comparison with what the stack would install (render.ts). The CLI
 * does the SSH; nothing here touches a node.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { K3sCluster, K3sServer } from "../config/k3s";
import type { ClusterConfig } from "../config/stack";
import { nodeLabel, pinnedHostKey } from "./commands";
import { k3sPlatform } from "./describe";
import { K3S_DROPIN_PATH, K3S_POLICY_PATH, renderDropIn } from "./render";
import { SCRIPTS_DIR } from "./scripts";
import { buildRemoteCommand } from "./shell";

/** The read-only report script (runs as root). */
export const VERIFY_SH = readFileSync(path.join(SCRIPTS_DIR, "verify.sh"), "utf8");
/** Files akko-audit installs, and the log the API server writes, must be readable by root only. */
export const EXPECTED_MODE = "600";

/** Test hooks, as in NodeTestOverrides: a temporary root and stub directories first on PATH. */
export interface VerifyTestOverrides {
    root?: string;
    pathPrefix?: string;
}

/** The command line run over SSH: verify.sh through `sudo -n` unless the login user is root. */
export function buildVerifyCommand(cluster: K3sCluster, server: K3sServer, overrides: VerifyTestOverrides = {}): string {
    const env: Record<string, string> = {
        AKKO_NODE: nodeLabel(cluster, server),
        AKKO_SERVICE: cluster.serviceName,
        AKKO_POLICY_PATH: K3S_POLICY_PATH,
        AKKO_DROPIN_PATH: K3S_DROPIN_PATH,
        AKKO_AUDIT_LOG_PATH: cluster.auditLogPath,
    };
    if (overrides.root !== undefined) env.AKKO_ROOT = overrides.root;
    if (overrides.pathPrefix !== undefined) env.AKKO_PATH_PREFIX = overrides.pathPrefix;
    return buildRemoteCommand(VERIFY_SH, env, { sudo: server.user !== "root" });
}

/** What verify.sh saw on the node. */
export interface NodeFacts {
    /** Main PID of the k3s unit; 0 when it does not run. */
    pid: number;
    /** Process start, node clock (epoch seconds). */
    startedAt?: number;
    cmdline: string;
    execStart: string;
    /** The k3s config file the process reads. */
    configFile: string;
    argsSource: "command line" | "config files";
    /** The effective kube-apiserver-arg list, in order ("name=value"). */
    apiserverArgs: string[];
    changedAfterStart: string[];
    policy?: { sha256: string; mode: string };
    dropIn?: { sha256: string; mode: string };
    log?: { mode: string; newestEvent?: string };
    /** The node's clock (epoch seconds): event ages are measured against it, not the operator's. */
    now: number;
}

/** Parses verify.sh's "key=value" lines; throws a one-line error when they are not its output. */
export function parseVerifyOutput(stdout: string): NodeFacts {
    const kv: [string, string][] = stdout
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]);
    const one = (k: string) => kv.find(([key]) => key === k)?.[1];
    const all = (k: string) => kv.filter(([key]) => key === k).map(([, v]) => v);
    const now = Number(one("now"));
    if (one("pid") === undefined || !Number.isFinite(now)) throw new Error("the node's answer is not verify.sh's report");
    const file = (key: string) => (one(`${key}.sha256`) ? { sha256: one(`${key}.sha256`)!, mode: one(`${key}.mode`) ?? "" } : undefined);
    return {
        pid: Number(one("pid")) || 0,
        startedAt: one("started") ? Number(one("started")) : undefined,
        cmdline: one("cmdline") ?? "",
        execStart: one("execstart") ?? "",
        configFile: one("config") ?? "",
        argsSource: one("args-source") === "command line" ? "command line" : "config files",
        apiserverArgs: all("arg"),
        changedAfterStart: all("changed-after-start"),
        policy: file("policy"),
        dropIn: file("dropin"),
        log: one("log.mode") !== undefined ? { mode: one("log.mode")!, newestEvent: one("log.newest") || undefined } : undefined,
        now,
    };
}

/** The kube-apiserver flags the stack's drop-in sets, as [name, value], from the drop-in itself. */
export function expectedApiserverFlags(cluster: K3sCluster): [string, string][] {
    return renderDropIn(cluster)
        .split("\n")
        .map((l) => /^ {2}- ([a-z-]+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]);
}

export interface VerifyExpectation {
    /** sha256 of the policy text the stack installs. */
    policySha256: string;
    /** An audit log whose newest event is older than this is stale. */
    maxEventAgeSeconds: number;
    /** How the fix lines name the apply (e.g. "akko-audit up --stack prod"). */
    applyCommand: string;
}

export interface Problem {
    what: string;
    fix: string;
}

/** "2h5m", "40s": a human age for messages. */
export function formatAge(seconds: number): string {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)}h${m ? `${m}m` : ""}`;
}

const short = (hash: string) => hash.slice(0, 12);

/** Every difference between the node and the stack, in a fixed order (flags, files, modes, log). */
export function verifyProblems(cluster: K3sCluster, facts: NodeFacts, want: VerifyExpectation): Problem[] {
    const problems: Problem[] = [];
    const up = `run '${want.applyCommand}'`;
    const unit = cluster.serviceName;
    if (facts.pid === 0) {
        problems.push({
            what: `k3s server is not running (systemd unit ${unit} has no main process)`,
            fix: `start it (sudo systemctl start ${unit}), then verify again`,
        });
    }
    // For a repeated flag the API server keeps the last one.
    const effective = new Map<string, string>();
    for (const arg of facts.apiserverArgs) {
        const a = arg.replace(/^--/, "");
        const eq = a.indexOf("=");
        if (eq < 0) effective.set(a, "");
        else effective.set(a.slice(0, eq), a.slice(eq + 1));
    }
    const flagFix =
        facts.argsSource === "command line"
            ? `kube-apiserver-arg on the k3s command line (${unit} ExecStart) overrides the config files: move it into ${facts.configFile}, then ${up}`
            : up;
    for (const [name, value] of expectedApiserverFlags(cluster)) {
        const got = effective.get(name);
        if (got === undefined) problems.push({ what: `kube-apiserver flag ${name} is not set (${facts.argsSource})`, fix: flagFix });
        else if (got !== value)
            problems.push({ what: `kube-apiserver flag ${name} is ${got}, the stack sets ${value} (${facts.argsSource})`, fix: flagFix });
    }
    for (const f of facts.changedAfterStart) {
        problems.push({
            what: `${f} changed after k3s started: the running API server does not use it yet`,
            fix: `restart k3s (sudo systemctl restart ${unit})`,
        });
    }
    const file = (label: string, p: string, got: { sha256: string; mode: string } | undefined, wantSha: string) => {
        if (!got) {
            problems.push({ what: `${label} ${p} is missing`, fix: up });
            return;
        }
        if (got.sha256 !== wantSha)
            problems.push({
                what: `${label} ${p} has sha256 ${short(got.sha256)}, the stack installs ${short(wantSha)}`,
                fix: `${up} (it overwrites local edits)`,
            });
        if (got.mode !== EXPECTED_MODE)
            problems.push({ what: `${label} ${p} has mode 0${got.mode}, expected 0${EXPECTED_MODE}`, fix: `sudo chmod 0${EXPECTED_MODE} ${p}` });
    };
    file("audit policy", K3S_POLICY_PATH, facts.policy, want.policySha256);
    file("drop-in", K3S_DROPIN_PATH, facts.dropIn, createHash("sha256").update(renderDropIn(cluster)).digest("hex"));
    const log = cluster.auditLogPath;
    const journal = `check the API server's audit flags and disk (journalctl -u ${unit})`;
    if (!facts.log) problems.push({ what: `audit log ${log} does not exist`, fix: journal });
    else {
        if (facts.log.mode !== EXPECTED_MODE)
            problems.push({
                what: `audit log ${log} has mode 0${facts.log.mode}, expected 0${EXPECTED_MODE}`,
                fix: `sudo chmod 0${EXPECTED_MODE} ${log}`,
            });
        const at = facts.log.newestEvent ? Date.parse(facts.log.newestEvent) / 1000 : NaN;
        if (!Number.isFinite(at)) problems.push({ what: `audit log ${log} has no audit event at its end`, fix: journal });
        else if (facts.now - at > want.maxEventAgeSeconds)
            problems.push({
                what: `newest audit event in ${log} is ${formatAge(facts.now - at)} old (limit ${formatAge(want.maxEventAgeSeconds)})`,
                fix: journal,
            });
    }
    return problems;
}

/** One report line: "<cluster>/<host>: <what> — <fix>". */
export const problemLine = (cluster: K3sCluster, server: K3sServer, p: Problem) => `${nodeLabel(cluster, server)}: ${p.what} — ${p.fix}`;

/** The k3s clusters of a stack (the only kind with SSH server nodes to look at). */
export function k3sClustersOf(clusters: readonly ClusterConfig[]): K3sCluster[] {
    return clusters.filter((c): c is K3sCluster => c.kind === k3sPlatform.kind);
}

/** A known_hosts line pinning an endpoint's key, as OpenSSH looks it up ("[host]:port" unless port 22). */
export function knownHostsLine(host: string, port: number, hostKey: string): string {
    return `${port === 22 ? host : `[${host}]:${port}`} ${pinnedHostKey(hostKey)}`;
}
