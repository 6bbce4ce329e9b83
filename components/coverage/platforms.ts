import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ClusterConfig } from "../config/stack";
import { parsePolicy, Policy, PolicyEvaluator, RequestAttributes, validatePolicy } from "../../policy/engine";
import type { AuditPolicies, RequestOutcome } from "../platform";
import { platformOf } from "../platforms";

export type { RequestOutcome } from "../platform";

const POLICIES = path.join(__dirname, "platform-policies");
const PRODUCT_POLICY = path.join(__dirname, "..", "..", "policy", "audit-policy.yaml");

let cache: AuditPolicies | undefined;

function evaluators(): AuditPolicies {
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
 * GKE and OpenShift; AKS's is not published, so only its category filter is modelled): each platform's
 * `outcome` (<kind>/describe.ts).
 */
export function outcome(cluster: ClusterConfig, req: RequestAttributes): RequestOutcome {
    return platformOf(cluster).outcome(cluster, req, evaluators());
}
