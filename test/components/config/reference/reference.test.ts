import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { configReference, withReference } from "../../../../components/config/reference";

const README = path.resolve(__dirname, "../../../../README.md");

describe("config reference (generated from the schemas)", () => {
    it("README's block is what the schemas say (run `npm run docs:config` after changing a schema)", () => {
        const readme = readFileSync(README, "utf8");
        assert.equal(withReference(readme), readme);
    });

    it("documents every field: no row without a description", () => {
        const undocumented = configReference()
            .split("\n")
            .filter((l) => /^\| `[^`]+` \|.*\|  \|$/.test(l));
        assert.deepEqual(undocumented, []);
    });

    it("lists every kind and the logs block, with types and defaults", () => {
        const ref = configReference();
        for (const kind of ["k3s", "eks", "gke", "aks", "openshift"]) assert.ok(ref.includes(`#### kind \`${kind}\``), kind);
        assert.ok(ref.includes("| `auditLogMaxAgeDays` | integer 1-3650 | `30` |"));
        assert.ok(ref.includes("| `retentionDays` | integer 1-3650 | `30` | Days Loki keeps audit events (compactor-enforced). Default 30. |"));
        // A key or the SSH agent (sshAuth, or the stack-wide akko-audit:sshAuth): neither field is required alone.
        assert.ok(ref.includes("| `sshPrivateKeySecret` | string | unset |"));
        assert.ok(ref.includes("### `akko-audit:sshAuth`"));
    });
});
