import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadWorkflow, PULUMI_SDK_VERSION, PULUMI_VERSION_INPUT, ROOT, stepNamed, stepUsing } from "./workflow";

const STEP = "Pulumi CLI version";
const JOBS = [
    { file: "preview.yml", job: "preview" },
    { file: "up.yml", job: "up" },
];

const scratch: string[] = [];

/** Runs the step's script as GitHub does (`bash -e`), in `dir`, with node on PATH; returns what it wrote to $GITHUB_OUTPUT. */
function runStep(script: string, dir: string): { status: number | null; stderr: string; output: string } {
    const tmp = mkdtempSync(path.join(tmpdir(), "akko-pulumi-version-"));
    scratch.push(tmp);
    const out = path.join(tmp, "github-output");
    writeFileSync(out, "");
    const file = path.join(tmp, "step.sh");
    writeFileSync(file, script);
    const r = spawnSync("bash", ["-e", file], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, GITHUB_OUTPUT: out, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ""}` },
    });
    return { status: r.status, stderr: r.stderr, output: readFileSync(out, "utf8") };
}

function withPackageJson(pkg: object): string {
    const dir = mkdtempSync(path.join(tmpdir(), "akko-pulumi-version-"));
    scratch.push(dir);
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
    return dir;
}

describe("workflows: the Pulumi CLI is the SDK's release (package.json's @pulumi/pulumi)", () => {
    after(() => {
        for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    });

    for (const { file, job: name } of JOBS) {
        const job = loadWorkflow(file).doc.jobs[name];

        it(`${file}: pulumi/actions installs the version the '${STEP}' step reads, and that step runs before any credential`, () => {
            const step = stepNamed(job, STEP);
            assert.equal(step.id, "pulumi-cli");
            assert.equal(stepUsing(job, "pulumi/actions").with?.["pulumi-version"], PULUMI_VERSION_INPUT);
            const at = job.steps.indexOf(step);
            for (const action of ["aws-actions/configure-aws-credentials", "google-github-actions/auth", "pulumi/actions"])
                assert.ok(at < job.steps.indexOf(stepUsing(job, action)), `${STEP} runs before ${action}`);
        });

        it(`${file}: the step, run on this checkout, outputs version=${PULUMI_SDK_VERSION} (the SDK the program runs on)`, () => {
            const r = runStep(stepNamed(job, STEP).run!, ROOT);
            assert.equal(r.stderr, "");
            assert.equal(r.status, 0);
            assert.equal(r.output, `version=${PULUMI_SDK_VERSION}\n`);
        });
    }

    it("both workflows run the same step (one rule for the CLI version)", () => {
        const [preview, up] = JOBS.map(({ file, job }) => stepNamed(loadWorkflow(file).doc.jobs[job], STEP));
        assert.deepEqual(preview, up);
    });

    it("package.json pins @pulumi/pulumi exactly, as does the policy pack", () => {
        assert.match(PULUMI_SDK_VERSION, /^\d+\.\d+\.\d+$/);
        const pack = JSON.parse(readFileSync(path.join(ROOT, "policy", "pack", "package.json"), "utf8")) as { dependencies: Record<string, string> };
        assert.equal(pack.dependencies["@pulumi/pulumi"], PULUMI_SDK_VERSION);
    });

    it("fails, with the value and what is expected, on a range or a missing @pulumi/pulumi (the action would install a moving version)", () => {
        const script = stepNamed(loadWorkflow("up.yml").doc.jobs.up, STEP).run!;
        const range = runStep(script, withPackageJson({ dependencies: { "@pulumi/pulumi": "^3.270.0" } }));
        assert.equal(range.status, 1);
        assert.equal(
            range.stderr,
            'package.json: @pulumi/pulumi is "^3.270.0", not an exact version x.y.z (the workflows install that Pulumi CLI)\n',
        );
        assert.equal(range.output, "");
        const missing = runStep(script, withPackageJson({ dependencies: {} }));
        assert.equal(missing.status, 1);
        assert.equal(
            missing.stderr,
            'package.json: @pulumi/pulumi is "undefined", not an exact version x.y.z (the workflows install that Pulumi CLI)\n',
        );
        assert.equal(missing.output, "");
        const exact = runStep(script, withPackageJson({ dependencies: { "@pulumi/pulumi": "3.271.1" } }));
        assert.equal(exact.status, 0);
        assert.equal(exact.output, "version=3.271.1\n");
    });
});
