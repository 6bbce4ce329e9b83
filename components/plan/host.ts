import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { Registration } from "./steps";

/** The harness that stands in for cmd/run/index.js (plain JS: see its header). */
export const LANGUAGE_HOST_JS = path.join(__dirname, "language-host.js");

/** Pulumi.yaml's nodejs runtime options, with the language host's defaults (pulumi-language-nodejs parseOptions). */
export interface NodeRuntimeOptions {
    /** Default true: the host sets PULUMI_NODEJS_TYPESCRIPT and run.js registers ts-node. */
    typescript: boolean;
    /** PULUMI_NODEJS_TSCONFIG_PATH; default none (run.js then uses tsconfig.json). */
    tsconfig?: string;
    /** Arguments for node before the run script, split like the host's shlex.Split. */
    nodeargs: string[];
}

export interface ProjectFile {
    name: string;
    /** Pulumi.yaml `main`, or "." (the engine's entry point when main is unset). */
    entryPoint: string;
    options: NodeRuntimeOptions;
}

/** Splits like shlex (the host's github.com/google/shlex): whitespace-separated, quotes group, no expansion. */
export function shlexSplit(text: string): string[] {
    const words: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)|(\s+)/g;
    let current: string | undefined;
    for (const m of text.matchAll(re)) {
        if (m[4] !== undefined) {
            if (current !== undefined) words.push(current);
            current = undefined;
            continue;
        }
        const part = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2] !== undefined ? m[2] : m[3].replace(/\\(.)/g, "$1");
        current = (current ?? "") + part;
    }
    if (current !== undefined) words.push(current);
    return words;
}

/** Reads Pulumi.yaml as the CLI and the nodejs language host do (runtime as a string or {name, options}). */
export function readProjectFile(projectDir: string): ProjectFile {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = parse(readFileSync(file, "utf8")) as {
        name?: string;
        main?: string;
        runtime?: string | { name?: string; options?: Record<string, unknown> };
    };
    const runtime =
        typeof doc.runtime === "string" ? { name: doc.runtime, options: {} } : { name: doc.runtime?.name, options: doc.runtime?.options ?? {} };
    if (runtime.name !== "nodejs") throw new Error(`${file}: runtime: got ${JSON.stringify(runtime.name)}; allowed: nodejs`);
    const o = runtime.options;
    for (const [key, type] of [
        ["typescript", "boolean"],
        ["tsconfig", "string"],
        ["nodeargs", "string"],
    ] as const) {
        if (o[key] !== undefined && typeof o[key] !== type)
            throw new Error(`${file}: runtime.options.${key}: got ${JSON.stringify(o[key])}; allowed: a ${type}`);
    }
    return {
        name: String(doc.name),
        entryPoint: doc.main ?? ".",
        options: {
            typescript: (o.typescript as boolean | undefined) ?? true,
            tsconfig: o.tsconfig as string | undefined,
            nodeargs: shlexSplit((o.nodeargs as string | undefined) ?? ""),
        },
    };
}

/**
 * The config the engine hands the program for `Pulumi.<stack>.yaml`, in the host's PULUMI_CONFIG form
 * (`<namespace>:config:<key>`, structured values as JSON). `secure:` values are never decrypted: each
 * stands as "[secret <digest of its ciphertext>]", so a rotated secret still shows as a change. Keys in
 * `unsetSecrets` (required but not set yet) get a placeholder as if they had been set.
 */
export function hostConfig(
    projectDir: string,
    stack: string,
    unsetSecrets: string[] = [],
    /** What stands for a secret given its ciphertext. Default the digest placeholder (config-size.ts passes its estimated size). */
    secretValue: (ciphertext: string) => string = (secure) => `[secret ${createHash("sha256").update(secure).digest("hex").slice(0, 12)}]`,
): { config: Record<string, string>; secretKeys: string[] } {
    const doc = parse(readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null;
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const legacy = (key: string) => key.replace(/^([^:]+):/, "$1:config:");
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        const secure =
            value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1
                ? (value as { secure?: unknown }).secure
                : undefined;
        if (typeof secure === "string") {
            config[legacy(key)] = secretValue(secure);
            secretKeys.push(key);
        } else config[legacy(key)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const key of unsetSecrets) {
        if (config[legacy(key)] !== undefined) continue;
        config[legacy(key)] = "[secret not-set-yet]";
        secretKeys.push(key);
    }
    return { config, secretKeys: secretKeys.sort() };
}

export interface HostRun {
    project: string;
    stack: string;
    resources: Registration[];
    /** Cloud reads answered with placeholders, by token. */
    invokes: string[];
}

export class ProgramLoadError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProgramLoadError";
    }
}

/**
 * Runs the program in `projectDir` for `stack` as `pulumi preview` would start it: `node [nodeargs]` with
 * the host's environment (PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT,
 * PULUMI_NODEJS_TSCONFIG_PATH), the real run.js, and the mock monitor. Rejects with the program's own error.
 */
export async function runAsLanguageHost(projectDir: string, stack: string, opts: { unsetSecrets?: string[]; node?: string } = {}): Promise<HostRun> {
    const project = readProjectFile(projectDir);
    const { config, secretKeys } = hostConfig(projectDir, stack, opts.unsetSecrets);
    const work = mkdtempSync(path.join(tmpdir(), "akko-host-"));
    try {
        const requestFile = path.join(work, "request.json");
        const out = path.join(work, "registrations.json");
        writeFileSync(requestFile, JSON.stringify({ projectDir, project: project.name, stack, entryPoint: project.entryPoint, out }));
        // Our own test runner's loader (NODE_OPTIONS) must not leak into the program's process.
        const env: Record<string, string | undefined> = {
            ...process.env,
            NODE_OPTIONS: undefined,
            PULUMI_CONFIG: JSON.stringify(config),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
        };
        delete env.PULUMI_NODEJS_TYPESCRIPT;
        delete env.PULUMI_NODEJS_TSCONFIG_PATH;
        if (project.options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
        if (project.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = project.options.tsconfig;
        const stderr = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
            // The host starts node in the CLI's working directory, the project's (it does not set cmd.Dir).
            const child = spawn(opts.node ?? process.execPath, [...project.options.nodeargs, LANGUAGE_HOST_JS, requestFile], {
                cwd: projectDir,
                env: env as NodeJS.ProcessEnv,
                stdio: ["ignore", "ignore", "pipe"],
            });
            let text = "";
            child.stderr.on("data", (d) => (text += d));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, text }));
        });
        if (stderr.code !== 0 || !existsSync(out))
            throw new ProgramLoadError(
                `the program in ${projectDir} failed for stack ${stack} as the Pulumi nodejs language host runs it:\n${stderr.text.trim()}`,
            );
        return JSON.parse(readFileSync(out, "utf8")) as HostRun;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}
