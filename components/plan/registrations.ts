import * as pulumi from "@pulumi/pulumi";

/** The SDK's marker of a secret value in serialized properties. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a deserialized property value is a secret wrapper (`{ [specialSigKey]: SECRET_SIG, value }`). */
export function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === SECRET_SIG;
}

/** A registration request as the mock monitor receives it (the SDK's RegisterResourceRequest). */
export interface RegistrationRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getImportid(): string;
    getObject(): unknown;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (d: { getUrnsList(): string[] }) => void): void };
    getAdditionalsecretoutputsList(): string[];
}

export type RegistrationListener = (req: RegistrationRequest, urn: string) => void;

const listeners = new Set<RegistrationListener>();
let patched = false;

/**
 * Calls `listener` for every resource registered under the SDK's mocks, with the whole request (parent,
 * dependencies, secret outputs: what `newResource` is not given) and the URN. The SDK offers no hook, so
 * the mock monitor's registerResource is wrapped, once per process, for every listener. Returns the
 * function that removes the listener.
 */
export function onRegistration(listener: RegistrationListener): () => void {
    if (!patched) {
        patched = true;
        const proto = require("@pulumi/pulumi/runtime/mocks").MockMonitor.prototype;
        const original = proto.registerResource;
        proto.registerResource = function (req: RegistrationRequest, callback: (err: unknown, resp: { getUrn(): string } | undefined) => void) {
            return original.call(this, req, (err: unknown, resp: { getUrn(): string } | undefined) => {
                if (!err && resp) for (const l of listeners) l(req, resp.getUrn());
                callback(err, resp);
            });
        };
    }
    listeners.add(listener);
    return () => void listeners.delete(listener);
}

/** URNs of a request's explicit (dependsOn) and input dependencies, sorted. */
export function dependencyUrns(req: RegistrationRequest): string[] {
    const deps = new Set<string>(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
    return [...deps].sort();
}

/**
 * Waits until the program has stopped registering: registrations and invokes start more of each (apply
 * callbacks), so it waits until `progress()` (a count of what was seen) stops moving.
 */
export async function settleRegistrations(progress: () => string): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings") as { awaitStackRegistrations(): Promise<void> };
    let seen: string | undefined;
    while (seen !== progress()) {
        seen = progress();
        await new Promise((r) => setImmediate(r));
        await settings.awaitStackRegistrations();
        await new Promise((r) => setTimeout(r, 20));
    }
}
