import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./stack";

/** A secret config value by its key name: always a secret Output, never plain. */
export function secretConfig(key: string): pulumi.Output<string> {
    return new pulumi.Config(CONFIG_NAMESPACE).requireSecret(key);
}
