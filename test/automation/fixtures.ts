import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { AuditStackInput } from "../../automation";
import { validateDeployableStack } from "../../components/deployable";
import { readStackFile } from "../../components/config/source";

export const ROOT = path.resolve(__dirname, "../..");

/** Made-up secret values (never real keys); what matters is that they travel as secrets. */
export const SECRETS: Record<string, string> = {
    edgeSshKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nZmFrZS1lZGdlLWtleQ==\n-----END OPENSSH PRIVATE KEY-----\n",
    factorySshKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nZmFrZS1mYWN0b3J5LWtleQ==\n-----END OPENSSH PRIVATE KEY-----\n",
    ocpKubeconfig: "apiVersion: v1\nkind: Config\nusers: [{name: akko, user: {token: fake-token}}]\n",
};

/** The example fleet of Pulumi.prod.yaml as a typed object, with every secret it names. */
export function prodInput(): AuditStackInput {
    const raw = readStackFile(ROOT, "prod");
    const names = validateDeployableStack(raw, { allowUnsetSecrets: true }).secretKeys;
    const secrets = Object.fromEntries(names.map((k) => [k, SECRETS[k] ?? `fake-${k}`]));
    return { clusters: raw.values.clusters as AuditStackInput["clusters"], logs: raw.values.logs as AuditStackInput["logs"], secrets };
}

/**
 * A project directory whose Pulumi.<stack>.yaml is the project's own with every secret it names set, as
 * after `pulumi config set --secret` (ciphertext made up: nothing here decrypts it).
 */
export function projectWithSecrets(stack: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "akko-project-"));
    copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const names = validateDeployableStack(readStackFile(ROOT, stack), { allowUnsetSecrets: true }).unsetSecrets;
    const file = readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").trimEnd();
    writeFileSync(
        path.join(dir, `Pulumi.${stack}.yaml`),
        `${file}\n${names.map((k) => `  akko-audit:${k}:\n    secure: v1:ZmFrZQ==:${k}`).join("\n")}\n`,
    );
    return dir;
}
