import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { z } from "zod";
import { ConfigError, showValue } from "../components/config/errors";
import { CONFIG_KEY } from "../components/config/fields";
import { SECRET_PLACEHOLDER } from "../components/config/source";
import { validateDeployableStack } from "../components/deployable";
import { ClusterSchema, CONFIG_NAMESPACE, StackConfig } from "../components/config/stack";
import { LogsSchema } from "../components/config/logs";

/** The project name: the inline program's project and the config namespace. */
export const PROJECT_NAME = CONFIG_NAMESPACE;

/**
 * A stack's configuration as a typed object, as internal tooling builds it (the same model as
 * Pulumi.<stack>.yaml: fields as documented in components/config/, defaults applied by validation).
 */
export interface AuditStackInput {
    /** The fleet: one entry per cluster (`akko-audit:clusters`). */
    clusters: z.input<typeof ClusterSchema>[];
    /** The logs layer (`akko-audit:logs`). Default: every default of components/config/logs.ts. */
    logs?: z.input<typeof LogsSchema>;
    /**
     * Secret config by key name (e.g. `edgeSshKey`, named by a cluster's `*Secret` field), set as Pulumi
     * secrets (`{ value, secret: true }`): encrypted in the stack's config, secret Outputs in the program.
     */
    secrets?: Record<string, string>;
}

/**
 * Validates the typed config exactly as `pulumi up` would (validateDeployableStack, every problem at once),
 * without holding a secret value: secrets are checked for presence only. Throws ConfigError.
 */
export function validateInput(stack: string, input: AuditStackInput): StackConfig {
    const problems: string[] = [];
    const values: Record<string, unknown> = { clusters: input.clusters };
    if (input.logs !== undefined) values.logs = input.logs;
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(input.secrets ?? {})) {
        if (!CONFIG_KEY.test(key))
            problems.push(
                `${CONFIG_NAMESPACE}: secret key ${showValue(key)}: not a config key name; allowed: a letter, then letters, digits, '_' and '-'`,
            );
        else if (typeof value !== "string" || value.length === 0)
            problems.push(`${CONFIG_NAMESPACE}:${key}: got an empty secret; allowed: a non-empty string`);
        secretKeys.add(key);
        values[key] = SECRET_PLACEHOLDER;
    }
    let config: StackConfig | undefined;
    try {
        config = validateDeployableStack({ stack, values, secretKeys });
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
    }
    if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
    return config;
}

/**
 * The Pulumi config of a stack from the typed object: `clusters` and `logs` as JSON values (the program
 * parses them, see components/config/source.ts fromRuntimeConfig), each secret as `{ value, secret: true }`.
 * Validates first, so nothing is set from bad config.
 */
export function toConfigMap(stack: string, input: AuditStackInput): ConfigMap {
    validateInput(stack, input);
    const map: ConfigMap = {
        [`${CONFIG_NAMESPACE}:clusters`]: { value: JSON.stringify(input.clusters) },
    };
    if (input.logs !== undefined) map[`${CONFIG_NAMESPACE}:logs`] = { value: JSON.stringify(input.logs) };
    for (const [key, value] of Object.entries(input.secrets ?? {})) map[`${CONFIG_NAMESPACE}:${key}`] = { value, secret: true };
    return map;
}

/** Config keys and values for logs and errors: secrets shown as [secret], never their value. */
export function describeConfigMap(map: ConfigMap): Record<string, string> {
    return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.secret ? SECRET_PLACEHOLDER : v.value]));
}
