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
    Stack,
    UpResult,
} from "@pulumi/pulumi/automation";
import { ConfigError } from "../components/config/errors";
import { AuditStackInput, PROJECT_NAME, toConfigMap, validateInput } from "./config";
import { AutomationError, describeError, Operation } from "./errors";
import { changesByType, initialProgress, Progress, reduceProgress } from "./progress";

/** The inline Pulumi program (the AuditRollout program): returns the stack outputs. */
export type AuditProgram = () => Promise<Record<string, unknown>>;

/** The part of a Pulumi Automation API stack these functions use. */
export type AutomationStack = Pick<Stack, "name" | "setAllConfig" | "preview" | "up" | "destroy" | "outputs">;

/**
 * Where stacks come from: LocalWorkspace (the default, which drives the Pulumi CLI). Tests pass a stub of
 * exactly this boundary, since neither the CLI nor a backend exists there.
 */
export interface StackSource {
    createOrSelectStack(args: InlineProgramArgs, opts?: LocalWorkspaceOptions): Promise<AutomationStack>;
    selectStack(args: InlineProgramArgs, opts?: LocalWorkspaceOptions): Promise<AutomationStack>;
}

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
    /** The inline program. */
    program: AuditProgram;
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
    /** Policy packs to enforce (directories), e.g. policy/pack. Default: none. */
    policyPacks?: string[];
    /** Raw Pulumi CLI output as it streams. */
    onOutput?: (text: string) => void;
    /** Every engine event as it arrives. */
    onEvent?: (event: EngineEvent) => void;
    /** The progress after each event that changed it. */
    onProgress?: (progress: Progress) => void;
    /** Aborts the run (the CLI gets SIGINT and stops cleanly). */
    signal?: AbortSignal;
}

export interface RunSummary {
    operation: Exclude<Operation, "outputs">;
    stack: string;
    /** Steps that change something, per resource type and operation (from the engine events). */
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

async function run(op: RunSummary["operation"], o: RunOptions): Promise<RunSummary> {
    let configMap: ConfigMap | undefined;
    let clusters = o.clusters ?? [];
    if (o.config) {
        // Bad config fails here, before any workspace, stack or config is touched.
        try {
            const valid = validateInput(o.stackName, o.config);
            configMap = toConfigMap(o.stackName, o.config);
            if (!o.clusters) clusters = valid.clusters.map((c) => c.name);
        } catch (e) {
            if (e instanceof ConfigError) throw new AutomationError(describeError(e, o.stackName, op), e.problems);
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
        const stacks = o.stacks ?? LocalWorkspace;
        const stack = await stacks.createOrSelectStack(
            { stackName: o.stackName, projectName: PROJECT_NAME, program: o.program },
            workspaceOptions(o),
        );
        if (configMap) await stack.setAllConfig(configMap);
        const common = {
            onOutput: o.onOutput,
            onEvent,
            ...(o.policyPacks ? { policyPacks: o.policyPacks } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
        };
        let totals: OpMap;
        let outputs: OutputMap = {};
        let durationSeconds: number | undefined;
        if (op === "preview") {
            const r: PreviewResult = await stack.preview(common);
            totals = r.changeSummary;
        } else if (op === "up") {
            const r: UpResult = await stack.up(common);
            totals = r.summary.resourceChanges ?? {};
            outputs = r.outputs;
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
        throw new AutomationError(describeError(e, o.stackName, op, progress.errors));
    }
}

/** `pulumi preview` of the inline program: what would change, per resource type. */
export function preview(o: RunOptions): Promise<RunSummary> {
    return run("preview", o);
}

/** `pulumi up` of the inline program: applies it and returns the per-cluster status outputs. */
export function up(o: RunOptions): Promise<RunSummary> {
    return run("up", o);
}

/** `pulumi destroy`: removes everything the stack created (audit logging is switched back off). */
export function destroy(o: RunOptions): Promise<RunSummary> {
    return run("destroy", o);
}

/** The outputs of an existing stack (never creates one): per-cluster status and the rest, secrets as [secret]. */
export async function outputs(o: StackOptions): Promise<{ clusters: Record<string, unknown>; outputs: Record<string, unknown> }> {
    try {
        const stacks = o.stacks ?? LocalWorkspace;
        // Reading outputs does not run the program; the SDK still wants one for an inline stack.
        const stack = await stacks.selectStack({ stackName: o.stackName, projectName: PROJECT_NAME, program: async () => ({}) }, workspaceOptions(o));
        const out = await stack.outputs();
        const { clusters: _clusters, ...rest } = plainOutputs(out);
        return { clusters: clusterStatuses(out), outputs: rest };
    } catch (e) {
        throw new AutomationError(describeError(e, o.stackName, "outputs"));
    }
}
