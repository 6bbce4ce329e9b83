import { readFileSync, realpathSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { showValue } from "./errors";
import { CONFIG_NAMESPACE } from "./namespace";

/** The config key naming the fleet file. */
export const CLUSTERS_FILE_KEY = "clustersFile";

/** What `akko-audit:clustersFile` is, for the config reference (the one description of the key). */
export const CLUSTERS_FILE_DOC =
    "Optional: a YAML (or JSON) file holding a list of clusters, each exactly as an entry of `akko-audit:clusters`, " +
    "as a path relative to the project directory (the directory of `Pulumi.yaml`), e.g. `fleet.yaml`. Its clusters come " +
    "after the inline ones and are validated alike; problems name the file and the index in it. The program and the " +
    "offline commands read it, so `PULUMI_CONFIG` holds only its name: a fleet of thousands of clusters stays far under " +
    "Linux's 128 KiB cap on that variable. The file must be inside the project (committed, so `pulumi preview` on a " +
    "pull request sees the same fleet) and holds no secret: secrets stay in secret config, named by `*Secret` fields.";

const WHERE = `${CONFIG_NAMESPACE}:${CLUSTERS_FILE_KEY}`;
const PATH_ALLOWED =
    "a file inside the project directory (the directory of Pulumi.yaml), as a relative path such as fleet.yaml: the file must be in the repository, so that pulumi preview on a pull request sees the same fleet";
/** A PEM block: a private key must never be in a committed, plain-text file. */
const PRIVATE_KEY = /-----BEGIN/;

/** The raw clusters of a fleet file, or the one problem that keeps it from being read. */
export type ClustersFileResult = { file: string; clusters: unknown[] } | { problem: string };

/**
 * Reads `akko-audit:clustersFile` (`value`, as set in the config) relative to `projectDir`: the list of raw
 * cluster entries, validated later with the inline ones. Refuses (one line) a path outside the project, a
 * file that cannot be read, is not YAML or is not a non-empty list.
 */
export function readClustersFile(projectDir: string | undefined, value: unknown, secret: boolean): ClustersFileResult {
    if (secret) return { problem: `${WHERE}: got a secret value; allowed: a plain path (the file holds no secret), ${PATH_ALLOWED}` };
    if (typeof value !== "string" || value.trim() === "") return { problem: `${WHERE}: got ${showValue(value)}; allowed: ${PATH_ALLOWED}` };
    if (path.isAbsolute(value)) return { problem: `${WHERE}: got ${JSON.stringify(value)} (an absolute path); allowed: ${PATH_ALLOWED}` };
    if (projectDir === undefined)
        return {
            problem: `${WHERE}: got ${JSON.stringify(value)}, but this config has no project directory to resolve it in; allowed: only in a project's stack config (Pulumi.<stack>.yaml)`,
        };
    const root = path.resolve(projectDir);
    const file = path.resolve(root, value);
    if (!inside(root, file))
        return { problem: `${WHERE}: got ${JSON.stringify(value)} (outside the project directory ${root}); allowed: ${PATH_ALLOWED}` };
    let text: string;
    try {
        // A link may point out of the repository: what counts is where the bytes are.
        const real = realpathSync(file);
        if (!inside(realpathSync(root), real))
            return { problem: `${WHERE}: got ${JSON.stringify(value)} (a link to ${real}, outside the project directory); allowed: ${PATH_ALLOWED}` };
        text = readFileSync(real, "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === "ENOENT" ? "does not exist" : `cannot be read (${err.code ?? err.message.split("\n")[0]})`;
        return { problem: `${WHERE}: got ${JSON.stringify(value)}, but ${file} ${why}; allowed: ${PATH_ALLOWED}` };
    }
    const where = `${WHERE} ${value}`;
    const list = `YAML (or JSON) list of clusters, each as an entry of ${CONFIG_NAMESPACE}:clusters`;
    let doc: unknown;
    try {
        doc = parse(text, { uniqueKeys: true });
    } catch (e) {
        return { problem: `${where}: not valid YAML: ${(e as Error).message.split("\n")[0]}; allowed: a ${list}` };
    }
    if (!Array.isArray(doc) || doc.length === 0) return { problem: `${where}: got ${showValue(doc ?? null)}; allowed: a non-empty ${list}` };
    return { file: value, clusters: doc };
}

function inside(root: string, file: string): boolean {
    const rel = path.relative(root, file);
    return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * The fields of a raw cluster entry that hold a PEM block (a private key), as field paths (`servers[0].hostKey`).
 * The fleet file is committed in plain text; keys belong in secret config, named by the `*Secret` fields.
 */
export function privateKeyFields(entry: unknown): string[] {
    const found: string[] = [];
    const walk = (v: unknown, at: string) => {
        if (typeof v === "string") {
            if (PRIVATE_KEY.test(v)) found.push(at);
        } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
        else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, at === "" ? k : `${at}.${k}`);
    };
    walk(entry, "");
    return found;
}
