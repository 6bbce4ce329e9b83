import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { loadStackForCli } from "../../cli/stack";

/** Every offline command (render, coverage, plan, secrets, verify) reads the stack through loadStackForCli. */
const ROOT = path.resolve(__dirname, "../..");

function stackWithMode(mode: string, objectStorage?: Record<string, unknown>): string {
    const doc = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    Object.assign(doc.config["akko-audit:logs"], { mode, ...(objectStorage ? { objectStorage } : {}) });
    const dir = mkdtempSync(path.join(tmpdir(), "akko-warn-"));
    writeFileSync(path.join(dir, "Pulumi.w.yaml"), stringify(doc));
    return dir;
}

function load(dir: string) {
    const err: string[] = [];
    const config = loadStackForCli("w", dir, "render", { stdout: () => undefined, stderr: (l) => err.push(l) });
    return { config, err };
}

describe("stack loading for the CLI: deprecation warnings", () => {
    it("SimpleScalable loads, with one warning line on stderr", () => {
        const { config, err } = load(stackWithMode("SimpleScalable", { type: "gcs", bucket: "akko-loki" }));
        assert.equal(typeof config, "object");
        assert.deepEqual(err, [
            'warning: akko-audit:logs: field mode: got "SimpleScalable"; deprecated by the Loki chart (removed in Loki 4); use Distributed for scale-out',
        ]);
    });

    it("Distributed loads without a warning", () => {
        const { config, err } = load(stackWithMode("Distributed", { type: "gcs", bucket: "akko-loki" }));
        assert.equal(typeof config === "object" && config.logs.mode, "Distributed");
        assert.deepEqual(err, []);
    });
});
