/**
 * Runs Pulumi programs under the real SDK with `pulumi.runtime.setMocks` (the engine and providers are
 * what cannot run here). Records every registered resource with its parent, dependencies, import id and
 * which inputs were secret. Unmocked `call()`s (function invokes) throw.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    /** Inputs with secrets unwrapped (see `secretInputs` for which ones were secret). */
    inputs: Record<string, any>;
    /** Top-level input names whose value was (or contained) a secret. */
    secretInputs: string[];
    parent: string;
    /** URNs of explicit and implicit (input) dependencies. */
    dependencies: string[];
    importId: string;
    provider: string;
    retainOnDelete: boolean;
}

export interface MockRun {
    resources: RecordedResource[];
    byType(type: string): RecordedResource[];
    one(type: string, name: string): RecordedResource;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function unwrap(v: any, path: string, secrets: Set<string>, top: string): any {
    if (v && typeof v === "object") {
        if (v[pulumi.runtime.specialSigKey] === SECRET_SIG) {
            secrets.add(top);
            return unwrap(v.value, path, secrets, top);
        }
        if (Array.isArray(v)) return v.map((x) => unwrap(x, path, secrets, top));
        const out: Record<string, any> = {};
        for (const [k, x] of Object.entries(v)) out[k] = unwrap(x, `${path}.${k}`, secrets, top);
        return out;
    }
    return v;
}

let installed = false;
const recorder: { resources: RecordedResource[] } = { resources: [] };

/**
 * Installs the mocks (once per process) with the given stack config (full keys, e.g. "akko-audit:clusters",
 * values as strings, JSON for objects) and secret keys. Returns the recording for this run, reset.
 */
export async function setupMocks(opts: {
    config?: Record<string, string>;
    secretKeys?: string[];
    outputs?: (type: string, name: string, inputs: Record<string, any>) => Record<string, any>;
} = {}): Promise<MockRun> {
    recorder.resources = [];
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    const outputs = opts.outputs;
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const extra = outputs ? outputs(args.type, args.name, args.inputs) : {};
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
        const mocksModule = require("@pulumi/pulumi/runtime/mocks");
        const proto = mocksModule.MockMonitor.prototype;
        const original = proto.registerResource;
        proto.registerResource = function (req: any, callback: any) {
            const secrets = new Set<string>();
            const raw = pulumi.runtime.deserializeProperties(req.getObject(), true);
            const inputs: Record<string, any> = {};
            for (const [k, v] of Object.entries(raw)) inputs[k] = unwrap(v, k, secrets, k);
            const deps = new Set<string>(req.getDependenciesList());
            req.getPropertydependenciesMap().forEach((d: any) => d.getUrnsList().forEach((u: string) => deps.add(u)));
            return original.call(this, req, (err: any, resp: any) => {
                if (!err && resp) {
                    recorder.resources.push({
                        type: req.getType(),
                        name: req.getName(),
                        urn: resp.getUrn(),
                        custom: req.getCustom(),
                        inputs,
                        secretInputs: [...secrets].sort(),
                        parent: req.getParent(),
                        dependencies: [...deps].sort(),
                        importId: req.getImportid(),
                        provider: req.getProvider(),
                        retainOnDelete: req.getRetainondelete?.() ?? false,
                    });
                }
                callback(err, resp);
            });
        };
    }
    return {
        get resources() {
            return recorder.resources;
        },
        byType: (type) => recorder.resources.filter((r) => r.type === type),
        one(type, name) {
            const found = recorder.resources.filter((r) => r.type === type && r.name === name);
            if (found.length !== 1) {
                throw new Error(`expected one ${type} named ${name}, found ${found.length}; registered: ${recorder.resources.map((r) => `${r.type}/${r.name}`).join(", ")}`);
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
export async function settle(): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings") as { awaitStackRegistrations(): Promise<void> };
    for (let i = 0; i < 3; i++) {
        await new Promise((r) => setImmediate(r));
        await settings.awaitStackRegistrations();
    }
}
