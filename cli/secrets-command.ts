import { logsSecretRefs } from "../components/config/logs";
import { CONFIG_NAMESPACE, secretRefs, StackConfig } from "../components/config/stack";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const SECRETS_HELP = `Usage: akko-audit secrets --stack NAME [--json] [--project-dir DIR]

Lists every secret the stack's config refers to, whether Pulumi.<NAME>.yaml holds it (as a 'secure:'
value), and for each one not set yet the exact 'pulumi config set --secret' command. Offline: nothing is
decrypted. Exit 0 when every secret is set, 1 when some are missing ('pulumi up' refuses until they are).`;

/** What a field's secret holds and how it is best given (multi-line values come from a file on stdin). */
const FIELD_VALUES: Record<string, { what: string; fromFile?: string }> = {
    sshPrivateKeySecret: { what: "SSH private key", fromFile: "path/to/ssh-private-key" },
    bastionSshPrivateKeySecret: { what: "bastion SSH private key", fromFile: "path/to/bastion-ssh-private-key" },
    kubeconfigSecret: { what: "kubeconfig", fromFile: "path/to/kubeconfig" },
    firehoseAccessKeySecret: { what: "Firehose HTTP endpoint access key" },
    gatewayPasswordSecret: { what: "Loki gateway password" },
    "objectStorage.credentialsSecret": { what: "object storage credentials", fromFile: "path/to/credentials" },
    "receivers.gcpCredentialsSecret": { what: "GCP service account key (JSON)", fromFile: "path/to/key.json" },
};

export interface SecretStatus {
    key: string;
    set: boolean;
    /** Where the config names it: "clusters[0] edge-paris sshPrivateKeySecret", "logs gatewayPasswordSecret". */
    usedBy: string[];
    /** The command that sets it (also given when it is set: rotation is the same command). */
    command: string;
}

export function secretStatuses(config: StackConfig): SecretStatus[] {
    const byKey = new Map<string, { usedBy: string[]; field: string }>();
    const add = (key: string, field: string, where: string) => {
        const e = byKey.get(key) ?? { usedBy: [], field };
        e.usedBy.push(`${where} ${field}`);
        byKey.set(key, e);
    };
    config.clusters.forEach((c, i) => secretRefs(c).forEach((r) => add(r.key, r.field, `clusters[${i}] ${c.name}`)));
    logsSecretRefs(config.logs).forEach((r) => add(r.key, r.field, "logs"));
    const unset = new Set(config.unsetSecrets);
    return [...byKey.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, { usedBy, field }]) => {
            const how = FIELD_VALUES[field] ?? {
                what: field.endsWith(".connectionStringSecret") ? "Event Hub listen connection string" : "secret value",
            };
            const base = `pulumi config set --stack ${config.stack} --secret ${CONFIG_NAMESPACE}:${key}`;
            // Without a file, the CLI prompts for the value (it is not echoed, nor kept in shell history).
            const command = how.fromFile ? `${base} < ${how.fromFile}   # ${how.what}` : `${base}   # prompts for the ${how.what}`;
            return { key, set: !unset.has(key), usedBy, command };
        });
}

export function secretsCommand(args: string[], out: Output): number {
    const opts = parseOptions("secrets", args, { stack: { type: "string" }, json: { type: "boolean" }, "project-dir": { type: "string" } });
    if (opts.help) return (out.stdout(SECRETS_HELP), 0);
    const config = loadStackForCli(opts.stack, opts["project-dir"], "secrets", out);
    if (typeof config === "number") return config;
    const statuses = secretStatuses(config);
    const missing = statuses.filter((s) => !s.set);
    if (opts.json) out.stdout(JSON.stringify({ stack: config.stack, secrets: statuses }, null, 2));
    else {
        out.stdout(`Stack ${config.stack}: ${statuses.length} secret(s) referenced, ${missing.length} not set yet.`);
        for (const s of statuses) out.stdout(`  ${s.set ? "set    " : "MISSING"} ${CONFIG_NAMESPACE}:${s.key}  (${s.usedBy.join("; ")})`);
        if (missing.length > 0) {
            out.stdout("");
            out.stdout("Set them before `pulumi up`:");
            for (const s of missing) out.stdout(`  ${s.command}`);
        }
    }
    return missing.length > 0 ? 1 : 0;
}
