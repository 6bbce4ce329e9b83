import { strict as assert } from "node:assert";
import { EKS_CLUSTER_TYPE, eksAuditLogPolicy, eksAuditLogViolations } from "../../../../policy/pack/rules/eks-audit-log";
import { analyze, UNKNOWN_ARRAY } from "../analyze";

describe("policy pack: eks-audit-log-enabled", () => {
    it("passes a cluster whose enabledClusterLogTypes include audit", () => {
        assert.deepEqual(eksAuditLogViolations("payments", { enabledClusterLogTypes: ["api", "audit", "authenticator"] }), []);
        assert.deepEqual(eksAuditLogViolations("payments", { enabledClusterLogTypes: ["audit"] }), []);
    });

    it("fails a cluster without audit, naming the field, the value and what is allowed", () => {
        assert.deepEqual(eksAuditLogViolations("payments", { enabledClusterLogTypes: ["api", "authenticator"] }), [
            'aws:eks/cluster:Cluster "payments": enabledClusterLogTypes: got ["api","authenticator"]; allowed: a list that includes "audit" (without it EKS writes no API-server audit events)',
        ]);
    });

    it("fails a cluster with no control-plane logs at all (unset or empty)", () => {
        assert.deepEqual(eksAuditLogViolations("analytics", {}), [
            'aws:eks/cluster:Cluster "analytics": enabledClusterLogTypes: got missing; allowed: a list that includes "audit" (without it EKS writes no API-server audit events)',
        ]);
        assert.equal(
            eksAuditLogViolations("analytics", { enabledClusterLogTypes: [] })[0],
            'aws:eks/cluster:Cluster "analytics": enabledClusterLogTypes: got []; allowed: a list that includes "audit" (without it EKS writes no API-server audit events)',
        );
    });

    it("is wired to exactly aws:eks/cluster:Cluster through the analyzer", async () => {
        assert.equal(EKS_CLUSTER_TYPE, "aws:eks/cluster:Cluster");
        const bad = await analyze(eksAuditLogPolicy, EKS_CLUSTER_TYPE, "payments", { name: "payments-prod", enabledClusterLogTypes: ["api"] });
        assert.deepEqual(bad.violations, [
            'aws:eks/cluster:Cluster "payments": enabledClusterLogTypes: got ["api"]; allowed: a list that includes "audit" (without it EKS writes no API-server audit events)',
        ]);
        assert.deepEqual(await analyze(eksAuditLogPolicy, EKS_CLUSTER_TYPE, "payments", { enabledClusterLogTypes: ["audit"] }), { violations: [] });
        assert.deepEqual(await analyze(eksAuditLogPolicy, "aws:eks/nodeGroup:NodeGroup", "ng", {}), {
            violations: [],
            notApplicable: "Policy only applies to resources of type 'aws:eks/cluster:Cluster'",
        });
    });

    it("during preview, an unknown log-type list is reported as unknown, not as a violation", async () => {
        const r = await analyze(eksAuditLogPolicy, EKS_CLUSTER_TYPE, "payments", { enabledClusterLogTypes: UNKNOWN_ARRAY });
        assert.deepEqual(r.violations, []);
        assert.match(r.unknown ?? "", /enabledClusterLogTypes/);
    });
});
