import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, RawStackConfig } from "./stack";

/** The stack cannot be read (missing file, bad YAML): an input error, not a config finding. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

const STACK_NAME = /^[A-Za-z0-9._-]+$/;

/** Stacks that have a Pulumi.<stack>.yaml in `dir`. */
export function listStacks(dir: string): string[] {
    return readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Reads `Pulumi.<stack>.yaml` offline (no Pulumi CLI, no decryption): `secure:` values count as set and
 * secret, and their ciphertext is dropped.
 */
export function readStackFile(dir: string, stack: string): RawStackConfig {
    if (!STACK_NAME.test(stack)) throw new StackFileError(`stack ${JSON.stringify(stack)}: not a stack name (letters, digits, '.', '_', '-')`);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) {
        const known = existsSync(dir) ? listStacks(dir) : [];
        throw new StackFileError(
            `unknown stack ${JSON.stringify(stack)}: no ${file}${known.length > 0 ? ` (stacks here: ${known.join(", ")})` : ""}`,
        );
    }
    let doc: unknown;
    try {
        doc = parse(readFileSync(file, "utf8"), { uniqueKeys: true });
    } catch (e) {
        throw new StackFileError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`${file}: "config" must be a mapping of keys to values`);
    }
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [fullKey, value] of Object.entries(config)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        if (isSecure(value)) {
            secretKeys.add(key);
            values[key] = SECRET_PLACEHOLDER;
        } else values[key] = value;
    }
    return { stack, values, secretKeys, projectDir: path.resolve(dir) };
}

/** Stands in for a secret's value wherever config is held: the value itself is never read into it. */
export const SECRET_PLACEHOLDER = "[secret]";

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/**
 * Builds the raw config from Pulumi's runtime config map (`pulumi up`, Automation API, mocks). Secret
 * values are replaced by a placeholder; structured values are JSON in the runtime map. `projectDir` is
 * where akko-audit:clustersFile is read from (unset: a clustersFile is refused).
 */
export function fromRuntimeConfig(
    stack: string,
    all: Record<string, string>,
    isSecret: (fullKey: string) => boolean,
    projectDir?: string,
): RawStackConfig {
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [fullKey, text] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        if (isSecret(fullKey)) {
            secretKeys.add(key);
            values[key] = SECRET_PLACEHOLDER;
            continue;
        }
        try {
            values[key] = JSON.parse(text);
        } catch {
            values[key] = text;
        }
    }
    return { stack, values, secretKeys, ...(projectDir !== undefined ? { projectDir } : {}) };
}
