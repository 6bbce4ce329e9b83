import * as path from "node:path";
import type { AuditStackInput } from "../../automation";
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
    const secrets = Object.fromEntries([...raw.secretKeys].map((k) => [k, SECRETS[k] ?? `fake-${k}`]));
    return { clusters: raw.values.clusters as AuditStackInput["clusters"], logs: raw.values.logs as AuditStackInput["logs"], secrets };
}
