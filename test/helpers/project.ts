import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { readStackFile } from "../../components/config/source";
import { validateStackConfig } from "../../components/config/stack";

export const ROOT = path.resolve(__dirname, "../..");

/** The project's tracked files (git), else every file but node_modules and .git. */
function projectFiles(): string[] {
    try {
        const listed = execFileSync("git", ["-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]).toString().split("\0");
        // Regular files only: an untracked link to a directory (a local node_modules copy) is not the project.
        return [...new Set(listed)].filter((f) => f.length > 0 && existsSync(path.join(ROOT, f)) && lstatSync(path.join(ROOT, f)).isFile());
    } catch {
        const out: string[] = [];
        const walk = (rel: string) => {
            for (const e of require("node:fs").readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
                if (e.name === "node_modules" || e.name === ".git") continue;
                const p = path.join(rel, e.name);
                if (e.isDirectory()) walk(p);
                else out.push(p);
            }
        };
        walk("");
        return out;
    }
}

/**
 * A copy of the project in a new git repository (one commit), with this checkout's node_modules linked,
 * so that a test can change files and run the CLI on it as a user would on their clone.
 */
export function copyProject(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "akko-copy-"));
    for (const f of projectFiles()) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        copyFileSync(path.join(ROOT, f), path.join(dir, f));
    }
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    git(dir, "init", "-q");
    // The link is not a directory, so .gitignore's "node_modules/" does not cover it.
    writeFileSync(path.join(dir, ".git", "info", "exclude"), "node_modules\n");
    commitAll(dir, "copy");
    return dir;
}

export function git(dir: string, ...args: string[]): string {
    return execFileSync("git", ["-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.net", ...args]).toString();
}

export function commitAll(dir: string, message: string): void {
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "--allow-empty", "-m", message);
}

/**
 * Sets every secret Pulumi.<stack>.yaml names, as `pulumi config set --secret` would (the ciphertext is made
 * up: nothing decrypts it offline). `ciphertext(key)` chooses each one (a rotation is a new ciphertext).
 */
export function setSecrets(dir: string, stack: string, ciphertext: (key: string) => string = (k) => `v1:ZmFrZQ==:${k}`): void {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const keys = validateStackConfig(readStackFile(dir, stack), { allowUnsetSecrets: true }).secretKeys;
    const text = readFileSync(file, "utf8")
        .replace(/\n {2}akko-audit:[A-Za-z0-9_-]+:\n {4}secure: .*(?=\n|$)/g, "")
        .trimEnd();
    writeFileSync(file, `${text}\n${keys.map((k) => `  akko-audit:${k}:\n    secure: ${ciphertext(k)}`).join("\n")}\n`);
}

/** Edits a file of the copy in place. */
export function edit(dir: string, file: string, change: (text: string) => string): void {
    const p = path.join(dir, file);
    const before = readFileSync(p, "utf8");
    const after = change(before);
    if (after === before) throw new Error(`edit of ${file} changed nothing`);
    writeFileSync(p, after);
}

/** Edits Pulumi.<stack>.yaml of the copy as data (anchors expanded, comments dropped). */
export function editStack(dir: string, stack: string, change: (config: Record<string, any>) => void): void {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = parse(readFileSync(file, "utf8"));
    change(doc.config);
    writeFileSync(file, stringify(doc, { aliasDuplicateObjects: false }));
}
