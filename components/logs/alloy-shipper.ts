import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, StackConfig } from "../config/stack";
import { releaseChart } from "./chart-repo";
import { renderAlloyConfig } from "./alloy/config";
import {
    K3S_ALLOY_SECRET_MANIFEST,
    K3S_CHART_REPO_MANIFEST,
    K3sManifest,
    PRIVILEGED_POD_SECURITY,
    renderK3sAlloyManifest,
    renderK3sAlloySecretManifest,
    renderK3sChartRepoManifest,
} from "./alloy/k3s-manifest";
import {
    centralPlan,
    externalLokiTarget,
    internalLokiTarget,
    LOKI_PASSWORD_ENV,
    nodeAgentSource,
    nonEmptySecret,
    OPENSHIFT_AUDIT_LOG_PATH,
    type WiredOutputs,
} from "./alloy/plan";
import { ReceiverRoute, receiverIngressArgs } from "./alloy/ingress";
import { pushUser } from "./loki/access";
import { htpasswdLine } from "./loki/htpasswd";
import { ALLOY_CONFIG_KEY, ALLOY_CONFIGMAP, ALLOY_ENV_SECRET, ALLOY_GCP_SECRET, centralValues, nodeAgentValues } from "./alloy/values";

export const ALLOY_SHIPPER_TYPE = "akko:audit:AlloyShipper";
/** Namespace of the Alloy agent inside an OpenShift cluster. */
export const OPENSHIFT_ALLOY_NAMESPACE = "akko-audit";
/** The path loki.source.awsfirehose serves (Firehose posts to the endpoint URL's path). */
export const FIREHOSE_PATH = "/awsfirehose/api/v1/push";

export interface AlloyShipperArgs {
    /** The validated stack config. */
    config: StackConfig;
    /**
     * Whose events: "central" (the logs cluster's receiver for EKS, GKE and AKS), or an OpenShift cluster
     * (an agent on its control-plane nodes, the fallback when the Logging operator is absent).
     */
    target: "central" | ClusterConfig;
    /** Namespace: the logs namespace for central, created for OpenShift. */
    namespace: pulumi.Input<string>;
    /** A secret config value by key (default: secretConfig). Every value stays a secret Output. */
    secret: (key: string) => pulumi.Output<string>;
    /** Provider of the target cluster. Default: the ambient kubeconfig. */
    provider?: k8s.Provider;
    /** Outputs of the cluster components the central Alloy reads (AKS Event Hubs made in this deployment). */
    wired?: pulumi.Input<WiredOutputs>;
    /** The generated password of each gateway push user (see gatewayAccess), secret Outputs. */
    pushPasswords: Record<string, pulumi.Output<string>>;
}

/** The generated password of a push user; a missing one is a wiring bug, named here rather than as an empty password. */
export function pushPasswordOf(passwords: Record<string, pulumi.Output<string>>, user: string): pulumi.Output<string> {
    const p = passwords[user];
    if (!p) throw new Error(`logs: no generated password for the gateway push user ${JSON.stringify(user)}`);
    return p;
}

