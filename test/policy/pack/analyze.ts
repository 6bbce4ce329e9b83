/**
 * Runs one policy of the pack on one resource the way @pulumi/policy's analyzer server does (server.js
 * makeAnalyzeRpcFun): the type fast-path on the validation's attached Pulumi type, props wrapped in the
 * library's real unknownCheckingProxy, isType by type token, getConfig, and notApplicable throwing. Only the
 * gRPC transport from the Pulumi engine is stubbed out (no engine here).
 */
import { ResourceValidationArgs, ResourceValidationPolicy, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";

const policyLib = require("@pulumi/policy/policy") as { getPulumiType(o: unknown): string | undefined };

export interface Analysis {
    violations: string[];
    /** Set when the policy declared itself not applicable (the reason). */
    notApplicable?: string;
    /** Set when a value the policy read is unknown during preview (the engine reports this as advisory). */
    unknown?: string;
}

class NotApplicable extends Error {}

export async function analyze(
    policy: ResourceValidationPolicy,
    type: string,
    name: string,
    props: Record<string, unknown>,
    config: object = {},
): Promise<Analysis> {
    const validate = policy.validateResource;
    if (validate === undefined || Array.isArray(validate)) throw new Error(`${policy.name}: expected one validateResource function`);
    const attached = policyLib.getPulumiType(validate);
    if (attached && attached !== type) return { violations: [], notApplicable: `Policy only applies to resources of type '${attached}'` };
    const violations: string[] = [];
    const args: ResourceValidationArgs = {
        type,
        props: unknownCheckingProxy(props),
        urn: `urn:pulumi:test::akko-audit::${type}::${name}`,
        name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: {},
        } as unknown as ResourceValidationArgs["opts"],
        stackTags: new Map(),
        isType: (cls) => policyLib.getPulumiType(cls) === type,
        asType: (cls) => (policyLib.getPulumiType(cls) === type ? (args.props as never) : undefined),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "");
        },
    };
    try {
        await validate(args, (message) => violations.push(message));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.message };
        if (e instanceof UnknownValueError) return { violations, unknown: (e as Error).message };
        throw e;
    }
    return { violations };
}

/** The sentinel the policy library's deserializer puts where a value is unknown during preview. */
export const UNKNOWN_STRING = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;
export const UNKNOWN_ARRAY = (require("@pulumi/policy/proxy") as { unknownArrayValue: string }).unknownArrayValue;
