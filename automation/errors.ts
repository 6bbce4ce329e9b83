import { CommandError, ConcurrentUpdateError, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ConfigError } from "../components/config/errors";
import { firstLine } from "./progress";

export type Operation = "preview" | "up" | "refresh" | "destroy" | "outputs";

/**
 * A failed automation run, with one line that says what went wrong and what to do. `cause` is what was
 * thrown underneath, kept as is: the SDK's typed error (`CommandError`, `StackNotFoundError`,
 * `ConcurrentUpdateError`, `StackAlreadyExistsError`), the `ConfigError`, or the program's own error. Its
 * message is the Pulumi CLI's full output and may hold secrets: show the one line, not the cause.
 */
export class AutomationError extends Error {
    constructor(
        message: string,
        /** Config problems (one line each) when the failure is bad config. */
        readonly problems: readonly string[] = [],
        options?: ErrorOptions,
    ) {
        super(message, options);
        this.name = "AutomationError";
    }
}

// Text in CLI output that must never be echoed into an error line.
const SECRET_LOOKING = /-----BEGIN|PRIVATE KEY|AccountKey=|SharedAccessKey=|password=|passphrase=\S/i;

/** The parts of a CommandError: its message is `code: N\n stdout: ...\n stderr: ...\n err?: ...`. */
export function commandErrorParts(e: CommandError): { code: number | undefined; stderr: string } {
    const text = e.message;
    const code = /^code: (-?\d+)/.exec(text)?.[1];
    const stderr = /\n stderr: ([\s\S]*?)\n err\?: /.exec(text)?.[1] ?? "";
    return { code: code === undefined ? undefined : Number(code), stderr };
}

/** The first `error:` line of the CLI's stderr, or its first line; never a secret-looking one. */
export function firstErrorLine(stderr: string): string {
    const lines = stderr
        .split("\n")
        .map((l) => firstLine(l))
        .filter((l) => l.length > 0 && !SECRET_LOOKING.test(l));
    const error = lines.find((l) => /^error: /.test(l));
    return (error ?? lines[0] ?? "").replace(/^error: /, "");
}

/**
 * One clear line for any failure of an automation run: the SDK's typed errors (which it derives from the
 * Pulumi CLI's stderr), a missing CLI, a missing passphrase or login, and the first engine error for a
 * failed update. `errors` are the error diagnostics seen in the event stream, if any.
 */
export function describeError(
    e: unknown,
    stack: string,
    op: Operation,
    errors: readonly string[] = [],
    /** The stacks the backend has, when known: named when the stack is not found (a typo shows). */
    existing?: readonly string[],
): string {
    if (e instanceof ConfigError) return `stack ${stack}: ${e.problems.length} config problem(s); nothing was changed`;
    if (e instanceof ConcurrentUpdateError) {
        return `stack ${stack}: another update is running (the stack is locked); wait for it, or if none is running clear the stale lock with 'pulumi cancel --stack ${stack}'`;
    }
    if (e instanceof StackNotFoundError) {
        const there = existing === undefined ? "" : ` (it has ${existing.length > 0 ? existing.join(", ") : "none"})`;
        return `stack ${stack}: no such stack in the backend${there}; create it with 'akko-audit up --stack ${stack}' (or 'pulumi stack init ${stack}')`;
    }
    if (e instanceof StackAlreadyExistsError) return `stack ${stack}: already exists in the backend (created concurrently?); run again to select it`;
    if (e instanceof CommandError) {
        const { code, stderr } = commandErrorParts(e);
        if (code === -2 && /ENOENT/.test(stderr)) {
            return "the Pulumi CLI is not installed or not on PATH: a live preview/up/destroy needs it and cloud credentials (https://www.pulumi.com/docs/install/); 'akko-audit plan' works offline";
        }
        // The SDK runs `pulumi version` first. Here the CLI exists but cannot run, e.g. the npm launcher
        // (the `pulumi` devDependency) could not download it without internet.
        if (code === -2 && /^Command failed with exit code \d+: \S*pulumi version/.test(stderr)) {
            const why = stderr
                .split("\n")
                .map((l) => l.trim())
                .filter((l) => l.length > 0 && !SECRET_LOOKING.test(l))
                .pop();
            return `the Pulumi CLI could not run${why ? ` (${why})` : ""}: a live preview/up/destroy needs it and cloud credentials (https://www.pulumi.com/docs/install/); 'akko-audit plan' works offline`;
        }
        if (/passphrase/i.test(stderr))
            return `stack ${stack}: cannot decrypt its secrets: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase`;
        if (/PULUMI_ACCESS_TOKEN must be set|not logged in/i.test(stderr)) {
            return "not logged in to a Pulumi backend: run 'pulumi login' (or set PULUMI_BACKEND_URL / PULUMI_ACCESS_TOKEN)";
        }
        const cause = errors.find((l) => !SECRET_LOOKING.test(l)) ?? firstErrorLine(stderr);
        return `pulumi ${op} of stack ${stack} failed${code !== undefined && code >= 0 ? ` (exit ${code})` : ""}${cause ? `: ${cause}` : ""}`;
    }
    const message = e instanceof Error ? firstLine(e.message) : String(e);
    return `pulumi ${op} of stack ${stack} failed: ${SECRET_LOOKING.test(message) ? "[redacted]" : message}`;
}