/** A Grafana Alloy Helm release with its generated config, and the Secrets its environment comes from. */
export class AlloyShipper extends pulumi.ComponentResource {
    /** The rendered Alloy configuration (no secrets in it). */
    readonly alloyConfig: string;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AlloyShipperArgs, opts?: pulumi.ComponentResourceOptions) {
        super(ALLOY_SHIPPER_TYPE, name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const { config } = args;
        let namespace: pulumi.Input<string> = args.namespace;
        let env: Record<string, pulumi.Output<string>>;
        let values: Record<string, unknown>;
        const deps: pulumi.Resource[] = [];

        if (args.target === "central") {
            const plan = centralPlan(config);
            this.alloyConfig = renderAlloyConfig(plan.sources, internalLokiTarget(config));
            const wired = pulumi.output(args.wired ?? { eventHubs: {} });
            env = Object.fromEntries(
                plan.env.map((e) => {
                    if ("wired" in e) {
                        const { cluster, output } = e.wired;
                        return [
                            e.env,
                            wired.apply((w) => {
                                const value = w.eventHubs[cluster]?.[output];
                                // Fails the deployment rather than start an Alloy that silently reads nothing.
                                if (!value)
                                    throw new Error(`central Alloy: cluster ${JSON.stringify(cluster)} gave no ${output} (its Event Hub is missing)`);
                                return value;
                            }),
                        ];
                    }
                    const user = e.htpasswdUser;
                    const value =
                        "pushPassword" in e ? pushPasswordOf(args.pushPasswords, e.pushPassword) : nonEmptySecret(args.secret(e.secretKey), e);
                    return [e.env, user === undefined ? value : value.apply((p) => htpasswdLine(user, p))];
                }),
            );
            values = centralValues(
                config.logs,
                [...plan.firehose.map((f) => f.port), ...plan.otlp.map((o) => o.port)],
                plan.gcpCredentials !== undefined,
            );
            const gcp = plan.gcpCredentials;
            if (gcp) {
                const keyJson =
                    "secretKey" in gcp
                        ? args.secret(gcp.secretKey)
                        : pulumi.secret(
                              wired.apply((w) => {
                                  if (!w.gcpKey)
                                      throw new Error("central Alloy: no GCP key from the first GKE cluster's component (its createAlloyKey)");
                                  return w.gcpKey;
                              }),
                          );
                deps.push(
                    new k8s.core.v1.Secret(
                        `${name}-gcp`,
                        { metadata: { name: ALLOY_GCP_SECRET, namespace }, stringData: { "key.json": keyJson } },
                        child,
                    ),
                );
            }
            if (plan.firehose.length > 0) {
                const routes = plan.firehose.map((f): ReceiverRoute => ({ host: f.host, path: FIREHOSE_PATH, pathType: "Prefix", port: f.port }));
                new k8s.networking.v1.Ingress(`${name}-firehose`, receiverIngressArgs("akko-audit-firehose", namespace, config.logs, routes), child);
            }
            const receiversHost = config.logs.ingress?.receiversHost;
            if (plan.otlp.length > 0 && receiversHost) {
                const routes = plan.otlp.map((o): ReceiverRoute => ({ host: receiversHost, path: o.path, pathType: "Exact", port: o.port }));
                new k8s.networking.v1.Ingress(`${name}-otlp`, receiverIngressArgs("akko-audit-otlp", namespace, config.logs, routes), child);
            }
        } else {
            const cluster = args.target;
            // The agent's hostPath mount and root user need the privileged Pod Security level (see
            // PRIVILEGED_POD_SECURITY); OpenShift's label syncer would otherwise rewrite these labels from the
            // SCCs, so it is told to leave this namespace alone.
            const ns = new k8s.core.v1.Namespace(
                `${name}-ns`,
                {
                    metadata: {
                        name: args.namespace,
                        labels: { ...PRIVILEGED_POD_SECURITY, "security.openshift.io/scc.podSecurityLabelSync": "false" },
                    },
                },
                child,
            );
            namespace = ns.metadata.name;
            this.alloyConfig = renderAlloyConfig([nodeAgentSource(cluster, config)!], externalLokiTarget(config, cluster.name));
            env = { [LOKI_PASSWORD_ENV]: pushPasswordOf(args.pushPasswords, pushUser(cluster.name)) };
            values = nodeAgentValues(config.logs, "openshift-api", OPENSHIFT_AUDIT_LOG_PATH);
            // Reading the host's audit log needs the privileged SCC for Alloy's service account.
            deps.push(
                new k8s.rbac.v1.RoleBinding(
                    `${name}-scc`,
                    {
                        metadata: { name: "akko-audit-alloy-privileged", namespace },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:openshift:scc:privileged" },
                        subjects: [{ kind: "ServiceAccount", name: "alloy", namespace }],
                    },
                    child,
                ),
            );
        }

        deps.push(
            new k8s.core.v1.ConfigMap(
                `${name}-config`,
                { metadata: { name: ALLOY_CONFIGMAP, namespace }, data: { [ALLOY_CONFIG_KEY]: this.alloyConfig } },
                child,
            ),
        );
        deps.push(new k8s.core.v1.Secret(`${name}-env`, { metadata: { name: ALLOY_ENV_SECRET, namespace }, stringData: pulumi.secret(env) }, child));
        this.release = new k8s.helm.v3.Release(
            `${name}-alloy`,
            {
                name: "alloy",
                ...releaseChart(config.logs, "alloy", args.secret),
                namespace,
                values,
                atomic: true,
            },
            { ...child, dependsOn: deps },
        );
        this.registerOutputs({ alloyConfig: this.alloyConfig, release: this.release.status });
    }
}

