import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { secretConfig } from "../config/pulumi";
import { StackConfig } from "../config/stack";
import { AlloyShipper, k3sAlloyManifests, OPENSHIFT_ALLOY_NAMESPACE, pushPasswordOf } from "./alloy-shipper";
import { centralPlan, gatewayUser, internalPushUrl, logsNamespace, type WiredOutputs } from "./alloy/plan";
import { platformOf } from "../platforms";
import type { K3sManifest } from "../k3s/manifests";
import { OpenShiftLogForwarder } from "./openshift-forwarder";
import { AuditDashboard } from "./audit-dashboard";
import { LokiStack } from "./loki-stack";
import { gatewayAccess, pushUser } from "./loki/access";
import { bundleEvidenceJob } from "./evidence/bundle";
import { deployedRules, ruleFiles } from "./loki/ruler";
import { assertLogsDeployable, logsWarnings } from "./requirements";
import { CONFIG_NAMESPACE } from "../config/namespace";
import { evidenceRetentionDays } from "../config/evidence";
import { signingKey } from "./evidence";
import { EVIDENCE_PUSH_USER, type EvidenceSecretEnv } from "./evidence-deploy";
import { EvidenceJob } from "./evidence-job";
import { EvidenceStore } from "./evidence-store";
import { evidenceUrls } from "./render";

export const LOGS_LAYER_TYPE = "akko:audit:LogsLayer";
/** Length of each generated push password (letters and digits: safe in htpasswd, YAML and environment). */
export const PUSH_PASSWORD_LENGTH = 40;

export interface LogsLayerArgs {
    /** The validated stack config. */
    config: StackConfig;
    /** A secret config value by key. Default: secretConfig (always a secret Output). */
    secret?: (key: string) => pulumi.Output<string>;
    /** Provider of the logs cluster. Default: one from logs.kubeconfigSecret, else (logs.useAmbientKubeconfig) the ambient kubeconfig. */
    provider?: k8s.Provider;
    /** Providers of the OpenShift clusters by name. Default: one from each cluster's kubeconfigSecret. */
    openshiftProviders?: Record<string, k8s.Provider>;
    /**
     * Outputs of the cluster components the central Alloy reads (the AKS Event Hubs this deployment creates),
     * so one `up` wires them. Required when an AKS cluster's hub is not in logs.receivers.eventHubs.
     */
    wired?: pulumi.Input<WiredOutputs>;
    /** The bundled evidence job (logs.evidence.enabled). Default: bundleEvidenceJob() from ./evidence/bundle. */
    evidenceBundle?: () => string;
    /** Provider of the evidence store's cloud. Default: EvidenceStore's own (store.region / store.project; Azure: the default provider). */
    evidenceProvider?: pulumi.ProviderResource;
}

/**
 * An Ed25519 signing key from secret config, checked when the value is decrypted (preview and up): the error
 * names the field and the key, never the value.
 */
export function evidenceSigningKey(
    value: pulumi.Output<string>,
    field: string,
    key: string,
): pulumi.Output<{ pem: string; publicKey: string; id: string }> {
    return value.apply((pem) => {
        try {
            const k = signingKey(pem);
            return { pem, publicKey: k.publicKey, id: k.id };
        } catch (e) {
            throw new Error(
                `${CONFIG_NAMESPACE}:logs: field ${field}: secret ${CONFIG_NAMESPACE}:${key} is ${(e as Error).message}; allowed: an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)`,
            );
        }
    });
}

/**
 * The whole logs layer: Loki, the central Alloy (EKS, GKE, AKS), an Alloy agent per OpenShift cluster, the
 * dashboard (and Grafana when logs.grafana), and the manifests each k3s cluster's component must place in
 * its auto-deploy directory (`k3sManifests`, wired by the caller). Fails before registering anything when
 * the config cannot be deployed.
 */
