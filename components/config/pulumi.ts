import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./stack";

/** A secret config value by its key name: always a secret Output, never plain. */
export function secretConfig(key: string): pulumi.Output<string> {
    return new pulumi.Config(CONFIG_NAMESPACE).requireSecret(key);
}

/**
 * secretConfig that reads each key once: the same secret Output for every cluster naming the key (the SDK
 * re-parses the whole config on each read, and a fleet names the same keys hundreds of times). Make one per
 * program run (the rollout does), so a new run (Automation API, another stack) reads the config afresh.
 */
export function secretConfigOnce(read: (key: string) => pulumi.Output<string> = secretConfig): (key: string) => pulumi.Output<string> {
    const known = new Map<string, pulumi.Output<string>>();
    return (key) => {
        let value = known.get(key);
        if (value === undefined) {
            value = read(key);
            known.set(key, value);
        }
        return value;
    };
}
