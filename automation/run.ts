import {
    ConfigMap,
    DestroyResult,
    EngineEvent,
    InlineProgramArgs,
    LocalWorkspace,
    LocalWorkspaceOptions,
    OpMap,
    OutputMap,
    PreviewResult,
    RefreshResult,
    Stack,
    StackNotFoundError,
    UpResult,
} from "@pulumi/pulumi/automation";
import { ConfigError, showValue } from "../components/config/errors";
import { AuditStackInput, PROJECT_NAME, toConfigMap, validateInput } from "./config";
import { AutomationError, describeError, Operation } from "./errors";
import { AuditProgram, auditRolloutProgramIn } from "./program";
import { changesByType, initialProgress, Progress, reduceProgress } from "./progress";

/** The part of a Pulumi Automation API stack these functions use. */
export type AutomationStack = Pick<Stack, "name" | "setAllConfig" | "preview" | "up" | "refresh" | "destroy" | "outputs">;

/**
 * Where stacks come from: LocalWorkspace (the default, which drives the Pulumi CLI). Tests pass a stub of
 * exactly this boundary, since neither the CLI nor a backend exists there.
 */
export interface StackSource {
    /** Used by `up` only: the one operation that may create the stack. */
    createOrSelectStack(args: InlineProgramArgs, opts?: LocalWorkspaceOptions): Promise<AutomationStack>;
    /** Every other operation: fails with the SDK's StackNotFoundError, creates nothing. */
    selectStack(args: InlineProgramArgs, opts?: LocalWorkspaceOptions): Promise<AutomationStack>;
    /** The backend's stack names, to name them when a stack is not found. Optional: without it they are not named. */
    listStacks?(args: InlineProgramArgs, opts?: LocalWorkspaceOptions): Promise<string[]>;
}

/** The default StackSource: the SDK's LocalWorkspace. */
const localStacks: StackSource = {
    createOrSelectStack: (args, opts) => LocalWorkspace.createOrSelectStack(args, opts),
    selectStack: (args, opts) => LocalWorkspace.selectStack(args, opts),
    async listStacks(args, opts) {
        // As LocalWorkspace.selectStack does: without a workDir, a temporary project of this name.
        const ws = await LocalWorkspace.create({
            ...opts,
            program: args.program,
            ...(opts?.workDir ? {} : { projectSettings: { name: args.projectName, runtime: "nodejs" as const } }),
        });
        return (await ws.listStacks()).map((s) => s.name);
    },
};

export interface StackOptions {
    /** The stack name, e.g. prod. */
    stackName: string;
    /** Directory with Pulumi.yaml and Pulumi.<stack>.yaml (their backend and config are used). Default: a temporary project. */
    workDir?: string;
    /** Extra environment for the Pulumi CLI (e.g. PULUMI_CONFIG_PASSPHRASE, PULUMI_BACKEND_URL). Default: none. */
    envVars?: Record<string, string>;
    /** Default: LocalWorkspace. */
    stacks?: StackSource;
}

export interface RunOptions extends StackOptions {
    /**
     * The inline program. Default: auditRolloutProgram, the program `pulumi up` runs from index.ts, reading
     * akko-audit:clustersFile from workDir (else the working directory).
     */
    program?: AuditProgram;
    /**
     * Config to set on the stack before the run (validated first; replaces `clusters`, `logs` and the given
     * secrets). Default: none — the stack's existing config (Pulumi.<stack>.yaml in workDir) is used.
     * Setting config writes Pulumi.<stack>.yaml in workDir (values as JSON strings): give it a workDir of its
     * own (or none, a temporary project), not the repository's.
     */
    config?: AuditStackInput;
    /** Cluster names for progress attribution. Default: those of `config`, else none. */
    clusters?: string[];
    /** Steps expected in total (e.g. from a previous preview), for the progress total. Default: unknown. */
    expectedSteps?: number;
    /** Raw Pulumi CLI output as it streams. */
    onOutput?: (text: string) => void;
    /** Every engine event as it arrives. */
    onEvent?: (event: EngineEvent) => void;
    /** The progress after each event that changed it. */
    onProgress?: (progress: Progress) => void;
    /** Aborts the run (the CLI gets SIGINT and stops cleanly). */
    signal?: AbortSignal;
}

