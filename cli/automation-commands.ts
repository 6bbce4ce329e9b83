import * as path from "node:path";
import { AuditProgram, AutomationError, destroy, preview, Progress, progressLine, RunSummary, StackSource, up } from "../automation";
import type { StackConfig } from "../components/config/stack";
import { CliError } from "./errors";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export type AutomationCommand = "preview" | "up" | "destroy";
export const AUTOMATION_COMMANDS: readonly AutomationCommand[] = ["preview", "up", "destroy"];

export const AUTOMATION_HELP = `Usage: akko-audit preview|up|destroy --stack NAME [--project-dir DIR] [--policy-pack DIR] [--verbose] [--yes]

Runs the program on a stack through the Pulumi Automation API: preview shows what would change, up applies
it, destroy removes what the stack created (it needs --yes). Uses Pulumi.yaml and Pulumi.<NAME>.yaml of the
project directory (default: the current one): their backend and config, secrets decrypted by the Pulumi CLI.
The config is validated offline first; bad config prints every problem and exits 1 before anything is touched.
Shows progress (resources done / total, current cluster) on stderr; --verbose also streams Pulumi's output.
--policy-pack DIR enforces a CrossGuard pack (e.g. policy/pack).
Needs the Pulumi CLI and the clouds' credentials. Exit: 0 done, 1 failed (one line says why), 2 bad usage.`;

/** What the commands run against; tests replace the Automation API boundary and the clock. */
export interface AutomationDeps {
    /** Default: LocalWorkspace (the Pulumi CLI). */
    stacks?: StackSource;
    /** Default: the AuditRollout program (components/rollout). */
    program?: AuditProgram;
    /** Milliseconds clock for throttling progress lines. Default: Date.now. */
    now?: () => number;
    /** Least time between two progress lines (a new cluster or a failure always prints). Default 1000. */
    progressIntervalMs?: number;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

/**
 * The inline program: the same one `pulumi up` runs from index.ts. Loaded lazily (it pulls in every
 * provider SDK); components/rollout owns the program and its signature.
 */
export const rolloutProgram: AuditProgram = async () => {
    // require, not import(): the launcher registers tsx for CommonJS only.
    const { loadStackConfig } = require("../components/deployable") as typeof import("../components/deployable");
    const rollout = require("../components/rollout/program") as { auditProgram(config: StackConfig): unknown };
    const result = await rollout.auditProgram(loadStackConfig());
    return typeof result === "object" && result !== null ? (result as Record<string, unknown>) : {};
};

/** Prints progress lines on stderr: when something changed, at most every interval, always on a new cluster or failure. */
function progressPrinter(out: Output, now: () => number, intervalMs: number) {
    let lastLine = "";
    let lastAt = -Infinity;
    let lastCluster: string | undefined;
    let lastFailed = 0;
    const print = (p: Progress, force: boolean) => {
        const line = progressLine(p);
        if (line === lastLine) return;
        const t = now();
        if (!force && p.currentCluster === lastCluster && p.steps.failed === lastFailed && t - lastAt < intervalMs) return;
        out.stderr(line);
        lastLine = line;
        lastAt = t;
        lastCluster = p.currentCluster;
        lastFailed = p.steps.failed;
    };
    return { onProgress: (p: Progress) => print(p, false), final: (p: Progress) => print(p, true) };
}

function opCounts(ops: Record<string, number | undefined>): string {
    const parts = Object.entries(ops)
        .filter(([, n]) => (n ?? 0) > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${n}`);
    return parts.length > 0 ? parts.join(", ") : "no changes";
}

function printSummary(r: RunSummary, out: Output): void {
    const verb = r.operation === "preview" ? "would" : "did";
    out.stdout(`${r.operation} of stack ${r.stack}: ${opCounts(r.totals)}${r.durationSeconds !== undefined ? ` (${r.durationSeconds}s)` : ""}`);
    const types = Object.entries(r.changes);
    if (types.length > 0) out.stdout(`changes (${verb}), per resource type:`);
    for (const [type, ops] of types) out.stdout(`  ${type}: ${opCounts(ops)}`);
    for (const [name, status] of Object.entries(r.clusters)) out.stdout(`cluster ${name}: ${JSON.stringify(status)}`);
    for (const [key, value] of Object.entries(r.outputs)) out.stdout(`output ${key}: ${JSON.stringify(value)}`);
}

export async function automationCommand(op: AutomationCommand, args: string[], out: Output, deps: AutomationDeps = {}): Promise<number> {
    const opts = parseOptions(op, args, {
        stack: { type: "string" },
        "project-dir": { type: "string" },
        "policy-pack": { type: "string" },
        verbose: { type: "boolean" },
        yes: { type: "boolean" },
    });
    if (opts.help) return (out.stdout(AUTOMATION_HELP), 0);
    // Offline validation of Pulumi.<stack>.yaml first: bad config never reaches the Pulumi CLI.
    const config = loadStackForCli(opts.stack, opts["project-dir"], op, out, { allowUnsetSecrets: false });
    if (typeof config === "number") return config;
    if (op === "destroy" && !opts.yes) {
        throw new CliError(
            `destroy: removes everything stack ${config.stack} created (audit logging is switched off on ${config.clusters.length} clusters); pass --yes to confirm`,
        );
    }
    const projectDir = path.resolve(opts["project-dir"] ?? process.cwd());
    const printer = progressPrinter(out, deps.now ?? Date.now, deps.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
    let last: Progress | undefined;
    const run = { preview, up, destroy }[op];
    try {
        const r = await run({
            stackName: config.stack,
            program: deps.program ?? rolloutProgram,
            workDir: projectDir,
            clusters: config.clusters.map((c) => c.name),
            ...(opts["policy-pack"] ? { policyPacks: [path.resolve(opts["policy-pack"])] } : {}),
            ...(opts.verbose
                ? {
                      onOutput: (text: string) =>
                          void text
                              .split("\n")
                              .filter((l) => l.length > 0)
                              .forEach((l) => out.stdout(l)),
                  }
                : {}),
            onProgress: (p) => {
                last = p;
                printer.onProgress(p);
            },
            ...(deps.stacks ? { stacks: deps.stacks } : {}),
        });
        printer.final(r.progress);
        for (const v of r.policyViolations) out.stderr(`policy: ${v}`);
        printSummary(r, out);
        return 0;
    } catch (e) {
        if (!(e instanceof AutomationError)) throw e;
        if (last) {
            printer.final(last);
            for (const v of last.policyViolations) out.stderr(`policy: ${v}`);
            for (const err of last.errors.slice(1)) out.stderr(`error: ${err}`);
        }
        out.stderr(`akko-audit: ${e.message}`);
        return 1;
    }
}
