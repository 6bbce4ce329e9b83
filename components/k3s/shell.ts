/** POSIX shell quoting and the remote command line the component sends over SSH. */

/** Environment variable names the scripts read; anything else is refused (a typo must not pass silently). */
const ENV_NAME = /^AKKO_[A-Z0-9_]+$/;

/** Quotes one word for a POSIX shell: single quotes, with each `'` written as `'\''`. Safe for any text. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface RemoteCommandOptions {
    /** Run through `sudo -n` (the login user is not root). Never prompts: no password means failure. */
    sudo: boolean;
}

/**
 * The command line that runs `scriptText` on the node with `env` as its inputs:
 * `[sudo -n] env 'AKKO_X=…' … /bin/sh -c '<script>' akko-audit`. The inputs travel in the command itself,
 * not through sshd's AcceptEnv (most sshd configs drop them) nor through sudo's env_keep. Needs a POSIX
 * login shell (sh, bash, dash, zsh, ksh) to parse the quoting.
 */
export function buildRemoteCommand(scriptText: string, env: Record<string, string>, opts: RemoteCommandOptions): string {
    const assignments = Object.keys(env)
        .sort()
        .map((name) => {
            if (!ENV_NAME.test(name))
                throw new Error(`buildRemoteCommand: environment variable ${JSON.stringify(name)}: allowed: names matching ${ENV_NAME}`);
            return shellQuote(`${name}=${env[name]}`);
        });
    const words = ["env", ...assignments, "/bin/sh", "-c", shellQuote(scriptText), "akko-audit"];
    return (opts.sudo ? ["sudo", "-n", ...words] : words).join(" ");
}
