import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { loadWorkflow } from "./workflow";

// GitHub runs `run:` steps with `bash -e {0}` on Linux runners; shellcheck them as bash. Expressions
// (${{ ... }}) are substituted by GitHub before the shell sees them: stand in a plain word.
const HAS_SHELLCHECK = spawnSync("shellcheck", ["--version"]).status === 0;

describe("workflows: run steps are clean shell (real shellcheck)", function () {
    before(function () {
        if (!HAS_SHELLCHECK) this.skip();
    });

    for (const file of ["preview.yml", "preview-comment.yml", "up.yml"]) {
        it(`${file}: every run: step passes shellcheck and takes matrix values from env, not inline expressions`, () => {
            const { doc } = loadWorkflow(file);
            let count = 0;
            for (const [jobName, job] of Object.entries(doc.jobs)) {
                for (const step of job.steps) {
                    if (step.run === undefined) continue;
                    count++;
                    // Inline ${{ }} in a script is a template-injection risk; values come in through env.
                    assert.ok(!step.run.includes("${{"), `${file} ${jobName}: run step uses an inline expression: ${step.run}`);
                    const script = `#!/bin/bash\nset -e\n${step.run}\n`;
                    const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" });
                    assert.equal(r.status, 0, `${file} ${jobName}: shellcheck:\n${r.stdout}${r.stderr}\n--- script ---\n${script}`);
                }
            }
            assert.ok(count >= 1, `${file}: no run step`);
        });
    }
});
