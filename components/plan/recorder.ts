import * as pulumi from "@pulumi/pulumi";

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
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function redactSecrets(v: unknown): unknown {
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[pulumi.runtime.specialSigKey] === SECRET_SIG) return SECRET_MARK;
        if (Array.isArray(v)) return v.map(redactSecrets);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, redactSecrets(x)]));
    }
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
let patched = false;

/**
 * Installs the SDK's own mock monitor (no engine, no providers, no credentials, no network) and records
 * every registration with its parent and dependencies. The SDK's mocks hand `newResource` only type, name
 * and inputs, so the recorder wraps the mock monitor's registerResource to read the rest of the request.
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
    if (!patched) {
        patched = true;
        const proto = require("@pulumi/pulumi/runtime/mocks").MockMonitor.prototype;
        const original = proto.registerResource;
        proto.registerResource = function (req: any, callback: (err: unknown, resp: any) => void) {
            const inputs = redactSecrets(pulumi.runtime.deserializeProperties(req.getObject(), true)) as Record<string, unknown>;
            const deps = new Set<string>(req.getDependenciesList());
            req.getPropertydependenciesMap().forEach((d: any) => d.getUrnsList().forEach((u: string) => deps.add(u)));
            return original.call(this, req, (err: unknown, resp: any) => {
                if (!err && resp) {
                    recorded.push({
                        type: req.getType(), name: req.getName(), urn: resp.getUrn(), parent: req.getParent(),
                        dependencies: [...deps].sort(), inputs, custom: req.getCustom(), importId: req.getImportid(),
                    });
                }
                callback(err, resp);
            });
        };
    }
    return recorded;
}

/** Waits until every registration the program started has reached the mock monitor. */
export async function settleRegistrations(): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings") as { awaitStackRegistrations(): Promise<void> };
    let seen = "";
    // Registrations and invokes start more of each (apply callbacks): wait until neither count moves.
    while (seen !== `${recorded.length}/${invokes.length}`) {
        seen = `${recorded.length}/${invokes.length}`;
        await new Promise((r) => setImmediate(r));
        await settings.awaitStackRegistrations();
        await new Promise((r) => setTimeout(r, 20));
    }
}
