/**
 * A stub of the Automation API boundary (StackSource / AutomationStack): there is no Pulumi CLI, backend
 * or engine here. It records what the code under test asks for, replays scripted engine events through the
 * caller's onEvent/onOutput as the CLI would, and returns results of the SDK's shapes.
 */
import type {
    ConfigMap,
    DestroyOptions,
    EngineEvent,
    InlineProgramArgs,
    LocalWorkspaceOptions,
    OutputMap,
    PreviewOptions,
    RefreshOptions,
    UpOptions,
} from "@pulumi/pulumi/automation";
import type { AutomationStack, StackSource } from "../../automation/run";

export interface Script {
    events?: EngineEvent[];
    output?: string[];
    /** Thrown by the operation after its events (as the SDK throws a CommandError after the CLI exits). */
    error?: unknown;
    /** Thrown by createOrSelectStack / selectStack. */
    selectError?: unknown;
    /** The backend's stacks, returned by listStacks. Default: listStacks fails (the listing is best effort). */
    stacks?: string[];
    outputs?: OutputMap;
    changeSummary?: Record<string, number>;
}

export interface Recorded {
    calls: string[];
    args?: InlineProgramArgs;
    wsOpts?: LocalWorkspaceOptions;
    config?: ConfigMap;
    /** The options of the last operation, as the SDK received them. */
    runOpts?: Partial<PreviewOptions & UpOptions & RefreshOptions & DestroyOptions>;
}

export function fakeStacks(script: Script = {}): { stacks: StackSource; rec: Recorded } {
    const rec: Recorded = { calls: [] };
    const play = async (name: string, opts?: Recorded["runOpts"]) => {
        rec.calls.push(name);
        rec.runOpts = opts;
        for (const line of script.output ?? []) opts?.onOutput?.(line);
        for (const e of script.events ?? []) opts?.onEvent?.(e);
        if (script.error !== undefined) throw script.error;
    };
    const summary = () => ({
        kind: "update" as const,
        startTime: new Date("2026-11-25T07:00:00Z"),
        endTime: new Date("2026-11-25T07:01:30Z"),
        message: "",
        environment: {},
        config: {},
        result: "succeeded" as const,
        version: 2,
        resourceChanges: script.changeSummary ?? {},
    });
    const stack: AutomationStack = {
        get name() {
            return rec.args?.stackName ?? "";
        },
        async setAllConfig(config: ConfigMap) {
            rec.calls.push("setAllConfig");
            rec.config = config;
        },
        async preview(opts?: PreviewOptions) {
            await play("preview", opts);
            return { stdout: "", stderr: "", changeSummary: script.changeSummary ?? {} };
        },
        async up(opts?: UpOptions) {
            await play("up", opts);
            return { stdout: "", stderr: "", outputs: script.outputs ?? {}, summary: summary() };
        },
        async refresh(opts?: RefreshOptions) {
            await play("refresh", opts);
            return { stdout: "", stderr: "", summary: { ...summary(), kind: "refresh" as const } };
        },
        async destroy(opts?: DestroyOptions) {
            await play("destroy", opts);
            return { stdout: "", stderr: "", summary: { ...summary(), kind: "destroy" as const } };
        },
        async outputs() {
            rec.calls.push("outputs");
            return script.outputs ?? {};
        },
    } as AutomationStack;
    const select = (kind: string) => async (args: InlineProgramArgs, opts?: LocalWorkspaceOptions) => {
        rec.calls.push(kind);
        rec.args = args;
        rec.wsOpts = opts;
        if (script.selectError !== undefined) throw script.selectError;
        return stack;
    };
    const listStacks = async () => {
        rec.calls.push("listStacks");
        if (script.stacks === undefined) throw new Error("listStacks: not scripted");
        return script.stacks;
    };
    return { stacks: { createOrSelectStack: select("createOrSelectStack"), selectStack: select("selectStack"), listStacks }, rec };
}