export class LogsLayer extends pulumi.ComponentResource {
    /** Extra manifests per k3s cluster name, for the k3s component's extraManifests. */
    readonly k3sManifests: Record<string, { fileName: string; content: pulumi.Input<string> }[]>;
    readonly loki: LokiStack;
    readonly namespace: pulumi.Output<string>;
    /**
     * With logs.evidence on: the raw Ed25519 public keys (base64) digests are verified with, the signing key's
     * first, then the outgoing one during a rotation. Public: auditors pin them (verify's trusted keys).
     */
    readonly evidencePublicKeys?: pulumi.Output<string[]>;

    constructor(name: string, args: LogsLayerArgs, opts?: pulumi.ComponentResourceOptions) {
        assertLogsDeployable(args.config);
        super(LOGS_LAYER_TYPE, name, {}, opts);
        for (const w of logsWarnings(args.config)) pulumi.log.warn(w, this);
        const { config } = args;
        const logs = config.logs;
        const secret = args.secret ?? secretConfig;
        const password = secret(logs.gatewayPasswordSecret!);
        // assertLogsDeployable refused a config with neither: no provider here means the ambient context was asked for.
        const provider =
            args.provider ??
            (logs.kubeconfigSecret
                ? new k8s.Provider(`${name}-provider`, { kubeconfig: secret(logs.kubeconfigSecret) }, { parent: this })
                : undefined);
        const user = gatewayUser(config);
        const access = gatewayAccess(config);
        // One generated password per push user (kept in state, secret): a source's password writes only its tenants.
        const pushPasswords: Record<string, pulumi.Output<string>> = Object.fromEntries(
            [...access.pushers.map((p) => p.user), ...access.forwarders.map(pushUser)].map((u) => {
                // A renamed cluster keeps its password (its push user is named after the cluster).
                const former = config.clusters.find((c) => pushUser(c.name) === u)?.previousNames ?? [];
                const opts = { parent: this, aliases: former.map((n) => ({ name: `${name}-${pushUser(n)}` })) };
                return [u, pulumi.secret(new random.RandomPassword(`${name}-${u}`, { length: PUSH_PASSWORD_LENGTH, special: false }, opts).result)];
            }),
        );

        this.loki = new LokiStack(
            `${name}-loki`,
            {
                logs,
                namespace: logsNamespace(config),
                gatewayUser: user,
                gatewayPassword: password,
                access,
                pushPasswords,
                deletePassword: logs.deleteApi?.enabled && logs.deleteApi.passwordSecret ? secret(logs.deleteApi.passwordSecret) : undefined,
                rules: ruleFiles(config),
                alertmanagerPassword:
                    logs.alerting?.alertmanagerUrl && logs.alerting.passwordSecret ? secret(logs.alerting.passwordSecret) : undefined,
                storageCredentials: logs.objectStorage?.credentialsSecret ? secret(logs.objectStorage.credentialsSecret) : undefined,
                provider,
                secret,
            },
            { parent: this },
        );
        this.namespace = this.loki.namespace;
        if (centralPlan(config).sources.length > 0) {
            new AlloyShipper(
                `${name}-central`,
                { config, target: "central", namespace: this.namespace, secret, provider, wired: args.wired, pushPasswords },
                { parent: this, dependsOn: [this.loki] },
            );
        }
        const k3sManifests: [string, K3sManifest[]][] = [];
        for (const c of config.clusters) {
            const route = platformOf(c).logsRoute(c, config);
            if (route.via !== "node-agent" && route.via !== "otlp") continue;
            if (route.installer.by === "k3s-manifests") {
                // The cluster's own component uploads them with its node files (over SSH).
                k3sManifests.push([c.name, k3sAlloyManifests(config, c, pushPasswordOf(pushPasswords, pushUser(c.name)), secret)]);
                continue;
            }
            // "openshift-" keeps these names apart from the layer's own children (a cluster may be called "central").
            const child = `${name}-openshift-${c.name}`;
            // A renamed cluster keeps its shipper (children follow the alias: their names start with it).
            const formerly = (suffix: string) => c.previousNames.map((n) => ({ name: `${name}-openshift-${n}${suffix}` }));
            const p =
                args.openshiftProviders?.[c.name] ??
                new k8s.Provider(
                    `${child}-provider`,
                    { kubeconfig: secret(route.installer.kubeconfigSecret) },
                    { parent: this, aliases: formerly("-provider") },
                );
            if (route.via === "otlp")
                new OpenShiftLogForwarder(
                    child,
                    { config, cluster: c, password: pushPasswordOf(pushPasswords, pushUser(c.name)), provider: p },
                    { parent: this, aliases: formerly("") },
                );
            else
                new AlloyShipper(
                    child,
                    { config, target: c, namespace: OPENSHIFT_ALLOY_NAMESPACE, secret, provider: p, pushPasswords },
                    { parent: this, aliases: formerly("") },
                );
        }
        new AuditDashboard(
            `${name}-dashboard`,
            {
                namespace: this.namespace,
                provider,
                secret,
                rules: deployedRules(logs),
                grafana: logs.deployGrafana
                    ? {
                          logs,
                          lokiUrl: internalPushUrl(logsNamespace(config)).replace("/loki/api/v1/push", ""),
                          lokiUser: user,
                          lokiPassword: password,
                          ruleTenants: ruleFiles(config).map((r) => r.tenant),
                      }
                    : undefined,
            },
            { parent: this },
        );
        const evidence = logs.evidence;
        if (evidence.enabled && evidence.store && evidence.signingKeySecret) {
            const key = evidenceSigningKey(secret(evidence.signingKeySecret), "evidence.signingKeySecret", evidence.signingKeySecret);
            const previous = evidence.previousSigningKeySecret
                ? evidenceSigningKey(
                      secret(evidence.previousSigningKeySecret),
                      "evidence.previousSigningKeySecret",
                      evidence.previousSigningKeySecret,
                  )
                : undefined;
            // Public keys derived from secrets: unsecret on purpose, they are what auditors must be able to read.
            this.evidencePublicKeys = pulumi.unsecret(pulumi.all([key, previous]).apply(([k, p]) => [k.publicKey, ...(p ? [p.publicKey] : [])]));
            const store = new EvidenceStore(
                `${name}-evidence-store`,
                {
                    store: evidence.store,
                    retentionDays: evidenceRetentionDays(logs),
                    s3CompatibleCredentials: evidence.store.credentialsSecret ? secret(evidence.store.credentialsSecret) : undefined,
                    provider: args.evidenceProvider,
                },
                { parent: this },
            );
            const secrets = pulumi
                .all([key, previous, store.credentials, password, pushPasswordOf(pushPasswords, EVIDENCE_PUSH_USER)])
                .apply(([k, p, creds, readPassword, pushPassword]) => {
                    const env: Partial<Record<EvidenceSecretEnv, string>> = {
                        ...creds,
                        SIGNING_KEY: k.pem,
                        LOKI_PASSWORD: readPassword,
                        STATUS_PASSWORD: pushPassword,
                    };
                    if (p) env.PREVIOUS_SIGNING_KEY = p.pem;
                    return env;
                });
            new EvidenceJob(
                `${name}-evidence`,
                {
                    config,
                    namespace: this.namespace,
                    bundle: (args.evidenceBundle ?? bundleEvidenceJob)(),
                    urls: evidenceUrls(logsNamespace(config)),
                    secrets: pulumi.secret(secrets),
                    provider,
                },
                { parent: this, dependsOn: [this.loki] },
            );
        }
        this.k3sManifests = Object.fromEntries(k3sManifests);
        this.registerOutputs({ namespace: this.namespace, ...(this.evidencePublicKeys ? { evidencePublicKeys: this.evidencePublicKeys } : {}) });
    }
}
