import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { SCRIPTS_DIR } from "../../../../components/k3s/scripts";

const scripts = readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith(".sh"))
    .sort();

describe("k3s node scripts: POSIX sh, documented, shellcheck-clean", () => {
    it("are the scripts the component and akko-audit verify send", () => {
        assert.deepEqual(scripts, ["converge.sh", "effective-args.sh", "launch.sh", "preflight.sh", "run.sh", "verify.sh"]);
    });

    for (const f of scripts) {
        it(`${f}: #!/bin/sh, inputs documented at the top`, () => {
            const text = readFileSync(path.join(SCRIPTS_DIR, f), "utf8");
            assert.ok(text.startsWith("#!/bin/sh\n"));
            const header = text.slice(0, text.indexOf("\nset -u"));
            const used = [...new Set([...text.matchAll(/\$\{?(AKKO_[A-Z0-9_]+)/g)].map((m) => m[1]))].sort();
            const undocumented = used.filter((v) => !header.includes(v));
            assert.deepEqual(undocumented, [], `${f} reads variables its header does not document`);
        });
    }

    it("pass shellcheck -s sh", function () {
        const probe = spawnSync("shellcheck", ["--version"]);
        if (probe.error) {
            console.log("      skipped: shellcheck not installed (CI: .ci/run installs it)");
            this.skip();
        }
        const r = spawnSync("shellcheck", ["-s", "sh", "-f", "gcc", ...scripts.map((f) => path.join(SCRIPTS_DIR, f))], { encoding: "utf8" });
        assert.equal(r.stdout, "");
        assert.equal(r.status, 0);
    });
});
