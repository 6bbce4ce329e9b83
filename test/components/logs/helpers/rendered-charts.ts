import { parse } from "yaml";
import { SECRET_PLACEHOLDER, validateStackConfig } from "../../../../components/config";
import type { StackConfig } from "../../../../components/config/stack";
import { centralPlan, internalPushUrl, logsNamespace, OPENSHIFT_AUDIT_LOG_PATH } from "../../../../components/logs/alloy/plan";
import { renderK3sAlloyManifest } from "../../../../components/logs/alloy/k3s-manifest";
import { centralValues, nodeAgentValues } from "../../../../components/logs/alloy/values";
import { OPENSHIFT_ALLOY_NAMESPACE } from "../../../../components/logs/alloy-shipper";
import { grafanaValues } from "../../../../components/logs/grafana/values";
import { gatewayAccess } from "../../../../components/logs/loki/access";
import { ruleFiles } from "../../../../components/logs/loki/ruler";
import { lokiValues } from "../../../../components/logs/loki/values";
import { platformOf } from "../../../../components/platforms";
import { exampleStack } from "../../../helpers/config";
import { CHARTS, helmTemplate, imagesOf, type Manifest } from "../../../helpers/helm";

/** One Helm release the program installs, rendered by the real chart. */
export interface RenderedRelease {
    /** What it is: "loki", "grafana", "alloy-central", "alloy-openshift-<cluster>", "alloy-k3s-<cluster>". */
    id: string;
    namespace: string;
    values: Record<string, unknown>;
    manifests: Manifest[];
}

/**
 * A project example stack (Pulumi.<name>.yaml) validated, its secrets present as placeholders; `logs` fields
 * (and secret keys) added on top for variants (Grafana deployed, object storage...).
 */
export function exampleConfig(name: "prod" | "dev", logs: Record<string, unknown> = {}, secrets: string[] = []): StackConfig {
    const raw = exampleStack(name);
    const values = { ...raw.values, ...Object.fromEntries(secrets.map((k) => [k, SECRET_PLACEHOLDER])) };
    values.logs = { ...(values.logs as object), ...logs };
    return validateStackConfig({ ...raw, values, secretKeys: new Set([...raw.secretKeys, ...secrets]) });
}

/** The values of every release a stack installs (Grafana only with logs.deployGrafana), by id. */
export function releaseValues(config: StackConfig): Omit<RenderedRelease, "manifests">[] {
    const logs = config.logs;
    const ns = logsNamespace(config);
    const out: Omit<RenderedRelease, "manifests">[] = [
        { id: "loki", namespace: ns, values: lokiValues(logs, gatewayAccess(config), ruleFiles(config)) },
    ];
    if (logs.deployGrafana) {
        out.push({
            id: "grafana",
            namespace: ns,
            values: grafanaValues(
                logs,
                internalPushUrl(ns).replace("/loki/api/v1/push", ""),
                logs.gatewayUser,
                ruleFiles(config).map((r) => r.tenant),
            ),
        });
    }
    const plan = centralPlan(config);
    if (plan.sources.length > 0) {
        const ports = [...plan.firehose.map((f) => f.port), ...plan.otlp.map((o) => o.port)];
        out.push({ id: "alloy-central", namespace: ns, values: centralValues(logs, ports, plan.gcpCredentials !== undefined) });
    }
    for (const c of config.clusters) {
        const route = platformOf(c).logsRoute(c, config);
        if (route.via !== "node-agent") continue;
        if (route.installer.by === "k3s-manifests") {
            // The values k3s's helm-controller passes to the chart: the HelmChart's valuesContent, as written to the node.
            const docs = renderK3sAlloyManifest(config, c)
                .content.split(/^---\n/m)
                .map((d) => parse(d));
            const chart = docs.find((d) => d?.kind === "HelmChart");
            out.push({ id: `alloy-k3s-${c.name}`, namespace: chart.spec.targetNamespace, values: parse(chart.spec.valuesContent) });
        } else {
            out.push({
                id: `alloy-openshift-${c.name}`,
                namespace: OPENSHIFT_ALLOY_NAMESPACE,
                values: nodeAgentValues(logs, "openshift-api", OPENSHIFT_AUDIT_LOG_PATH),
            });
        }
    }
    return out;
}

const cache = new Map<StackConfig, RenderedRelease[]>();

/** Every release a stack installs, rendered with `helm template` (once per config object). */
export function renderReleases(config: StackConfig): RenderedRelease[] {
    let r = cache.get(config);
    if (!r) {
        r = releaseValues(config).map((v) => {
            const chart = v.id === "loki" ? CHARTS.loki : v.id === "grafana" ? CHARTS.grafana : CHARTS.alloy;
            const release = v.id === "loki" ? "loki" : v.id === "grafana" ? "grafana" : "alloy";
            return { ...v, manifests: helmTemplate(chart, release, v.namespace, v.values) };
        });
        cache.set(config, r);
    }
    return r;
}

/** One rendered release by id; fails naming the ids there are. */
export function release(releases: RenderedRelease[], id: string): RenderedRelease {
    const r = releases.find((x) => x.id === id);
    if (!r) throw new Error(`no release ${id} in [${releases.map((x) => x.id).join(", ")}]`);
    return r;
}

/** Every image every release of the stack pulls, sorted, once each (for the mirror coverage check). */
export function stackImages(config: StackConfig): string[] {
    return [...new Set(renderReleases(config).flatMap((r) => imagesOf(r.manifests)))].sort();
}
