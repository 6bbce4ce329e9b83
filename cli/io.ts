import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { CliError } from "./errors";

/** The project root (where package.json and the shipped policy live). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const SHIPPED_POLICY = path.join(PROJECT_ROOT, "policy", "audit-policy.yaml");

/** Reads a text file named on the command line; a missing or unreadable file is a one-line CliError. */
export function readInputFile(file: string, what: string): string {
    if (!existsSync(file)) throw new CliError(`${what} ${file}: no such file`);
    if (statSync(file).isDirectory()) throw new CliError(`${what} ${file}: is a directory, expected a file`);
    try {
        return readFileSync(file, "utf8");
    } catch (e) {
        throw new CliError(`${what} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
}

/** A byte stream for `--log FILE` (`-` is stdin). */
export function openInput(file: string, what: string): Readable {
    if (file === "-") return process.stdin;
    if (!existsSync(file)) throw new CliError(`${what} ${file}: no such file`);
    if (statSync(file).isDirectory()) throw new CliError(`${what} ${file}: is a directory, expected a file`);
    return createReadStream(file, { highWaterMark: 1 << 20 });
}
