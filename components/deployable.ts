import { logsProblems } from "./logs/requirements";
import * as path from "node:path";
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
 *
 * `projectDir` (where akko-audit:clustersFile is read from) defaults to the project root the language host
 * passes (`--root-directory`, where Pulumi.yaml is), else the working directory: the host runs the program
 * with `--pwd` the project's directory and cmd/run/run.js chdir's there before loading index.ts. An inline
 * Automation API program runs in its caller's process instead, so it is given the workspace's workDir
 * (automation/program.ts).
 */
export function loadStackConfig(projectDir: string = defaultProjectDir()): StackConfig {
    const raw = fromRuntimeConfig(pulumi.getStack(), pulumi.runtime.allConfig(), (k) => runtimeConfig.isConfigSecret(k), projectDir);
    try {
        return validateDeployableStack(raw);
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

function defaultProjectDir(): string {
    // Unset, the SDK answers a placeholder ("rootDirectory"), not a path.
    const root = pulumi.runtime.getRootDirectory();
    return path.isAbsolute(root) ? root : process.cwd();
}
