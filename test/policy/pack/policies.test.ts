import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { POLICY_PACK_NAME, policies } from "../../../policy/pack/policies";
import { analyze } from "./analyze";
import { prodRegistrations } from "./program-plan";

const PACK = path.resolve(__dirname, "../../../policy/pack");
const policyLib = require("@pulumi/policy/policy") as { getPulumiType(o: unknown): string | undefined };

describe("policy pack: akko-audit-guardrails", function () {
    this.timeout(60_000);

    it("has the five guardrails, mandatory, each filtered to its exact resource type token (the dynamic resource's by args.type)", () => {
        assert.deepEqual(
            policies.map((p) => [p.name, p.enforcementLevel, policyLib.getPulumiType(p.validateResource)]),
            [
                // A dynamic resource's class has no type token to attach; the rule compares args.type (its own test).
                ["eks-cluster-logging-audit", "mandatory", undefined],
                ["eks-audit-log-enabled", "mandatory", "aws:eks/cluster:Cluster"],
                ["aks-single-audit-category", "mandatory", "azure-native:monitor:DiagnosticSetting"],
                ["gke-data-access-logs", "mandatory", "gcp:projects/iAMAuditConfig:IAMAuditConfig"],
                ["log-group-retention-set", "mandatory", "aws:cloudwatch/logGroup:LogGroup"],
            ],
        );
    });

    it("the type tokens are those of the installed provider SDKs", () => {
        const tokens = [
            (require("@pulumi/aws/eks") as { Cluster: { __pulumiType: string } }).Cluster.__pulumiType,
            (require("@pulumi/azure-native/monitor") as { DiagnosticSetting: { __pulumiType: string } }).DiagnosticSetting.__pulumiType,
            (require("@pulumi/gcp/projects") as { IAMAuditConfig: { __pulumiType: string } }).IAMAuditConfig.__pulumiType,
            (require("@pulumi/aws/cloudwatch") as { LogGroup: { __pulumiType: string } }).LogGroup.__pulumiType,
        ];
        assert.deepEqual(
            tokens,
            policies.filter((p) => p.name !== "eks-cluster-logging-audit").map((p) => policyLib.getPulumiType(p.validateResource)),
        );
    });

    it("on the program's own plan (prod stack): no violation, and which of its resources each guardrail checks", async () => {
        const checked: Record<string, string[]> = Object.fromEntries(policies.map((p) => [p.name, []]));
        for (const reg of await prodRegistrations()) {
            for (const policy of policies) {
                const r = await analyze(policy, reg.type, reg.name, reg.inputs);
                assert.deepEqual(r.violations, [], `${policy.name} on ${reg.type} ${reg.name}`);
                assert.equal(r.unknown, undefined, `${policy.name} on ${reg.type} ${reg.name}`);
                if (r.notApplicable === undefined) checked[policy.name].push(`${reg.type} ${reg.name}`);
            }
        }
        for (const names of Object.values(checked)) names.sort();
        assert.deepEqual(checked, {
            "eks-cluster-logging-audit": [
                "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging payments-eu-control-plane-logging",
                "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging payments-us-control-plane-logging",
            ],
            // The program never creates an EKS cluster; the rule is for stacks that own one (README, Policy pack).
            "eks-audit-log-enabled": [],
            "aks-single-audit-category": [
                "azure-native:monitor:DiagnosticSetting clinic-lyon-audit",
                "azure-native:monitor:DiagnosticSetting hds-sante-audit",
            ],
            "gke-data-access-logs": ["gcp:projects/iAMAuditConfig:IAMAuditConfig analytics-data-access"],
            "log-group-retention-set": [
                "aws:cloudwatch/logGroup:LogGroup payments-eu-log-group",
                "aws:cloudwatch/logGroup:LogGroup payments-us-log-group",
            ],
        });
    });

    it("names are valid for the analyzer (unique, not the reserved 'all') and the pack is loadable by the Pulumi CLI", () => {
        assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
        assert.ok(policies.every((p) => p.name !== "all" && /^[a-z0-9-]+$/.test(p.name)));
        assert.match(POLICY_PACK_NAME, /^[a-zA-Z0-9._-]+$/);
        const manifest = parse(readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8")) as { runtime: string; description: string };
        assert.equal(manifest.runtime, "nodejs");
        // PolicyPack reads the version from package.json in the pack's directory and refuses to start without it.
        const pkg = JSON.parse(readFileSync(path.join(PACK, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        const root = JSON.parse(readFileSync(path.join(PACK, "..", "..", "package.json"), "utf8")) as { dependencies: Record<string, string> };
        for (const [dep, version] of Object.entries(pkg.dependencies))
            assert.equal(version, root.dependencies[dep], `${dep} pinned like the project`);
    });

    it("imports nothing from outside policy/pack (it is published on its own)", () => {
        const files = [
            "index.ts",
            "policies.ts",
            ...["aks-audit-category", "eks-audit-log", "eks-cluster-logging", "format", "gke-data-access", "log-group-retention"].map(
                (f) => `rules/${f}.ts`,
            ),
        ];
        for (const f of files) {
            const text = readFileSync(path.join(PACK, f), "utf8");
            for (const m of text.matchAll(/from "(\.[^"]*)"/g)) {
                const target = path.resolve(path.dirname(path.join(PACK, f)), m[1]);
                assert.ok(target.startsWith(PACK + path.sep), `${f} imports ${m[1]}, outside the pack`);
            }
        }
    });
});
