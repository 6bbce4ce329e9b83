import * as pulumi from "@pulumi/pulumi";
import { dependencyUrns, isSecretValue, onRegistration, settleRegistrations } from "./registrations";

/** One resource the program registers, as the engine would receive it. */
export interface PlannedResource {
    type: string;
    name: string;
    urn: string;
    /** URN of the parent ("" for the stack's root). */
    parent: string;
    /** URNs of explicit (dependsOn) and input dependencies. */
    dependencies: string[];
    /** Inputs; secret values are replaced by "[secret]". */
    inputs: Record<string, unknown>;
    custom: boolean;
    importId: string;
}

export const SECRET_MARK = "[secret]";

function redactSecrets(v: unknown): unknown {
    if (isSecretValue(v)) return SECRET_MARK;
    if (Array.isArray(v)) return v.map(redactSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactSecrets(x)]));
    return v;
}

const recorded: PlannedResource[] = [];
/** Tokens of the invokes the program made during the last recording. */
export const invokes: string[] = [];

/** Placeholder answers for the invokes the program makes, labelled so a reviewer sees they are not real. */
export const PLACEHOLDER_INVOKES: Record<string, (inputs: Record<string, any>) => Record<string, unknown>> = {
    "gcp:organizations/getProject:getProject": (i) => ({ projectId: i.projectId, number: "PROJECT_NUMBER" }),
    "azure-native:eventhub:listEventHubKeys": () => ({ primaryConnectionString: "CONNECTION_STRING_READ_AT_DEPLOY", keyName: "KEY_NAME" }),
};
let stopListening: (() => void) | undefined;

/**
 * Installs the SDK's own mock monitor (no engine, no providers, no credentials, no network) and records
 * every registration with its parent and dependencies (onRegistration: the SDK's mocks hand `newResource`
 * only type, name and inputs).
 * Invokes (`call`) read the cloud, which a plan cannot: the known ones get labelled placeholders
 * (PLACEHOLDER_INVOKES), any other gets an empty result, and every invoke is listed in the plan.
 */
export async function startRecording(config: Record<string, string>, secretKeys: string[], stack: string): Promise<PlannedResource[]> {
    recorded.length = 0;
    invokes.length = 0;
    // The SDK captures a stack trace for every resource and every internal promise; mapping each frame
    // through source maps (tsx turns them on) was most of a plan's time. Positions in a plan are not needed.
    process.setSourceMapsEnabled(false);
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: args.id || `${args.name}-id`, state: args.inputs }),
            call: (args) => {
                invokes.push(args.token);
                return PLACEHOLDER_INVOKES[args.token]?.(args.inputs) ?? {};
            },
        },
        "akko-audit",
        stack,
        true,
    );
    stopListening?.();
    stopListening = onRegistration((req, urn) => {
        recorded.push({
            type: req.getType(), name: req.getName(), urn, parent: req.getParent(), dependencies: dependencyUrns(req),
            inputs: redactSecrets(pulumi.runtime.deserializeProperties(req.getObject() as any, true)) as Record<string, unknown>,
            custom: req.getCustom(), importId: req.getImportid(),
        });
    });
    return recorded;
}

/** Waits until every registration and invoke the program started has reached the mock monitor, then stops recording. */
export async function finishRecording(): Promise<void> {
    await settleRegistrations(() => `${recorded.length}/${invokes.length}`);
    stopListening?.();
    stopListening = undefined;
}
