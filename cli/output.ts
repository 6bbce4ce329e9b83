/** Where a command writes; tests pass a recorder, the binary passes the process streams. */
export interface Output {
    stdout(line: string): void;
    stderr(line: string): void;
}

export const processOutput: Output = {
    stdout: (line) => void process.stdout.write(line + "\n"),
    stderr: (line) => void process.stderr.write(line + "\n"),
};

/**
 * Stdout closed early (`akko-audit normalize ... | head`): Node reports EPIPE as an 'error' event, which
 * would crash with a stack trace. Stop quietly with exit 0, as `head` users expect; nothing more can be
 * shown anyway. A closed stderr is ignored. Other write errors stay errors.
 */
export function exitQuietlyOnClosedPipe(stdout: NodeJS.EventEmitter = process.stdout, stderr: NodeJS.EventEmitter = process.stderr): void {
    stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
        process.exit(0);
    });
    stderr.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
    });
}
