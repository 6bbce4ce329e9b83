import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { POLICY_PACK_NAME, policies } from "../../../policy/pack/policies";

const PACK = path.resolve(__dirname, "../../../policy/pack");
const policyLib = require("@pulumi/policy/policy") as { getPulumiType(o: unknown): string | undefined };

describe("policy pack: akko-audit-guardrails", () => {
    it("has the four guardrails, mandatory, each filtered to its exact resource type token", () => {
        assert.deepEqual(
            policies.map((p) => [p.name, p.enforcementLevel, policyLib.getPulumiType(p.validateResource)]),
            [
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
            policies.map((p) => policyLib.getPulumiType(p.validateResource)),
        );
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
            ...["aks-audit-category", "eks-audit-log", "format", "gke-data-access", "log-group-retention"].map((f) => `rules/${f}.ts`),
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
