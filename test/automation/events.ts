/**
 * Synthetic engine events with the shapes of @pulumi/pulumi/automation's EngineEvent (what the Pulumi CLI
 * streams to onEvent): there is no engine here, so tests replay these.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";

let seq = 0;
const base = () => ({ sequence: ++seq, timestamp: 1_764_000_000 + seq });

export const ROLLOUT = "akko:audit:Rollout";

export function urn(type: string, name: string, parents: string[] = []): string {
    return `urn:pulumi:prod::akko-audit::${[...parents, type].join("$")}::${name}`;
}

function metadata(op: OpType, type: string, name: string, parents: string[]) {
    return {
        op,
        urn: urn(type, name, parents),
        type,
        provider: "",
        new: { type, urn: urn(type, name, parents), id: "", parent: "", inputs: {}, outputs: {}, provider: "" },
    };
}

export function pre(op: OpType, type: string, name: string, parents: string[] = [], planning = false): EngineEvent {
    return { ...base(), resourcePreEvent: { metadata: metadata(op, type, name, parents), ...(planning ? { planning } : {}) } };
}

export function outputs(op: OpType, type: string, name: string, parents: string[] = []): EngineEvent {
    return { ...base(), resOutputsEvent: { metadata: metadata(op, type, name, parents) } };
}

export function failed(op: OpType, type: string, name: string, parents: string[] = []): EngineEvent {
    return { ...base(), resOpFailedEvent: { metadata: metadata(op, type, name, parents), status: 1, steps: 0 } };
}

export function diagnostic(severity: "info" | "warning" | "error", message: string, resourceUrn?: string): EngineEvent {
    return { ...base(), diagnosticEvent: { message, color: "raw", severity, ...(resourceUrn ? { urn: resourceUrn } : {}) } };
}

export function summary(resourceChanges: Record<string, number>, durationSeconds = 42): EngineEvent {
    return { ...base(), summaryEvent: { maybeCorrupt: false, durationSeconds, resourceChanges, policyPacks: {} } };
}

/** One step, started and finished. */
export function stepDone(op: OpType, type: string, name: string, parents: string[] = []): EngineEvent[] {
    return [pre(op, type, name, parents), outputs(op, type, name, parents)];
}
