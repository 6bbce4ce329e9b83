import { strict as assert } from "node:assert";
import { listStacks } from "../../components/config/source";
import { loadWorkflow, PULUMI_VERSION_INPUT, ROOT, stepUsing } from "./workflow";

const { doc, text } = loadWorkflow("up.yml");
const job = doc.jobs.up;

describe("workflow up.yml", () => {
    it("runs on pushes to main only", () => {
        assert.deepEqual(doc.on, { push: { branches: ["main"] } });
        assert.ok(!text.includes("pull_request"));
    });

    it("grants nothing at the top level; the job reads code and requests an OIDC token, nothing else", () => {
        assert.deepEqual(doc.permissions, {});
        assert.deepEqual(Object.keys(doc.jobs), ["up"]);
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
    });

    it("has one matrix entry per Pulumi.<stack>.yaml, including prod", () => {
        assert.deepEqual(job.strategy?.matrix?.stack, listStacks(ROOT));
        assert.ok(listStacks(ROOT).includes("prod"));
    });

    it("runs each stack in the GitHub environment of the same name, so prod waits for the prod environment's approval", () => {
        assert.equal(job.environment, "${{ matrix.stack }}");
        const resolved = job.strategy!.matrix!.stack!.map((stack) => (job.environment as string).replace("${{ matrix.stack }}", stack));
        assert.ok(resolved.includes("prod"));
    });

    it("serialises updates per stack and never cancels a running update", () => {
        assert.deepEqual(job.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("runs pulumi/actions up --refresh (drift is seen and repaired, in one operation) on the matrix stack with the SDK's CLI version and policy pack, after the offline validation", () => {
        const step = stepUsing(job, "pulumi/actions");
        assert.deepEqual(step.with, {
            command: "up",
            "stack-name": "${{ matrix.stack }}",
            "pulumi-version": PULUMI_VERSION_INPUT,
            refresh: true,
            policyPacks: "policy/pack",
        });
        assert.equal(job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).length, 1, "no separate refresh step");
        const validate = job.steps.findIndex((s) => s.name === "Validate the stack config");
        assert.ok(validate >= 0 && validate < job.steps.indexOf(step));
        const secrets = job.steps.findIndex((s) => s.name === "Every secret is set");
        assert.equal(job.steps[secrets].run, 'npx akko-audit secrets --stack "$STACK"');
        assert.ok(secrets > validate && secrets < job.steps.indexOf(step), "missing secrets stop the job before any credential is requested");
        assert.ok(secrets < job.steps.indexOf(stepUsing(job, "aws-actions/configure-aws-credentials")));
        assert.equal(step.env?.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
    });

    it("uses Node 22 and OIDC-only cloud credentials", () => {
        assert.equal(stepUsing(job, "actions/setup-node").with?.["node-version"], "22");
        assert.equal(stepUsing(job, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.ok(!/aws-secret-access-key|credentials_json|ARM_CLIENT_SECRET/.test(text));
    });
});
