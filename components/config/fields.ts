import { z } from "zod";

/** Zod params whose error text is what the field allows (the formatter adds key, cluster, field and value). */
export const allowed = (text: string) => ({ error: text });

/**
 * A strict object: unknown fields are errors (a typo must not be silently ignored), and the error lists
 * the fields that exist.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
    return z.strictObject(shape, {
        error: (iss) => (iss.code === "unrecognized_keys" ? `allowed fields: ${Object.keys(shape).join(", ")}` : "a mapping of fields"),
    });
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Cluster names become resource names and the Loki `cluster` label. */
export const CLUSTER_NAME_MAX = 40;
export const clusterName = z
    .string(allowed(`lowercase letters, digits and '-', at most ${CLUSTER_NAME_MAX} characters`))
    .max(CLUSTER_NAME_MAX, allowed(`lowercase letters, digits and '-', at most ${CLUSTER_NAME_MAX} characters`))
    .regex(DNS_LABEL, allowed(`lowercase letters, digits and '-', at most ${CLUSTER_NAME_MAX} characters`));

/**
 * The cluster's earlier names, newest first (the last is the one its cloud resources keep, see firstName): a rename keeps every resource (Pulumi aliases) instead of
 * tearing the old name's resources down. Default none.
 */
export const previousNames = z
    .array(clusterName, allowed("a list of the cluster's earlier names"))
    .max(10, allowed("at most 10 earlier names"))
    .default([]);

/**
 * The name a cluster's cloud resources (topics, subscriptions, accounts, hubs) were first created under:
 * its oldest earlier name, else its name. Renaming a cluster keeps them (and the events they buffer).
 */
export function firstName(c: { name: string; previousNames: readonly string[] }): string {
    return c.previousNames.length > 0 ? c.previousNames[c.previousNames.length - 1] : c.name;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
export const host = z
    .string(allowed("a hostname or IP address"))
    .refine((h) => HOSTNAME.test(h) || (h.includes(":") && IPV6.test(h)), allowed("a hostname or IP address"));

export const port = z
    .number(allowed("a TCP port, 1 to 65535"))
    .int(allowed("a TCP port, 1 to 65535"))
    .min(1, allowed("a TCP port, 1 to 65535"))
    .max(65535, allowed("a TCP port, 1 to 65535"));

export const SSH_USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
export const sshUser = z
    .string(allowed("a POSIX user name such as root or ubuntu"))
    .regex(SSH_USER, allowed("a POSIX user name such as root or ubuntu"));

/** One public host key line as in known_hosts or ssh-keyscan output (the host name part is optional). */
export const SSH_HOST_KEY = /^(?:\S+ )?(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|rsa-sha2-(256|512)) [A-Za-z0-9+/]+={0,3}$/;
export const sshHostKey = z
    .string(allowed('a public host key such as "ssh-ed25519 AAAA..." (from ssh-keyscan)'))
    .regex(SSH_HOST_KEY, allowed('a public host key such as "ssh-ed25519 AAAA..." (from ssh-keyscan)'));

/** Pulumi config key names, as `pulumi config set` accepts them (without the namespace). */
export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** The name of a secret config key in this project's namespace, e.g. `k3sSshKey` for `akko-audit:k3sSshKey`. */
export const secretRef = z
    .string(allowed("the name of a secret config key, set with `pulumi config set --secret akko-audit:NAME`"))
    .regex(CONFIG_KEY, allowed("the name of a secret config key, set with `pulumi config set --secret akko-audit:NAME`"));

export const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
export const absolutePath = z
    .string(allowed("an absolute path of letters, digits, '.', '_', '-' and '/'"))
    .regex(ABSOLUTE_PATH, allowed("an absolute path of letters, digits, '.', '_', '-' and '/'"));

export function intInRange(min: number, max: number, unit: string) {
    const text = `a whole number of ${unit} from ${min} to ${max}`;
    return z.number(allowed(text)).int(allowed(text)).min(min, allowed(text)).max(max, allowed(text));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, allowed(values.join(" | ")));
}

/**
 * Let this stack turn the cluster's audit logging off. Without it, the resources whose delete turns audit off
 * (the k3s apply, the EKS and GKE logging settings, Data Access config, the AKS diagnostic setting, the
 * OpenShift patch) are protected: removing the cluster or `pulumi destroy` stops with Pulumi's protect error.
 * To take a cluster out: set it, `pulumi up`, then remove the cluster or destroy. Default false.
 */
export const allowAuditOff = z.boolean(allowed("true or false")).default(false);
