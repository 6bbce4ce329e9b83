import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { lintPolicy } from "../policy/engine";
import { renderArtifacts } from "./artifacts";
import { CliError } from "./errors";
import { SHIPPED_POLICY } from "./io";
import { Output } from "./output";
import { loadPolicyFile, parseOptions } from "./policy-commands";
import { planFor } from "./plan-command";
import { loadStackForCli } from "./stack";

export const RENDER_HELP = `Usage: akko-audit render --stack NAME --out DIR [--project-dir DIR]

Validates Pulumi.<NAME>.yaml offline (no cloud account, no Pulumi CLI, secrets need not be set yet) and
writes every artifact the stack would push into DIR: the audit policy, the k3s drop-ins, Alloy configs,
Loki values, the dashboard, a summary of the validated fleet and the offline plan (plan.json).
Bad config: every problem on its own line, exit 1. Unknown stack or unreadable file: exit 2.`;

export async function renderCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("render", args, { stack: { type: "string" }, out: { type: "string" }, "project-dir": { type: "string" } });
    if (opts.help) return (out.stdout(RENDER_HELP), 0);
    if (!opts.out) throw new CliError("render: --out DIR is required (see render --help)");
    const config = loadStackForCli(opts.stack, opts["project-dir"], "render", out);
    if (typeof config === "number") return config;
    const { policy, problems } = loadPolicyFile(SHIPPED_POLICY);
    const findings = policy ? lintPolicy(policy).map((f) => f.message) : problems!;
    if (findings.length > 0) {
        for (const f of findings) out.stderr(`${SHIPPED_POLICY}: ${f}`);
        return 1;
    }

    // Run as `pulumi up` starts the program: a program that would not load fails render too.
    const plan = await planFor(config, path.resolve(opts["project-dir"] ?? process.cwd()));
    const artifacts = [
        ...renderArtifacts(config),
        {
            path: "plan.json",
            content: JSON.stringify(plan, null, 2) + "\n",
            description: "every resource the program would register (offline plan, secrets as [secret <digest>]); 'plan --base' takes it",
        },
    ];
    const outDir = path.resolve(opts.out);
    try {
        for (const a of artifacts) {
            const file = path.join(outDir, a.path);
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, a.content);
        }
    } catch (e) {
        throw new CliError(`--out ${opts.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    out.stdout(`stack ${config.stack}: ${config.clusters.length} clusters valid; wrote ${artifacts.length} files to ${outDir}`);
    for (const a of artifacts) out.stdout(`  ${a.path}  ${a.description}`);
    return 0;
}