/**
 * Options of preview and up, the operations that can enforce policy packs. refresh and destroy take
 * RunOptions: the SDK's RefreshOptions and DestroyOptions (3.270) have no policyPacks.
 */
export interface PolicyRunOptions extends RunOptions {
    /** Policy packs to enforce (directories), e.g. policy/pack. Default: none. */
    policyPacks?: string[];
}

export interface RunSummary {
    operation: Exclude<Operation, "outputs">;
    stack: string;
    /**
     * Steps that change something, per resource type and operation (from the engine events). Empty for
     * refresh: its steps are reads ("refresh"); what it found is in `totals` (update: drifted, delete: gone).
     */
    changes: Record<string, OpMap>;
    /** The engine's totals per operation (PreviewResult.changeSummary, or the update's resourceChanges). */
    totals: OpMap;
    /** Per-cluster status from the stack's `clusters` output (up only; empty otherwise). */
    clusters: Record<string, unknown>;
    /** Other stack outputs (up only), secret ones shown as [secret]. */
    outputs: Record<string, unknown>;
    durationSeconds?: number;
    policyViolations: readonly string[];
    progress: Progress;
}

/** Stands in for a secret output value in summaries and logs. */
export const SECRET_OUTPUT = "[secret]";

/** Stack outputs as plain values, each secret one replaced by [secret]. */
export function plainOutputs(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? SECRET_OUTPUT : v.value]));
}

/**
 * Per-cluster status from the `clusters` output: an object keyed by cluster name, or a list of objects
 * with `name` (or `cluster`). Anything else gives no statuses.
 */
export function clusterStatuses(outputs: OutputMap): Record<string, unknown> {
    const out = outputs.clusters;
    if (!out) return {};
    if (out.secret) return { [SECRET_OUTPUT]: SECRET_OUTPUT };
    const v = out.value as unknown;
    if (Array.isArray(v)) {
        const entries = v
            .filter((c): c is Record<string, unknown> => typeof c === "object" && c !== null)
            .map((c) => [String(c.name ?? c.cluster ?? ""), c] as const)
            .filter(([name]) => name.length > 0);
        return Object.fromEntries(entries);
    }
    return typeof v === "object" && v !== null ? { ...(v as Record<string, unknown>) } : {};
}

function seconds(s: { startTime: Date; endTime: Date }): number {
    return (new Date(s.endTime).getTime() - new Date(s.startTime).getTime()) / 1000;
}

function workspaceOptions(o: StackOptions): LocalWorkspaceOptions {
    return { ...(o.workDir ? { workDir: o.workDir } : {}), ...(o.envVars ? { envVars: o.envVars } : {}) };
}

/**
 * The stack to run on. `up` creates it when missing (a new stack's first deployment, its config from
 * `config` or Pulumi.<stack>.yaml); every other operation selects it, so a misspelt name fails here and
 * creates nothing (a destroy of a freshly created, empty stack would report success).
 */
async function openStack(op: Operation, o: StackOptions, program: AuditProgram): Promise<AutomationStack> {
    const stacks = o.stacks ?? localStacks;
    const args: InlineProgramArgs = { stackName: o.stackName, projectName: PROJECT_NAME, program };
    const ws = workspaceOptions(o);
    if (op === "up") return stacks.createOrSelectStack(args, ws);
    try {
        return await stacks.selectStack(args, ws);
    } catch (e) {
        if (!(e instanceof StackNotFoundError)) throw e;
        // Best effort: the message is still exact without the list.
        const existing = stacks.listStacks ? await stacks.listStacks(args, ws).catch(() => undefined) : undefined;
        throw new AutomationError(describeError(e, o.stackName, op, [], existing), [], { cause: e });
    }
}

