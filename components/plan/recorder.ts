import * as pulumi from "@pulumi/pulumi";
import { onRegistration, planMocks, registrationOf, settleRegistrations } from "./monitor";
import { Registration } from "./steps";

/** One resource the program registers, as the engine would receive it (secrets as "[secret <digest>]"). */
export type PlannedResource = Registration;

/** What a secret config value stands as in an offline plan when its value is not given. */
export const SECRET_MARK = "[secret]";

const recorded: Registration[] = [];
/** Tokens of the invokes the program made during the last recording. */
export const invokes: string[] = [];

let stopListening: (() => void) | undefined;

/**
 * Installs the SDK's own mock monitor (no engine, no providers, no credentials, no network), answering with
 * the engine's URNs, and records every registration with its parent, dependencies and resource options.
 * Invokes (`call`) read the cloud, which a plan cannot: the known ones get labelled placeholders
 * (PLACEHOLDER_INVOKES), any other gets an empty result, and every invoke is listed in the plan.
 */
export async function startRecording(
    config: Record<string, string>,
    secretKeys: string[],
    stack: string,
    project = "akko-audit",
): Promise<Registration[]> {
    recorded.length = 0;
    invokes.length = 0;
    // The SDK captures a stack trace for every resource and every internal promise; mapping each frame
    // through source maps (tsx turns them on) was most of a plan's time. Positions in a plan are not needed.
    process.setSourceMapsEnabled(false);
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks(planMocks(invokes), project, stack, true);
    stopListening?.();
    stopListening = onRegistration((req, urn) => recorded.push(registrationOf(req, urn)));
    return recorded;
}

/** Waits until every registration and invoke the program started has reached the mock monitor, then stops recording. */
export async function finishRecording(): Promise<void> {
    await settleRegistrations(() => `${recorded.length}/${invokes.length}`);
    stopListening?.();
    stopListening = undefined;
}
