/** A user-facing failure: printed as one line, exit code 2 (bad input) unless said otherwise. */
export class CliError extends Error {
    constructor(
        message: string,
        readonly exitCode = 2,
    ) {
        super(message);
        this.name = "CliError";
    }
}