async function run(op: RunSummary["operation"], o: PolicyRunOptions): Promise<RunSummary> {
    if ((op === "refresh" || op === "destroy") && o.policyPacks !== undefined) {
        // The types do not offer it; a JavaScript caller (or a cast) still could, and the SDK would drop it.
        throw new AutomationError(
            `${op} of stack ${o.stackName}: option policyPacks: got ${showValue(o.policyPacks)}; allowed: none on ${op} (the Automation API of @pulumi/pulumi 3.270 cannot enforce policy packs on ${op}, they would be ignored); enforce them on preview and up`,
        );
    }
    let configMap: ConfigMap | undefined;
    let clusters = o.clusters ?? [];
    if (o.config) {
        // Bad config fails here, before any workspace, stack or config is touched.
        try {
            const valid = validateInput(o.stackName, o.config);
            configMap = toConfigMap(o.stackName, o.config);
            if (!o.clusters) clusters = valid.clusters.map((c) => c.name);
        } catch (e) {
            if (e instanceof ConfigError) throw new AutomationError(describeError(e, o.stackName, op), e.problems, { cause: e });
            throw e;
        }
    }
    let progress = initialProgress(clusters, o.expectedSteps);
    const onEvent = (event: EngineEvent) => {
        const next = reduceProgress(progress, event);
        if (next !== progress) {
            progress = next;
            o.onProgress?.(progress);
        }
        o.onEvent?.(event);
    };
    try {
        const stack = await openStack(op, o, o.program ?? auditRolloutProgramIn(o.workDir));
        if (configMap) await stack.setAllConfig(configMap);
        const common = { onOutput: o.onOutput, onEvent, ...(o.signal ? { signal: o.signal } : {}) };
        const withPolicies = { ...common, ...(o.policyPacks ? { policyPacks: o.policyPacks } : {}) };
        let totals: OpMap;
        let outputs: OutputMap = {};
        let durationSeconds: number | undefined;
        if (op === "preview") {
            const r: PreviewResult = await stack.preview(withPolicies);
            totals = r.changeSummary;
        } else if (op === "up") {
            const r: UpResult = await stack.up(withPolicies);
            totals = r.summary.resourceChanges ?? {};
            outputs = r.outputs;
            durationSeconds = seconds(r.summary);
        } else if (op === "refresh") {
            const r: RefreshResult = await stack.refresh(common);
            totals = r.summary.resourceChanges ?? {};
            durationSeconds = seconds(r.summary);
        } else {
            const r: DestroyResult = await stack.destroy(common);
            totals = r.summary.resourceChanges ?? {};
            durationSeconds = seconds(r.summary);
        }
        const { clusters: _clusters, ...rest } = plainOutputs(outputs);
        return {
            operation: op,
            stack: o.stackName,
            changes: changesByType(progress),
            totals,
            clusters: clusterStatuses(outputs),
            outputs: rest,
            ...(durationSeconds !== undefined ? { durationSeconds } : progress.summary ? { durationSeconds: progress.summary.durationSeconds } : {}),
            policyViolations: progress.policyViolations,
            progress,
        };
    } catch (e) {
        if (e instanceof AutomationError) throw e;
        throw new AutomationError(describeError(e, o.stackName, op, progress.errors), [], { cause: e });
    }
}

/** `pulumi preview` of the inline program on an existing stack: what would change, per resource type. */
export function preview(o: PolicyRunOptions): Promise<RunSummary> {
    return run("preview", o);
}

/** `pulumi up` of the inline program: applies it (creating the stack if missing) and returns the per-cluster status outputs. */
export function up(o: PolicyRunOptions): Promise<RunSummary> {
    return run("up", o);
}

/** `pulumi refresh` of an existing stack: reads every resource back from the clouds into the stack's state (nothing in the clouds changes). */
export function refresh(o: RunOptions): Promise<RunSummary> {
    return run("refresh", o);
}

/** `pulumi destroy` of an existing stack: removes everything it created (audit logging is switched back off). */
export function destroy(o: RunOptions): Promise<RunSummary> {
    return run("destroy", o);
}

/** The outputs of an existing stack (never creates one): per-cluster status and the rest, secrets as [secret]. */
export async function outputs(o: StackOptions): Promise<{ clusters: Record<string, unknown>; outputs: Record<string, unknown> }> {
    try {
        // Reading outputs does not run the program; the SDK still wants one for an inline stack.
        const stack = await openStack("outputs", o, async () => ({}));
        const out = await stack.outputs();
        const { clusters: _clusters, ...rest } = plainOutputs(out);
        return { clusters: clusterStatuses(out), outputs: rest };
    } catch (e) {
        if (e instanceof AutomationError) throw e;
        throw new AutomationError(describeError(e, o.stackName, "outputs"), [], { cause: e });
    }
}
