/** Where a command writes; tests pass a recorder, the binary passes the process streams. */
export interface Output {
    stdout(line: string): void;
    stderr(line: string): void;
}

export const processOutput: Output = {
    stdout: (line) => void process.stdout.write(line + "\n"),
    stderr: (line) => void process.stderr.write(line + "\n"),
};