/**
 * The manifests that install Alloy in a k3s cluster through its auto-deploy directory (for the k3s
 * component's extraManifests): the HelmChart (plain) and the password Secret (a secret Output) with the
 * cluster's own push password (its gateway user, pushUser(cluster), writes only its own tenant).
 */
export function k3sAlloyManifests(
    config: StackConfig,
    cluster: ClusterConfig,
    pushPassword: pulumi.Input<string>,
    secret?: (key: string) => pulumi.Output<string>,
): { fileName: string; content: pulumi.Input<string>; secret?: boolean }[] {
    const plain: K3sManifest = renderK3sAlloyManifest(config, cluster);
    const repo = secret ? k3sChartRepoManifest(config, secret) : undefined;
    return [plain, k3sAlloySecretManifest(pushPassword), ...(repo ? [repo] : [])];
}

/** The chart repository's secret CA and credentials for helm-controller, one Output per logs config; none when unneeded. */
const repoManifests = new WeakMap<object, SecretManifest>();
function k3sChartRepoManifest(config: StackConfig, secret: (key: string) => pulumi.Output<string>): SecretManifest | undefined {
    const m = config.logs.mirrors;
    // A chart packed in the HelmChart is fetched from nowhere: no credentials to hand out.
    if (m.k3sAlloyChartFile || (!m.chartRepositoryAuthSecret && !m.chartRepositoryCaSecret)) return undefined;
    let manifest = repoManifests.get(config.logs);
    if (!manifest) {
        const auth = m.chartRepositoryAuthSecret ? secret(m.chartRepositoryAuthSecret) : undefined;
        const ca = m.chartRepositoryCaSecret ? secret(m.chartRepositoryCaSecret) : undefined;
        const content = pulumi.all([auth, ca]).apply(([a, c]) => renderK3sChartRepoManifest({ auth: a, ca: c }).content);
        manifest = { fileName: K3S_CHART_REPO_MANIFEST, content: pulumi.secret(content), secret: true };
        repoManifests.set(config.logs, manifest);
    }
    return manifest;
}

type SecretManifest = { fileName: string; content: pulumi.Output<string>; secret: true };
/** The password Secret manifest by password Output: the same for every k3s cluster, so one Output, not one per cluster. */
const secretManifests = new WeakMap<object, SecretManifest>();

function k3sAlloySecretManifest(gatewayPassword: pulumi.Input<string>): SecretManifest {
    const byObject = typeof gatewayPassword === "object" && gatewayPassword !== null;
    const known = byObject ? secretManifests.get(gatewayPassword) : undefined;
    if (known) return known;
    const manifest: SecretManifest = {
        fileName: K3S_ALLOY_SECRET_MANIFEST,
        content: pulumi.secret(pulumi.output(gatewayPassword).apply((p) => renderK3sAlloySecretManifest(p).content)),
        secret: true,
    };
    if (byObject) secretManifests.set(gatewayPassword, manifest);
    return manifest;
}
