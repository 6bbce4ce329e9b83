import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { fromRuntimeConfig } from "./source";
import { validateDeployableStack } from "./deployable";
import { CONFIG_NAMESPACE, StackConfig } from "./stack";

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

/** A secret config value by its key name: always a secret Output, never plain. */
export function secretConfig(key: string): pulumi.Output<string> {
    return new pulumi.Config(CONFIG_NAMESPACE).requireSecret(key);
}
