import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { AuditStackInput } from "../../automation";
import { validateDeployableStack } from "../../components/deployable";
import { readStackFile } from "../../components/config/source";
import { setSecrets } from "../helpers/project";

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
    for (const f of ["Pulumi.yaml", `Pulumi.${stack}.yaml`]) copyFileSync(path.join(ROOT, f), path.join(dir, f));
    setSecrets(dir, stack);
    return dir;
}
