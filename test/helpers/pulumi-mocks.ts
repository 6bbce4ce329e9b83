/**
 * Runs Pulumi programs under the real SDK with `pulumi.runtime.setMocks` (the engine and providers are
 * what cannot run here). Records every registered resource with its parent, dependencies, import id and
 * which inputs were secret. Unmocked `call()`s (function invokes) throw.
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { registrationOf } from "../../components/plan/monitor";
import { isSecretValue, onRegistration, settleRegistrations } from "../../components/plan/registrations";
import { Registration } from "../../components/plan/steps";

/** A registration as the engine receives it (URNs by the engine's rules), with secrets unwrapped for assertions. */
export interface RecordedResource extends Registration {
    /** Inputs with secrets unwrapped (see `secretInputs` for which ones were secret). */
    inputs: Record<string, any>;
    /** Top-level input names whose value was (or contained) a secret. */
    secretInputs: string[];
}

export interface MockRun {
    resources: RecordedResource[];
    byType(type: string): RecordedResource[];
    one(type: string, name: string): RecordedResource;
}

function unwrap(v: any, secrets: Set<string>, top: string): any {
    if (isSecretValue(v)) {
        secrets.add(top);
        return unwrap(v.value, secrets, top);
    }
    if (Array.isArray(v)) return v.map((x) => unwrap(x, secrets, top));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x, secrets, top)]));
    return v;
}

// k3s bundles are written to $XDG_CACHE_HOME: a directory of this process, not the user's cache.
if (!process.env.AKKO_KEEP_XDG_CACHE_HOME) {
    const cache = mkdtempSync(path.join(os.tmpdir(), "akko-test-cache-"));
    process.env.XDG_CACHE_HOME = cache;
    process.once("exit", () => rmSync(cache, { recursive: true, force: true }));
}

let installed = false;
const recorder: { resources: RecordedResource[] } = { resources: [] };

/**
 * Installs the mocks (once per process) with the given stack config (full keys, e.g. "akko-audit:clusters",
 * values as strings, JSON for objects) and secret keys. Returns the recording for this run, reset.
 */
export async function setupMocks(
    opts: {
        config?: Record<string, string>;
        secretKeys?: string[];
        outputs?: (type: string, name: string, inputs: Record<string, any>) => Record<string, any>;
    } = {},
): Promise<MockRun> {
    recorder.resources = [];
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    const outputs = opts.outputs;
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const extra = outputs ? outputs(args.type, args.name, args.inputs) : {};
                // The random provider always returns a result; stubbed here (deterministic per name) unless a test gives one.
                if (args.type === "random:index/randomPassword:RandomPassword" && !("result" in extra)) extra.result = `mock-random-${args.name}`;
                return { id: args.id || `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
                throw new Error(`unmocked call ${args.token}(${JSON.stringify(args.inputs)})`);
            },
        },
        "project",
        "stack",
        false,
    );
    if (!installed) {
        installed = true;
        onRegistration((req: any, urn) => {
            const secrets = new Set<string>();
            const raw = pulumi.runtime.deserializeProperties(req.getObject(), true);
            // Assets and archives as the engine receives them (signature and path, or text), not SDK objects
            // whose fields are promises.
            const wire = req.getObject().toJavaScript();
            const inputs: Record<string, any> = {};
            for (const [k, v] of Object.entries(raw)) {
                const asFile = v instanceof pulumi.asset.Asset || v instanceof pulumi.asset.Archive;
                inputs[k] = asFile ? wire[k] : unwrap(v, secrets, k);
            }
            recorder.resources.push({ ...registrationOf(req, urn), inputs, secretInputs: [...secrets].sort() });
        });
    }
    return {
        get resources() {
            return recorder.resources;
        },
        byType: (type) => recorder.resources.filter((r) => r.type === type),
        one(type, name) {
            const found = recorder.resources.filter((r) => r.type === type && r.name === name);
            if (found.length !== 1) {
                throw new Error(
                    `expected one ${type} named ${name}, found ${found.length}; registered: ${recorder.resources.map((r) => `${r.type}/${r.name}`).join(", ")}`,
                );
            }
            return found[0];
        },
    };
}

/** Resolves an Output (or plain value) for assertions; also tells whether it is secret. */
export async function resolve<T>(o: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
    const out = pulumi.output(o) as any;
    const value = await new Promise<T>((res) => out.apply((v: T) => res(v)));
    const secret = await out.isSecret;
    return { value, secret };
}

/** Waits until every pending resource registration has reached the mock monitor. */
export function settle(): Promise<void> {
    return settleRegistrations(() => String(recorder.resources.length));
}
