// The SDK's mock resource monitor, made to answer as the engine does where a plan depends on it. Plain
// CommonJS on purpose: the language-host harness loads it before the program, and must not register a
// TypeScript loader of its own (that would hide how the real host loads the program).
"use strict";

const crypto = require("node:crypto");

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * A resource's URN by the engine's rule (pulumi/pulumi sdk/go/common/resource/urn/urn.go `New`, used by
 * the deployment's generateURN): the parent's whole qualified type chain, "$", the type; a child of the
 * root stack gets no prefix. The SDK's MockMonitor.newUrn keeps only the parent's last type, so its URNs
 * differ from the engine's for every grandchild.
 */
function engineUrn(stack, project, parentUrn, type, name) {
    let qualified = type;
    if (parentUrn) {
        const parentType = parentUrn.split("::")[2];
        if (parentType !== ROOT_STACK_TYPE) qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

const listeners = new Set();
const patchedMonitors = new WeakSet();

const sdkModules = new Map();

/** A module of the @pulumi/pulumi copy that `fromDir` resolves (the program's own copy), default ours. Resolved once (it is asked per registration). */
function sdkModule(subpath, fromDir) {
    const key = `${fromDir ?? ""}\0${subpath}`;
    let mod = sdkModules.get(key);
    if (mod === undefined) {
        mod = require(require.resolve(`@pulumi/pulumi/${subpath}`, fromDir ? { paths: [fromDir] } : undefined));
        sdkModules.set(key, mod);
    }
    return mod;
}

/**
 * Calls `listener(req, urn)` for every resource registered under the SDK's mocks, with the whole request
 * (parent, dependencies, resource options: what the mocks' `newResource` is not given), and makes the mock
 * monitor hand out engine URNs. The SDK offers no hook, so MockMonitor's prototype is wrapped once per copy
 * of the SDK. Returns the function that removes the listener.
 */
function onRegistration(listener, fromDir) {
    const proto = sdkModule("runtime/mocks", fromDir).MockMonitor.prototype;
    if (!patchedMonitors.has(proto)) {
        patchedMonitors.add(proto);
        const settings = sdkModule("runtime/settings", fromDir);
        proto.newUrn = function (parent, type, name) {
            return engineUrn(settings.getStack(), settings.getProject(), parent, type, name);
        };
        const original = proto.registerResource;
        proto.registerResource = function (req, callback) {
            return original.call(this, req, (err, resp) => {
                if (!err && resp) for (const l of listeners) l(req, resp.getUrn());
                callback(err, resp);
            });
        };
    }
    listeners.add(listener);
    return () => void listeners.delete(listener);
}

/** URNs of a request's explicit (dependsOn) and input dependencies, sorted. */
function dependencyUrns(req) {
    const deps = new Set(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
    return [...deps].sort();
}

/** The aliases as the engine receives them (alias specs: the mocks, like the engine, support them). */
function aliasesOf(req) {
    return req.getAliasesList().map((a) => {
        const urn = a.getUrn();
        if (urn) return { urn };
        const s = a.getSpec();
        const spec = {};
        if (s.getName()) spec.name = s.getName();
        if (s.getType()) spec.type = s.getType();
        if (s.getStack()) spec.stack = s.getStack();
        if (s.getProject()) spec.project = s.getProject();
        if (s.getNoparent()) spec.noParent = true;
        else if (s.getParenturn()) spec.parentUrn = s.getParenturn();
        return spec;
    });
}

/** The resource options the engine acts on, as registered (SDK-merged options such as replaceOnChanges included). */
function optionsOf(req) {
    return {
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete(),
        deleteBeforeReplace: req.getDeletebeforereplacedefined() || req.getDeletebeforereplace() ? req.getDeletebeforereplace() : undefined,
        replaceOnChanges: req.getReplaceonchangesList(),
        ignoreChanges: req.getIgnorechangesList(),
        aliases: aliasesOf(req),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        importId: req.getImportid(),
        provider: req.getProvider(),
        deletedWith: req.getDeletedwith(),
    };
}

/** Placeholder answers for the cloud reads a program makes, labelled so a reviewer sees they are not real. */
const PLACEHOLDER_INVOKES = {
    "gcp:organizations/getProject:getProject": (i) => ({ projectId: i.projectId, number: "PROJECT_NUMBER" }),
    "azure-native:eventhub:listEventHubKeys": () => ({ primaryConnectionString: "CONNECTION_STRING_READ_AT_DEPLOY", keyName: "KEY_NAME" }),
};

/**
 * The mocks of an offline plan: state is the inputs, no id (a cloud id is opaque and never derived from the
 * Pulumi name: a renamed resource keeps it), cloud reads answered by PLACEHOLDER_INVOKES and noted in `invokes`.
 */
function planMocks(invokes) {
    return {
        newResource: (args) => ({ id: args.id || undefined, state: args.inputs }),
        call: (args) => {
            invokes.push(args.token);
            return PLACEHOLDER_INVOKES[args.token]?.(args.inputs) ?? {};
        },
    };
}

/** The SDK's marker of a secret value in serialized properties. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A secret input as recorded: never the value, a short digest so that a changed secret shows as a change. */
function secretMark(value) {
    return `[secret ${crypto
        .createHash("sha256")
        .update(JSON.stringify(value ?? null))
        .digest("hex")
        .slice(0, 12)}]`;
}

/**
 * One registration as the engine receives it: identity, inputs (secrets as secretMark), dependencies and
 * the resource options it acts on. `fromDir` picks the program's copy of the SDK.
 */
function registrationOf(req, urn, fromDir) {
    const rpc = sdkModule("runtime/rpc", fromDir);
    // From the wire form, as the engine sees it: assets keep their text (a Promise once deserialized).
    const plain = (v) => {
        if (v === rpc.unknownValue) return "[unknown]";
        if (Array.isArray(v)) return v.map(plain);
        if (!v || typeof v !== "object") return v;
        switch (v[rpc.specialSigKey]) {
            case SECRET_SIG:
                return secretMark(plain(v.value));
            case rpc.specialAssetSig:
            case rpc.specialArchiveSig:
                return { asset: v.text ?? v.path ?? v.uri ?? v.assets ?? null };
            case rpc.specialResourceSig:
                return { resource: v.urn };
            default:
                return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
        }
    };
    const inputs = plain(req.getObject().toJavaScript());
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        custom: req.getCustom(),
        inputs,
        dependencies: dependencyUrns(req),
        ...optionsOf(req),
    };
}

/**
 * Waits until the program has stopped registering: registrations and invokes start more of each (apply
 * callbacks), so it waits until `progress()` (a count of what was seen) stops moving.
 */
async function settleRegistrations(progress, fromDir) {
    const settings = sdkModule("runtime/settings", fromDir);
    let seen;
    while (seen !== progress()) {
        seen = progress();
        await new Promise((r) => setImmediate(r));
        await settings.awaitStackRegistrations();
        await new Promise((r) => setTimeout(r, 20));
    }
}

module.exports = {
    ROOT_STACK_TYPE,
    SECRET_SIG,
    PLACEHOLDER_INVOKES,
    planMocks,
    secretMark,
    registrationOf,
    sdkModule,
    engineUrn,
    onRegistration,
    dependencyUrns,
    aliasesOf,
    optionsOf,
    settleRegistrations,
};
