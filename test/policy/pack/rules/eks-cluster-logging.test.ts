import { strict as assert } from "node:assert";
import { EKS_CLUSTER_LOGGING_TYPE, eksClusterLoggingPolicy, eksClusterLoggingViolations } from "../../../../policy/pack/rules/eks-cluster-logging";
import { analyze, UNKNOWN_ARRAY } from "../analyze";
import { onlyRegistration, prodRegistrations } from "../program-plan";

const ALLOWED =
    'allowed: a list that includes "audit" (the resource turns off every log type it does not list: without it EKS writes no API-server audit events)';

describe("policy pack: eks-cluster-logging-audit", function () {
    this.timeout(60_000);

    it("matches the type the engine sees for EksClusterLogging: the program's own registration (prod stack) has exactly it", async () => {
        assert.equal(EKS_CLUSTER_LOGGING_TYPE, "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging");
        const types = [...new Set((await prodRegistrations()).map((r) => r.type))].filter((t) => t.endsWith(":EksClusterLogging"));
        assert.deepEqual(types, [EKS_CLUSTER_LOGGING_TYPE]);
    });

    it("passes the program's registration for payments-eu (logTypes from the config, audit included)", async () => {
        const reg = await onlyRegistration(EKS_CLUSTER_LOGGING_TYPE, "payments-eu-control-plane-logging");
        assert.equal(reg.name, "payments-eu-control-plane-logging");
        assert.deepEqual(reg.inputs.logTypes, ["audit", "authenticator", "controllerManager"]);
        assert.equal(typeof reg.inputs.__provider, "string", "the inputs are the engine's, serialized provider included");
        assert.deepEqual(await analyze(eksClusterLoggingPolicy, reg.type, reg.name, reg.inputs), { violations: [] });
    });

    it("fails that registration with logTypes without audit, naming the field, the value and what is allowed", async () => {
        const reg = await onlyRegistration(EKS_CLUSTER_LOGGING_TYPE, "payments-eu-control-plane-logging");
        const r = await analyze(eksClusterLoggingPolicy, reg.type, reg.name, { ...reg.inputs, logTypes: ["api", "authenticator"] });
        assert.deepEqual(r.violations, [
            `pulumi-nodejs:dynamic/akko-audit:EksClusterLogging "payments-eu-control-plane-logging": logTypes: got ["api","authenticator"]; ${ALLOWED}`,
        ]);
    });

    it("fails missing and empty logTypes", () => {
        assert.deepEqual(eksClusterLoggingViolations("x-control-plane-logging", {}), [
            `pulumi-nodejs:dynamic/akko-audit:EksClusterLogging "x-control-plane-logging": logTypes: got missing; ${ALLOWED}`,
        ]);
        assert.deepEqual(eksClusterLoggingViolations("x-control-plane-logging", { logTypes: [] }), [
            `pulumi-nodejs:dynamic/akko-audit:EksClusterLogging "x-control-plane-logging": logTypes: got []; ${ALLOWED}`,
        ]);
    });

    it("does not apply to other types: the untyped dynamic resource, the other akko-audit dynamic resources, aws:eks/cluster:Cluster", async () => {
        for (const type of [
            "pulumi-nodejs:dynamic:Resource",
            "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging",
            "pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard",
            "aws:eks/cluster:Cluster",
        ]) {
            assert.deepEqual(await analyze(eksClusterLoggingPolicy, type, "r", { logTypes: ["api"] }), {
                violations: [],
                notApplicable: "Policy only applies to resources of type 'pulumi-nodejs:dynamic/akko-audit:EksClusterLogging'",
            });
        }
    });

    it("during preview, an unknown log-type list is reported as unknown, not as a violation", async () => {
        const r = await analyze(eksClusterLoggingPolicy, EKS_CLUSTER_LOGGING_TYPE, "payments-eu-control-plane-logging", { logTypes: UNKNOWN_ARRAY });
        assert.deepEqual(r.violations, []);
        assert.match(r.unknown ?? "", /logTypes/);
    });
});
