import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { loadWorkflow, PINNED_USES, usesLines, WORKFLOWS } from "./workflow";

// Commits looked up in each action's repository (the tag is the trailing comment). A changed pin must be a
// deliberate edit here too, so a typo'd or unreviewed SHA cannot slip in.
const PINS: Record<string, { sha: string; tag: string }> = {
    "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", tag: "v7.0.1" },
    "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", tag: "v7.0.0" },
    "actions/upload-artifact": { sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", tag: "v7.0.0" },
    "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", tag: "v7.0.0" },
    "aws-actions/configure-aws-credentials": { sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c", tag: "v6.2.3" },
    "google-github-actions/auth": { sha: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093", tag: "v3.0.0" },
};

describe("workflows: every action pinned by commit SHA", () => {
    const files = readdirSync(WORKFLOWS)
        .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
        .sort();

    it("finds the three workflows; preview-comment.yml uses no action at all (only the runner's gh)", () => {
        assert.deepEqual(files, ["preview-comment.yml", "preview.yml", "up.yml"]);
        assert.deepEqual(usesLines(loadWorkflow("preview-comment.yml").text), []);
    });

    for (const file of ["preview.yml", "up.yml"]) {
        it(`${file}: each uses: is owner/repo@<40-hex SHA> # vX.Y.Z, with the reviewed SHA and tag`, () => {
            const lines = usesLines(loadWorkflow(file).text);
            assert.ok(lines.length >= 4, `${file}: only ${lines.length} uses: lines`);
            for (const line of lines) {
                const m = PINNED_USES.exec(line);
                assert.ok(m, `${file}: not pinned by full SHA with a version comment: ${line}`);
                const pin = PINS[m[1]];
                assert.ok(pin, `${file}: ${m[1]} is not a reviewed action (add it to PINS with its SHA and tag)`);
                assert.equal(line, `uses: ${m[1]}@${pin.sha} # ${pin.tag}`);
            }
        });

        it(`${file}: the parsed uses: values match the text (no tag, branch or docker:// reference)`, () => {
            const { doc } = loadWorkflow(file);
            for (const job of Object.values(doc.jobs)) {
                for (const step of job.steps) {
                    if (step.uses === undefined) continue;
                    assert.match(step.uses, /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+@[0-9a-f]{40}$/);
                }
            }
        });
    }

    it("PINNED_USES rejects tags, short SHAs and a missing version comment", () => {
        assert.equal(PINNED_USES.test("uses: actions/checkout@v7"), false);
        assert.equal(PINNED_USES.test("uses: actions/checkout@3d3c42e"), false);
        assert.equal(PINNED_USES.test("uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"), false);
        assert.equal(PINNED_USES.test("uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"), true);
    });
});
