/**
 * Loads the GitHub Actions workflows for the tests (they cannot run here: no runner, no cloud). Parses them
 * with the `yaml` package as GitHub would read them, keeping the raw text for the pin comments.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const ROOT = path.resolve(__dirname, "../..");
export const WORKFLOWS = path.join(ROOT, ".github", "workflows");

/** The Pulumi SDK the program runs on: package.json's `@pulumi/pulumi`. The workflows install the CLI of the same release. */
export const PULUMI_SDK_VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> })
    .dependencies["@pulumi/pulumi"];

/** What the `pulumi-version` input of pulumi/actions is: the output of the job's `Pulumi CLI version` step. */
export const PULUMI_VERSION_INPUT = "${{ steps.pulumi-cli.outputs.version }}";

/** The step of a job with this name, exactly one. */
export function stepNamed(job: Job, name: string): Step {
    const found = job.steps.filter((s) => s.name === name);
    if (found.length !== 1) throw new Error(`expected one step named ${name}, found ${found.length}`);
    return found[0];
}

export interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

export interface Job {
    name?: string;
    if?: string;
    "runs-on": string;
    permissions?: Record<string, string>;
    environment?: string | { name: string; url?: string };
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix?: { stack?: string[] }; "fail-fast"?: boolean };
    env?: Record<string, string>;
    steps: Step[];
}

export interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    jobs: Record<string, Job>;
}

export function loadWorkflow(file: string): { text: string; doc: Workflow } {
    const text = readFileSync(path.join(WORKFLOWS, file), "utf8");
    // `on` must stay a string key: YAML 1.2 (the yaml package's default, like GitHub's parser) has no `on: true`.
    return { text, doc: parse(text, { uniqueKeys: true }) as Workflow };
}

/** Every `uses:` line of a workflow file, as written (with its trailing comment). */
export function usesLines(text: string): string[] {
    return text
        .split("\n")
        .filter((l) => /^\s*(-\s+)?uses:/.test(l))
        .map((l) => l.trim().replace(/^-\s+/, ""));
}

/** A `uses:` line pinned to a full commit SHA with the release tag as a trailing comment. */
export const PINNED_USES = /^uses: ([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$/;

/** The step of a job that runs `action` (owner/repo), exactly one. */
export function stepUsing(job: Job, action: string): Step {
    const found = job.steps.filter((s) => s.uses?.split("@")[0] === action);
    if (found.length !== 1) throw new Error(`expected one step using ${action}, found ${found.length}`);
    return found[0];
}
