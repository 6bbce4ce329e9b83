import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ClusterConfig } from "../config/stack";
import { Level, parsePolicy, Policy, PolicyEvaluator, RequestAttributes, validatePolicy } from "../../policy/engine";
import { READ_VERBS } from "./classes";

/** What one request leaves in Loki for one cluster. */
export interface RequestOutcome {
    /** Level of the event stored in Loki; None when nothing arrives. */
    level: Level;
    /** Why the event is missing or below the level the product asks for. */
    why?: string;
    /** A caveat that is not a gap. */
    note?: string;
}

const POLICIES = path.join(__dirname, "platform-policies");
const PRODUCT_POLICY = path.join(__dirname, "..", "..", "policy", "audit-policy.yaml");

let cache: { product: PolicyEvaluator; managed: PolicyEvaluator; openshift: Record<string, PolicyEvaluator> } | undefined;

function evaluators() {
    if (!cache) {
        const load = (p: Policy) => new PolicyEvaluator(p);
        const profiles = parse(readFileSync(path.join(POLICIES, "openshift-profiles.yaml"), "utf8")) as Record<string, unknown>;
        cache = {
            product: load(parsePolicy(readFileSync(PRODUCT_POLICY, "utf8"))),
            managed: load(parsePolicy(readFileSync(path.join(POLICIES, "reference-managed.yaml"), "utf8"))),
            openshift: Object.fromEntries(Object.entries(profiles).map(([k, v]) => [k, load(validatePolicy(v))])),
        };
    }
    return cache;
}

/**
 * The level at which a request reaches Loki from a cluster, derived from the cluster's config and the audit
 * policy that cluster actually runs (the product's own on k3s; the platform's, modelled as a policy, on EKS,
 * GKE and OpenShift; AKS's is not published, so only its category filter is modelled).
 */
export function outcome(cluster: ClusterConfig, req: RequestAttributes): RequestOutcome {
    const e = evaluators();
    const isRead = READ_VERBS.has(req.verb);
    switch (cluster.kind) {
        case "k3s": {
            const level = e.product.evaluate(req).level;
            return level === "None" ? { level, why: "dropped by the product's policy (noise rule)" } : { level };
        }
        case "eks": {
            if (!cluster.firehoseEndpointUrl) return { level: "None", why: "no firehoseEndpointUrl: events stay in CloudWatch and never reach Loki" };
            const level = e.managed.evaluate(req).level;
            return level === "None" ? { level, why: "EKS's fixed audit policy drops it" } : { level };
        }
        case "gke": {
            const level = e.managed.evaluate(req).level;
            if (level === "None") return { level, why: "GKE's audit policy drops it" };
            // Admin Activity (writes) is always on; reads are Data Access logs, off unless enabled.
            if (isRead && !cluster.dataAccessLogTypes.includes("DATA_READ")) {
                return { level: "None", why: "reads are Cloud Audit Data Access logs: add DATA_READ to dataAccessLogTypes" };
            }
            return { level };
        }
        case "aks": {
            if (!cluster.eventHubLocation) return { level: "None", why: "no eventHubLocation: events stay in Log Analytics and never reach Loki" };
            const note = "AKS's audit policy is managed by Microsoft and not published: at least Metadata, bodies not guaranteed";
            if ((cluster.categories as string[]).includes("kube-audit")) return { level: "Metadata", note };
            if (req.verb === "get" || req.verb === "list") {
                return { level: "None", why: "kube-audit-admin drops get and list: choose category kube-audit" };
            }
            return { level: "Metadata", note };
        }
        case "openshift": {
            if (cluster.profile === "None") return { level: "None", why: "audit profile None turns API-server auditing off" };
            const level = e.openshift[cluster.profile].evaluate(req).level;
            if (cluster.profile === "Default" && level === "Metadata" && !isRead) {
                return { level, why: "profile Default logs no bodies: use WriteRequestBodies" };
            }
            return { level };
        }
    }
}
