/**
 * A node's effective k3s config, merged as k3s documents it: config.yaml first, then config.yaml.d/*.yaml
 * in file-name order; a later file's key replaces the earlier value, and `key+` appends to the earlier
 * list instead (a scalar becomes a one-element list).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export type K3sConfig = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function mergeK3sConfig(docs: K3sConfig[]): K3sConfig {
    const out: K3sConfig = {};
    for (const doc of docs) {
        for (const [key, value] of Object.entries(doc ?? {})) {
            if (key.endsWith("+")) {
                const base = key.slice(0, -1);
                out[base] = [...asList(out[base]), ...asList(value)];
            } else out[key] = value;
        }
    }
    return out;
}

/** Reads <configDir>/config.yaml and <configDir>/config.yaml.d/*.yaml and merges them. */
export function effectiveK3sConfig(configDir: string): K3sConfig {
    const docs: K3sConfig[] = [];
    const main = path.join(configDir, "config.yaml");
    if (existsSync(main)) docs.push(parse(readFileSync(main, "utf8")) ?? {});
    const dDir = path.join(configDir, "config.yaml.d");
    if (existsSync(dDir)) {
        for (const f of readdirSync(dDir)
            .filter((f) => f.endsWith(".yaml"))
            .sort())
            docs.push(parse(readFileSync(path.join(dDir, f), "utf8")) ?? {});
    }
    return mergeK3sConfig(docs);
}
