import { logsProblems } from "./logs/requirements";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config/errors";
import { fromRuntimeConfig } from "./config/source";
import { RawStackConfig, StackConfig, validateStackConfig, ValidateOptions } from "./config/stack";

/**
 * Everything a deployment needs, checked before anything is registered: the schema and cross-field rules
 * (validateStackConfig), then what the logs layer needs beyond them (gateway credentials, public hosts,
 * receivers). Every entry point uses it: `pulumi up`, the Automation API, render, plan and coverage.
 */
export function validateDeployableStack(raw: RawStackConfig, opts: ValidateOptions = {}): StackConfig {
    const config = validateStackConfig(raw, opts);
    const problems = logsProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
}

// isConfigSecret is exported by the SDK's runtime but not declared in its typings.
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/**
 * Reads and validates the current stack's config inside a Pulumi program. Bad config fails here, before
 * any resource is registered, as a RunError (Pulumi prints it without a stack trace).
 */
export function loadStackConfig(): StackConfig {
    const raw = fromRuntimeConfig(pulumi.getStack(), pulumi.runtime.allConfig(), (k) => runtimeConfig.isConfigSecret(k));
    try {
        return validateDeployableStack(raw);
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
