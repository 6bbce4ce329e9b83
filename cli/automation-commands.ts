import * as path from "node:path";
import { AuditProgram, AutomationError, destroy, preview, Progress, progressLine, refresh, RunSummary, StackSource, up } from "../automation";
import { CliError } from "./errors";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export type AutomationCommand = "preview" | "up" | "refresh" | "destroy";
export const AUTOMATION_COMMANDS: readonly AutomationCommand[] = ["preview", "up", "refresh", "destroy"];

export const AUTOMATION_HELP = `Usage: akko-audit preview|up|refresh|destroy --stack NAME [--project-dir DIR] [--policy-pack DIR] [--verbose] [--yes]

Runs the program on a stack through the Pulumi Automation API: preview shows what would change, up applies
it, refresh reads the stack's resources back from the clouds into its state (drift), destroy removes what the
stack created (it needs --yes). Only up creates a stack that does not exist yet; the others fail, naming the
stacks there. Uses Pulumi.yaml and Pulumi.<NAME>.yaml of the project directory (default: the current one):
their backend and config, secrets decrypted by the Pulumi CLI.
The config is validated offline first; bad config prints every problem and exits 1 before anything is touched.
Shows progress (resources done / total, current cluster) on stderr; --verbose also streams Pulumi's output.
--policy-pack DIR enforces a CrossGuard pack (e.g. policy/pack) on preview and up (the Automation API runs
no packs on refresh or destroy).
Needs the Pulumi CLI and the clouds' credentials. Exit: 0 done, 1 failed (one line says why), 2 bad usage.`;

/** What the commands run against; tests replace the Automation API boundary and the clock. */
export interface AutomationDeps {
    /** Default: LocalWorkspace (the Pulumi CLI). */
    stacks?: StackSource;
    /** Default: auditRolloutProgram (the AuditRollout program, as index.ts runs it). */
    program?: AuditProgram;
    /** Milliseconds clock for throttling progress lines. Default: Date.now. */
    now?: () => number;
    /** Least time between two progress lines (a new cluster or a failure always prints). Default 1000. */
    progressIntervalMs?: number;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

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
    if ((op === "refresh" || op === "destroy") && opts["policy-pack"] !== undefined) {
        throw new CliError(
            `${op}: --policy-pack ${opts["policy-pack"]}: not supported on ${op} (the Automation API runs no policy packs there, it would be ignored); allowed on preview and up`,
        );
    }
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
    const run = { preview, up, refresh, destroy }[op];
    try {
        const r = await run({
            stackName: config.stack,
            // Default: the program reading the stack of projectDir (its clustersFile too), see run().
            ...(deps.program ? { program: deps.program } : {}),
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
