import { strict as assert } from "node:assert";
import * as path from "node:path";
import { validateDeployableStack } from "../../../components/deployable";
import { buildPlan, planText } from "../../../components/plan";
import { auditProgram } from "../../../components/rollout/program";
import { main } from "../../../cli/main";
import { exampleStack } from "../../helpers/config";

const ROOT = path.resolve(__dirname, "../../..");

describe("offline plan (the real program under the SDK's mocks)", function () {
    this.timeout(60000);

    it("lists every resource grouped by cluster, with parents, dependencies and inputs; secrets as [secret]", async () => {
        const plan = await buildPlan(validateDeployableStack(exampleStack("prod")), auditProgram);
        assert.deepEqual(Object.keys(plan.groups).sort(), [
            "analytics",
            "clinic-lyon",
            "edge-paris",
            "factory-lyon",
            "hds-sante",
            "logs",
            "ocp-core",
            "payments-eu",
            "payments-us",
            "providers",
            "stack",
        ]);
        assert.deepEqual(
            plan.groups.stack.map((e) => `${e.type} ${e.name}`),
            ["akko:audit:Rollout akko-audit"],
        );
        assert.equal(
            plan.resources,
            Object.values(plan.groups).reduce((n, g) => n + g.length, 0),
        );

        const apply = plan.groups["factory-lyon"].find((e) => e.name === "factory-lyon-10.20.0.12-apply")!;
        assert.equal(apply.type, "command:remote:Command");
        assert.equal(apply.parent, "akko:audit:K3sServerAuditLogging::factory-lyon-10.20.0.12");
        // Its bundle, and its cluster's generated push password (the Alloy Secret on its stdin).
        assert.deepEqual(apply.dependsOn, [
            "command:remote:CopyToRemote::factory-lyon-10.20.0.12-bundle",
            "random:index/randomPassword:RandomPassword::logs-akko-audit-push-factory-lyon",
        ]);
        // The connection carries the private key: Pulumi makes the whole input secret, and so does the plan.
        assert.match(String(apply.inputs.connection), /^\[secret [0-9a-f]{12}\]$/);
        assert.match(String(apply.inputs.delete), /'AKKO_NODE=factory-lyon\/10\.20\.0\.12'/);

        const text = JSON.stringify(plan);
        assert.ok(!text.includes("v1:placeholder"), "no secret config value reaches the plan");
        // The longest dependency chain by resource count: since a k3s server is two resources (bundle, apply),
        // the HA cluster's 6 are shorter than an EKS cluster's Firehose wiring.
        assert.deepEqual(plan.criticalPath, [
            "pulumi-nodejs:dynamic/akko-audit:EksLogGroupGuard::payments-eu-log-group-check",
            "aws:cloudwatch/logGroup:LogGroup::payments-eu-log-group",
            "aws:iam/role:Role::payments-eu-firehose",
            "aws:iam/rolePolicy:RolePolicy::payments-eu-firehose-s3",
            "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::payments-eu-audit",
            "aws:iam/rolePolicy:RolePolicy::payments-eu-logs-firehose",
            "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter::payments-eu-audit",
            "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging::payments-eu-control-plane-logging",
        ]);
        // A preview: the Event Hub keys depend on resources not created yet, so only the project read happens.
        assert.deepEqual(plan.placeholderInvokes, ["gcp:organizations/getProject:getProject"]);
    });

    it("the text form names each group and shortens long inputs to a hash", async () => {
        const text = planText(await buildPlan(validateDeployableStack(exampleStack("dev")), auditProgram));
        assert.match(text, /^Plan for stack dev: \d+ resources \(offline, under the Pulumi SDK's mocks\)/);
        assert.ok(text.includes("\n== dev ("));
        assert.ok(text.includes("\n== logs ("));
        assert.match(text, /create: "?<\d+ chars, sha256 [0-9a-f]{12}>/);
    });

    it("CLI: plan --json is the same plan; a bad stack is one line, exit 2", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const rec = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) };
        assert.equal(await main(["plan", "--stack", "dev", "--json", "--project-dir", ROOT], rec), 0);
        const plan = JSON.parse(out.join("\n"));
        assert.equal(plan.stack, "dev");
        assert.ok(plan.groups.dev.some((e: { name: string }) => e.name === "dev-192.0.2.50-apply"));
        assert.equal(await main(["plan", "--stack", "nope", "--project-dir", ROOT], rec), 2);
        assert.match(err[0], /^akko-audit: unknown stack "nope"/);
    });
});

describe("index.ts (the Pulumi program itself)", function () {
    this.timeout(60000);

    it("reads the stack's config, builds the rollout and exports per-cluster status and the logs endpoints", async () => {
        const { runtimeConfig } = await import("../../../components/plan/index.js");
        const { setupMocks, resolve, settle } = await import("../../helpers/pulumi-mocks.js");
        const rc = runtimeConfig(validateDeployableStack(exampleStack("dev")));
        const { k3sCommandOutputs } = await import("../../helpers/k3s-outputs.js");
        const mocks = await setupMocks({ config: rc.values, secretKeys: rc.secretKeys, outputs: k3sCommandOutputs });
        const program = await import("../../../index.js");
        await settle();
        const clusters = (await resolve(program.clusters)).value;
        assert.deepEqual(Object.keys(clusters), ["dev"]);
        assert.equal(clusters.dev.kind, "k3s");
        assert.ok(mocks.resources.some((r) => r.type === "akko:audit:Rollout" && r.name === "akko-audit"));
        assert.ok("lokiNamespace" in program.logs);
    });
});
