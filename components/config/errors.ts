/**
 * Invalid stack configuration. `problems` has one line per problem; each names the config key, the
 * cluster, the field, the bad value and what is allowed. The message lists them all.
 */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.length === 1 ? problems[0] : `${problems.length} config problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

const MAX_SHOWN = 80;
const SECRET_LOOKING = /-----BEGIN|PRIVATE KEY|password|passwd|secret|token|AccountKey=|SharedAccessKey=/i;

/** A config value for an error message: quoted, shortened, and never a secret. */
export function showValue(value: unknown): string {
    if (value === undefined) return "missing";
    const text = JSON.stringify(value) ?? String(value);
    if (SECRET_LOOKING.test(text)) return "[redacted: looks like a secret; secrets belong in secret config]";
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}
