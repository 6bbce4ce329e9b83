import { stringify } from "yaml";
import { StackConfig } from "../config/stack";
import { renderAlloyConfig } from "./alloy/config";
import { renderK3sAlloyManifest } from "./alloy/k3s-manifest";
import { centralPlan, externalLokiTarget, internalLokiTarget, internalPushUrl, nodeAgentSource } from "./alloy/plan";
import { evidenceArtifacts } from "./evidence-deploy";
import { platformOf } from "../platforms";
import { clfServiceAccountManifests, clusterLogForwarder } from "./openshift/clf";
import { auditTrailDashboardJson } from "./dashboard/dashboard";
import { gatewayAccess } from "./loki/access";
import { deployedRules, ruleFiles } from "./loki/ruler";
import { lokiValues } from "./loki/values";

/** The gateway's in-cluster URLs the evidence job reads from (the read user) and pushes its status to. */
export function evidenceUrls(namespace: string): { lokiUrl: string; pushUrl: string } {
    const pushUrl = internalPushUrl(namespace);
    return { lokiUrl: pushUrl.replace(/\/loki\/api\/v1\/push$/, ""), pushUrl };
}

/** A file `render` writes for review (no secret in any of them). */
export interface LogsArtifact {
    path: string;
    content: string;
    description: string;
}

/**
 * The logs layer's reviewable artifacts: Loki values, every Alloy config (central, each k3s and OpenShift
 * cluster), the k3s HelmChart manifests, the dashboard JSON and each tenant's Loki rule file. Pure; secrets appear only as variable names.
 * Clusters whose events will not reach Loki are listed in logs/NOT-SHIPPED.txt (what would stop a deployment
 * already failed validation, before render gets here).
 */
export function renderLogsArtifacts(config: StackConfig): LogsArtifact[] {
    const rules = ruleFiles(config);
    const out: LogsArtifact[] = [
        {
            path: "logs/loki-values.yaml",
            content: stringify(lokiValues(config.logs, gatewayAccess(config), rules)),
            description: "Loki chart values (retention, mode, storage, gateway users and tenants, NetworkPolicy)",
        },
        {
            path: "logs/audit-trail-dashboard.json",
            content: auditTrailDashboardJson(deployedRules(config.logs)),
            description: 'Grafana "Audit Trail" dashboard',
        },
        ...rules.map((r) => ({
            path: `logs/rules/${r.tenant}.yaml`,
            content: r.content,
            description: `Loki ruler alerts of tenant ${r.tenant} (detections, audit silence)`,
        })),
    ];
    const plan = centralPlan(config);
    if (plan.sources.length > 0) {
        out.push({
            path: "logs/alloy/central.alloy",
            content: renderAlloyConfig(plan.sources, internalLokiTarget(config)),
            description: "central Alloy config (EKS, GKE, AKS and OpenShift-forwarder receivers)",
        });
    }
    for (const c of config.clusters) {
        const route = platformOf(c).logsRoute(c, config);
        if (route.via === "otlp") {
            const docs = [...clfServiceAccountManifests(), clusterLogForwarder(config, c)];
            out.push({
                path: `logs/openshift/${c.name}/cluster-log-forwarder.yaml`,
                content: docs.map((d) => stringify(d)).join("---\n"),
                description: `ClusterLogForwarder of the OpenShift cluster ${c.name} (OTLP to the central Alloy)`,
            });
            continue;
        }
        const source = nodeAgentSource(c, config);
        if (!source || route.via !== "node-agent") continue;
        out.push({
            path: `logs/alloy/${c.name}.alloy`,
            content: renderAlloyConfig([source], externalLokiTarget(config, c.name)),
            description: `Alloy config of the ${c.kind} cluster ${c.name}`,
        });
        if (route.installer.by === "k3s-manifests") {
            out.push({
                path: `logs/k3s/${c.name}/akko-audit-alloy.yaml`,
                content: renderK3sAlloyManifest(config, c).content,
                description: `k3s HelmChart manifest installing Alloy on ${c.name}'s servers`,
            });
        }
    }
    out.push(...evidenceArtifacts(config, evidenceUrls(config.logs.namespace)));
    const notes = plan.notShipped.map((n) => `${n.cluster}: not shipped to Loki: ${n.reason}`);
    if (notes.length > 0)
        out.push({
            path: "logs/NOT-SHIPPED.txt",
            content: notes.join("\n") + "\n",
            description: "clusters whose audit events will not reach Loki, and why",
        });
    return out;
}
