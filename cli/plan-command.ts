import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CONFIG_NAMESPACE, StackConfig } from "../components/config/stack";
import { Plan, planText, summarise } from "../components/plan/plan";
import { changePreview, changePreviewText } from "../components/plan/effects";
import { ProgramLoadError, runAsLanguageHost } from "../components/plan/host";
import { Registration } from "../components/plan/steps";
import { CliError } from "./errors";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const PLAN_HELP = `Usage: akko-audit plan --stack NAME [--base REF_OR_FILE] [--json] [--project-dir DIR]

Runs the program as 'pulumi preview' starts it (the Pulumi nodejs language host's loader and options from
Pulumi.yaml, the stack's config; the SDK's mock monitor instead of the engine: no credentials, no Pulumi
CLI, no network).

Without --base: every resource it would register (type, name, parent, dependencies, inputs; secrets as
[secret <digest>]), grouped by cluster, with the rollout's critical path. 'render' writes it as plan.json.

With --base: the change preview. REF_OR_FILE is a git ref of the project (its program and
Pulumi.<NAME>.yaml run the same way, with this checkout's node_modules) or a saved plan.json. Prints the
steps 'pulumi up' would take from the base to this checkout, by the engine's rules (aliases, ignoreChanges,
replaceOnChanges incl. what SDKs merge in, deleteBeforeReplace, retainOnDelete, protect), each in plain
words: "updates edge-paris/192.0.2.10 in place: restarts k3s", "runs the delete script on ...".
Exit 1 when a step would break a safety rule or the engine would refuse it.`;

/** The plan of the program in `projectDir`, run as the language host runs it. */
export async function planFor(config: StackConfig, projectDir: string): Promise<Plan> {
    const run = await hostRun(projectDir, config.stack, config.unsetSecrets);
    return summarise(config, run.resources, run.invokes);
}

async function hostRun(projectDir: string, stack: string, unsetSecrets: string[]) {
    try {
        // Secrets not set yet stand as placeholders, as if set: the program itself would refuse without them.
        return await runAsLanguageHost(projectDir, stack, { unsetSecrets: unsetSecrets.map((k) => `${CONFIG_NAMESPACE}:${k}`) });
    } catch (e) {
        if (e instanceof ProgramLoadError) throw new CliError(e.message, 1);
        throw e;
    }
}

/** The base's registrations: from a saved plan.json, or by running the program of a git ref. */
async function baseRegistrations(
    base: string,
    projectDir: string,
    stack: string,
    unsetSecrets: string[],
): Promise<{ label: string; resources: Registration[] }> {
    if (existsSync(base) && statSync(base).isFile()) {
        let doc: { stack?: string; registrations?: Registration[] };
        try {
            doc = JSON.parse(readFileSync(base, "utf8"));
        } catch (e) {
            throw new CliError(
                `plan: --base: ${base} is not JSON (${(e as Error).message.split("\n")[0]}); allowed: a plan.json written by 'render' or 'plan --json', or a git ref`,
            );
        }
        if (!Array.isArray(doc.registrations))
            throw new CliError(
                `plan: --base: ${base} has no "registrations"; allowed: a plan.json written by 'render' or 'plan --json' of this version`,
            );
        if (doc.stack !== stack)
            throw new CliError(
                `plan: --base: ${base} is a plan of stack ${JSON.stringify(doc.stack)}; allowed: a plan of stack ${JSON.stringify(stack)}`,
            );
        return { label: base, resources: doc.registrations };
    }
    const git = (args: string[], input?: Buffer) =>
        execFileSync("git", ["-C", projectDir, ...args], { input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 30 });
    let commit: string;
    let prefix: string;
    try {
        commit = git(["rev-parse", "--verify", "--quiet", `${base}^{commit}`])
            .toString()
            .trim();
        prefix = git(["rev-parse", "--show-prefix"]).toString().trim();
    } catch {
        throw new CliError(
            `plan: --base: got ${JSON.stringify(base)}; allowed: a git ref of ${projectDir} (branch, tag, commit) or a plan.json file`,
        );
    }
    const work = mkdtempSync(path.join(tmpdir(), "akko-base-"));
    try {
        execFileSync("tar", ["-x", "-C", work], { input: git(["archive", "--format=tar", commit]), maxBuffer: 1 << 30 });
        const baseDir = path.join(work, prefix);
        if (!existsSync(path.join(baseDir, `Pulumi.${stack}.yaml`)))
            return { label: `${base} (no Pulumi.${stack}.yaml: a new stack)`, resources: [] };
        // The base runs with this checkout's packages: one copy of the SDK, and nothing to install.
        rmSync(path.join(baseDir, "node_modules"), { recursive: true, force: true });
        symlinkSync(path.resolve(projectDir, "node_modules"), path.join(baseDir, "node_modules"), "dir");
        const run = await hostRun(baseDir, stack, unsetSecrets);
        return { label: `${base} (${commit.slice(0, 12)})`, resources: run.resources };
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

export async function planCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("plan", args, {
        stack: { type: "string" },
        base: { type: "string" },
        json: { type: "boolean" },
        "project-dir": { type: "string" },
    });
    if (opts.help) return (out.stdout(PLAN_HELP), 0);
    const config = loadStackForCli(opts.stack, opts["project-dir"], "plan", out);
    if (typeof config === "number") return config;
    const projectDir = path.resolve(opts["project-dir"] ?? process.cwd());
    if (opts.base === undefined) {
        const plan = await planFor(config, projectDir);
        out.stdout(opts.json ? JSON.stringify(plan, null, 2) : planText(plan));
        return 0;
    }
    const base = await baseRegistrations(opts.base, projectDir, config.stack, config.unsetSecrets);
    const head = await hostRun(projectDir, config.stack, config.unsetSecrets);
    const preview = changePreview(base, { label: "this checkout", resources: head.resources }, { project: head.project, stack: config.stack });
    out.stdout(opts.json ? JSON.stringify(preview, null, 2) : changePreviewText(preview));
    return preview.errors.length > 0 ? 1 : 0;
}
