import { hostConfig } from "./host";

/**
 * Linux's cap on one argument or environment string, "NAME=value" and its NUL: MAX_ARG_STRLEN, 32 pages
 * (include/uapi/linux/binfmts.h), 131072 bytes with 4 KiB pages. The nodejs language host passes the
 * whole stack config as one such string, PULUMI_CONFIG; past the cap the program's process cannot start
 * (execve: E2BIG, "argument list too long"), before any of our code runs.
 */
export const MAX_ARG_STRLEN = 131072;

/** The PULUMI_CONFIG entry of the program's environment, as the host builds it (its JSON, "NAME=" and NUL counted). */
export function pulumiConfigEnvBytes(config: Record<string, string>): number {
    return Buffer.byteLength(`PULUMI_CONFIG=${JSON.stringify(config)}`) + 1;
}

/** AES-GCM's tag: what Pulumi's passphrase ciphertext ("v1:<nonce>:<ciphertext>") adds to the value. */
const GCM_TAG_BYTES = 16;

/**
 * The decrypted size of a `secure:` value, estimated from its ciphertext (offline, nothing is decrypted):
 * exact for the passphrase manager's v1 format, an upper bound for the others (their envelope counts).
 */
export function estimatedSecretBytes(ciphertext: string): number {
    const v1 = /^v1:[A-Za-z0-9+/=]+:([A-Za-z0-9+/=]+)$/.exec(ciphertext);
    if (v1) return Math.max(0, Buffer.from(v1[1], "base64").length - GCM_TAG_BYTES);
    return Buffer.from(ciphertext, "base64").length;
}

/** A stand-in of the JSON length of a secret text of `bytes` bytes: a PEM key's newlines (one per ~64 bytes) escape to two. */
const secretStandIn = (bytes: number) => "x".repeat(bytes + Math.ceil(bytes / 64));

/**
 * The size of PULUMI_CONFIG for `Pulumi.<stack>.yaml` as `pulumi up` would hand it to the program, secrets
 * at their estimated decrypted size.
 */
export function pulumiConfigSize(projectDir: string, stack: string): { bytes: number; secrets: number; secretBytes: number } {
    let secretBytes = 0;
    const { config, secretKeys } = hostConfig(projectDir, stack, [], (ciphertext) => {
        const standIn = secretStandIn(estimatedSecretBytes(ciphertext));
        secretBytes += standIn.length;
        return standIn;
    });
    return { bytes: pulumiConfigEnvBytes(config), secrets: secretKeys.length, secretBytes };
}

/**
 * One line when the stack's config is too big for `pulumi up` to start the program, else undefined. Checked
 * offline before `pulumi up` (every CLI command that reads a stack), since the program itself never starts.
 */
export function pulumiConfigSizeProblem(projectDir: string, stack: string): string | undefined {
    const { bytes, secrets, secretBytes } = pulumiConfigSize(projectDir, stack);
    if (bytes <= MAX_ARG_STRLEN) return undefined;
    return (
        `stack ${stack}: PULUMI_CONFIG: got about ${bytes} bytes (${secrets} secrets, about ${secretBytes} bytes of them); ` +
        `allowed: at most ${MAX_ARG_STRLEN} bytes, Linux's MAX_ARG_STRLEN for one environment string (beyond it pulumi up cannot start the program: argument list too long); ` +
        `use SSH agent authentication (akko-audit:sshAuth: { agent: true }) or one sshPrivateKeySecret shared by the clusters instead of a key per cluster, ` +
        `and move the clusters to a file in the project, named by akko-audit:clustersFile (e.g. fleet.yaml: not in PULUMI_CONFIG, whatever the fleet's size)`
    );
}
