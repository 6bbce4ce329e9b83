import { logsProblems } from "../logs/requirements";
import { ConfigError } from "./errors";
import { RawStackConfig, StackConfig, validateStackConfig, ValidateOptions } from "./stack";

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
