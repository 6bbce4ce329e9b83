import { strict as assert } from "node:assert";
import { listStacks } from "../../components/config/source";
import { loadWorkflow, PULUMI_VERSION_INPUT, ROOT, stepUsing } from "./workflow";

const { doc, text } = loadWorkflow("preview.yml");
const FORK = "${{ github.event.pull_request.head.repo.fork }}";
const NOT_FORK = "${{ !github.event.pull_request.head.repo.fork }}";

/** Everything a job could use to reach a credential. */
function credentialRefs(job: unknown): string[] {
    const s = JSON.stringify(job);
    return [...s.matchAll(/secrets\.[A-Za-z_]+|github\.token|id-token|vars\.[A-Za-z_]+/g)].map((m) => m[0]);
}

describe("workflow preview.yml", () => {
    it("runs on pull requests to main only (never pull_request_target, which would hand fork code the secrets)", () => {
        assert.deepEqual(Object.keys(doc.on), ["pull_request"]);
        assert.deepEqual(doc.on.pull_request, { branches: ["main"] });
        assert.ok(!text.includes("pull_request_target"));
    });

    it("grants nothing at the top level; a newer push to the same pull request cancels the old preview", () => {
        assert.deepEqual(doc.permissions, {});
        assert.deepEqual(doc.concurrency, { group: "preview-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
        assert.deepEqual(Object.keys(doc.jobs).sort(), ["offline-plan", "preview"]);
    });

    describe("preview job (same-repository pull requests)", () => {
        const job = doc.jobs.preview;

        it("is skipped for forks", () => {
            assert.equal(job.if, NOT_FORK);
        });

        it("has least-privilege permissions: read the code, comment on the pull request, request an OIDC token", () => {
            assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
        });

        it("runs in the stack's preview environment (<stack>-preview: read-only roles), never in up.yml's <stack> environment", () => {
            assert.equal(job.environment, "${{ matrix.stack }}-preview");
            const resolved = job.strategy!.matrix!.stack!.map((stack) => (job.environment as string).replace("${{ matrix.stack }}", stack));
            assert.deepEqual(
                resolved,
                listStacks(ROOT).map((stack) => `${stack}-preview`),
            );
            const up = loadWorkflow("up.yml").doc.jobs.up;
            const upResolved = up.strategy!.matrix!.stack!.map((stack) => (up.environment as string).replace("${{ matrix.stack }}", stack));
            assert.deepEqual(
                resolved.filter((e) => upResolved.includes(e)),
                [],
                "a preview never gets an up environment's variables or OIDC subject",
            );
        });

        it("has one matrix entry per Pulumi.<stack>.yaml in the repository", () => {
            assert.deepEqual(job.strategy?.matrix?.stack, listStacks(ROOT));
            assert.equal(job.strategy?.["fail-fast"], false);
        });

        it("runs pulumi/actions preview --refresh on the matrix stack with the SDK's CLI version and policy pack, and comments on the pull request", () => {
            const step = stepUsing(job, "pulumi/actions");
            assert.deepEqual(step.with, {
                command: "preview",
                "stack-name": "${{ matrix.stack }}",
                "pulumi-version": PULUMI_VERSION_INPUT,
                refresh: true,
                policyPacks: "policy/pack",
                "comment-on-pr": true,
            });
            assert.equal(step.env?.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
            assert.equal(job.env?.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
        });

        it("validates the config offline before it requests any credential", () => {
            const validate = job.steps.findIndex((s) => s.name === "Validate the stack config");
            assert.equal(job.steps[validate].run, 'npx akko-audit render --stack "$STACK" --out "$RUNNER_TEMP/rendered"');
            for (const action of ["aws-actions/configure-aws-credentials", "google-github-actions/auth", "pulumi/actions"]) {
                assert.ok(job.steps.indexOf(stepUsing(job, action)) > validate, `${action} runs after the offline validation`);
            }
        });

        it("gets cloud credentials through OIDC only (role / workload identity, no access keys)", () => {
            const aws = stepUsing(job, "aws-actions/configure-aws-credentials");
            assert.deepEqual(Object.keys(aws.with ?? {}).sort(), ["aws-region", "role-session-name", "role-to-assume"]);
            const gcp = stepUsing(job, "google-github-actions/auth");
            assert.deepEqual(Object.keys(gcp.with ?? {}).sort(), ["service_account", "workload_identity_provider"]);
            assert.ok(!/aws-secret-access-key|credentials_json|ARM_CLIENT_SECRET/.test(text));
        });

        it("uses Node 22", () => {
            assert.equal(stepUsing(job, "actions/setup-node").with?.["node-version"], "22");
        });
    });

    describe("offline-plan job (pull requests from forks)", () => {
        const job = doc.jobs["offline-plan"];

        it("runs only for forks, in no environment (no environment variable, secret or OIDC subject)", () => {
            assert.equal(job.if, FORK);
            assert.equal(job.environment, undefined);
        });

        it("can only read the code: no secret, no OIDC token, no repository variable, no token", () => {
            assert.deepEqual(job.permissions, { contents: "read" });
            assert.deepEqual(credentialRefs(job), []);
        });

        it("covers the same stacks as the preview job", () => {
            assert.deepEqual(job.strategy?.matrix?.stack, listStacks(ROOT));
        });

        it("renders, writes the change preview against the pull request's base commit, publishes it, then uploads it", () => {
            const runs = job.steps.map((s) => s.run ?? "").join("\n");
            assert.ok(runs.includes('npx akko-audit render --stack "$STACK" --out "out/$STACK"'));
            const step = job.steps.find((s) => s.name === "Change preview")!;
            assert.deepEqual(step.env, {
                BASE_SHA: "${{ github.event.pull_request.base.sha }}",
                PR_NUMBER: "${{ github.event.pull_request.number }}",
            });
            assert.ok(step.run!.includes('npx akko-audit plan --stack "$STACK" --base "$BASE_SHA" > "out/$STACK/change-preview.txt" || status=$?'));
            assert.ok(step.run!.includes('cat "out/$STACK/comment.md" >> "$GITHUB_STEP_SUMMARY"'));
            assert.ok(step.run!.includes('echo "$PR_NUMBER" > "out/$STACK/pr-number"'));
            assert.ok(step.run!.trimEnd().endsWith('exit "$status"'), "a safety-rule failure fails the job, after publishing");
            assert.equal(stepUsing(job, "actions/upload-artifact").if, "${{ always() }}");
            assert.deepEqual(stepUsing(job, "actions/upload-artifact").with, {
                name: "offline-plan-${{ matrix.stack }}",
                path: "out/${{ matrix.stack }}",
                "retention-days": 14,
                "if-no-files-found": "error",
            });
            assert.ok(!job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")), "no Pulumi CLI run for forks");
        });

        it("uses Node 22 and does not keep the checkout token", () => {
            assert.equal(stepUsing(job, "actions/setup-node").with?.["node-version"], "22");
            assert.deepEqual(stepUsing(job, "actions/checkout").with, { "persist-credentials": false, "fetch-depth": 0 });
        });
    });

    describe("preview-comment.yml (posts the fork job's change preview)", () => {
        const comment = loadWorkflow("preview-comment.yml");
        const job = comment.doc.jobs.comment;

        it("runs after preview, for fork pull requests only, from the default branch (workflow_run), granting only what it needs", () => {
            assert.deepEqual(comment.doc.on, { workflow_run: { workflows: ["preview"], types: ["completed"] } });
            assert.deepEqual(comment.doc.permissions, {});
            assert.equal(job.if, "${{ github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.head_repository.fork }}");
            assert.deepEqual(job.permissions, { actions: "read", "pull-requests": "write" });
        });

        it("never checks out or runs the fork's code; checks the pull request number and head before posting", () => {
            assert.ok(!job.steps.some((s) => s.uses !== undefined), "no action at all: no checkout");
            const run = job.steps[0].run!;
            assert.ok(!/npm|npx|node |\.\/|bash .*previews/.test(run), "nothing from the artifact is executed");
            assert.ok(run.includes("'' | *[!0-9]*)"));
            assert.ok(run.includes('if [ "$head" != "$HEAD_SHA" ]; then'));
            assert.ok(run.includes('gh pr comment "$pr" --body-file "$dir/comment.md"'));
        });
    });

    it("credentialRefs sees secrets, vars, OIDC and the token (so the fork check can fail)", () => {
        const refs = credentialRefs(doc.jobs.preview);
        for (const r of ["id-token", "secrets.PULUMI_CONFIG_PASSPHRASE", "vars.PULUMI_BACKEND_URL", "vars.AWS_ROLE_ARN"])
            assert.ok(refs.includes(r), r);
        assert.deepEqual(credentialRefs({ run: "echo ${{ github.token }}" }), ["github.token"]);
    });
});
