import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LogsConfig } from "../config/logs";
import { secretConfig } from "../config/pulumi";
import { releaseChart } from "./chart-repo";
import { htpasswdLine } from "./loki/htpasswd";
import { GATEWAY_SECRET, lokiValues, STORAGE_SECRET } from "./loki/values";

export const LOKI_STACK_TYPE = "akko:audit:LokiStack";

export interface LokiStackArgs {
    /** The validated logs block (components/config/logs.ts); every default documented there. */
    logs: LogsConfig;
    /** Namespace in the logs cluster; created by this component. */
    namespace: pulumi.Input<string>;
    /** User of the gateway's basic auth. */
    gatewayUser: pulumi.Input<string>;
    /** The gateway password (a secret Output from secret config). */
    gatewayPassword: pulumi.Input<string>;
    /** Object-storage credentials (SimpleScalable with logs.objectStorage.credentialsSecret). Default none. */
    storageCredentials?: pulumi.Input<string>;
    /** Provider of the logs cluster. Default: the ambient kubeconfig (LogsLayer passes one unless logs.useAmbientKubeconfig). */
    provider?: k8s.Provider;
    /** A secret config value by key (the chart repository's CA and credentials). Default: secretConfig. */
    secret?: (key: string) => pulumi.Output<string>;
}

/** The storage Secret's environment from the credentials text, by storage type (see ObjectStorageSchema). */
export function storageEnv(type: "s3" | "gcs" | "azure", credentials: string): Record<string, string> {
    if (type === "s3") {
        const i = credentials.indexOf(":");
        return { S3_ACCESS_KEY_ID: credentials.slice(0, i), S3_SECRET_ACCESS_KEY: credentials.slice(i + 1) };
    }
    return type === "azure" ? { AZURE_ACCOUNT_KEY: credentials } : { "key.json": credentials };
}

/** Loki (grafana-community chart) in the logs cluster, behind its gateway with basic auth. */
export class LokiStack extends pulumi.ComponentResource {
    /** The Helm release's status (name, namespace, revision). */
    readonly release: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: LokiStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super(LOKI_STACK_TYPE, name, {}, opts);
        const child = { parent: this, provider: args.provider };
        // Loki's volumes (its PersistentVolumeClaims: SingleBinary keeps every audit event on one) live in this
        // namespace, and deleting a namespace deletes its claims and so, by the usual reclaim policy, the data.
        // Retained, not protected: `destroy` and a namespace rename still go through (the release is uninstalled,
        // the StatefulSet's claims stay, see lokiValues) and the next `up` into the same namespace finds them.
        const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: args.namespace } }, { ...child, retainOnDelete: true });
        this.namespace = ns.metadata.name;
        const htpasswd = pulumi.secret(pulumi.all([args.gatewayUser, args.gatewayPassword]).apply(([u, p]) => htpasswdLine(u, p) + "\n"));
        const gateway = new k8s.core.v1.Secret(
            `${name}-gateway-auth`,
            { metadata: { name: GATEWAY_SECRET, namespace: this.namespace }, stringData: { ".htpasswd": htpasswd } },
            child,
        );
        const deps: pulumi.Resource[] = [gateway];
        const store = args.logs.objectStorage;
        if (args.logs.mode === "SimpleScalable" && store && args.storageCredentials) {
            const env = pulumi.secret(pulumi.output(args.storageCredentials).apply((c) => storageEnv(store.type, c)));
            deps.push(
                new k8s.core.v1.Secret(`${name}-storage`, { metadata: { name: STORAGE_SECRET, namespace: this.namespace }, stringData: env }, child),
            );
        }
        this.release = new k8s.helm.v3.Release(
            `${name}-loki`,
            {
                name: "loki",
                ...releaseChart(args.logs, "loki", args.secret ?? secretConfig),
                namespace: this.namespace,
                values: lokiValues(args.logs),
                atomic: true,
            },
            { ...child, dependsOn: deps },
        );
        this.registerOutputs({ namespace: this.namespace, release: this.release.status });
    }
}
