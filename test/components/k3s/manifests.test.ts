import { strict as assert } from "node:assert";
import { validateManifests } from "../../../components/k3s/manifests";

describe("validateManifests", () => {
    const v = (names: string[]) =>
        validateManifests(
            "akko:audit:K3sAuditLogging edge",
            names.map((fileName) => ({ fileName })),
        );

    it("accepts plain file names ending in .yaml, .yml or .json", () => {
        assert.deepEqual(v(["akko-alloy.yaml", "a_b.c.yml", "x.json"]), []);
    });

    it("refuses paths, hidden files, other extensions and duplicates, one line each", () => {
        assert.deepEqual(v(["../x.yaml", ".hidden.yaml", "alloy.txt", "a b.yaml", "ok.yaml", "ok.yaml"]), [
            "akko:audit:K3sAuditLogging edge: extraManifests[0].fileName: got \"../x.yaml\"; allowed: a file name of letters, digits, '.', '_', '-' ending in .yaml, .yml or .json",
            "akko:audit:K3sAuditLogging edge: extraManifests[1].fileName: got \".hidden.yaml\"; allowed: a file name of letters, digits, '.', '_', '-' ending in .yaml, .yml or .json",
            "akko:audit:K3sAuditLogging edge: extraManifests[2].fileName: got \"alloy.txt\"; allowed: a file name of letters, digits, '.', '_', '-' ending in .yaml, .yml or .json",
            "akko:audit:K3sAuditLogging edge: extraManifests[3].fileName: got \"a b.yaml\"; allowed: a file name of letters, digits, '.', '_', '-' ending in .yaml, .yml or .json",
            'akko:audit:K3sAuditLogging edge: extraManifests[5].fileName: got "ok.yaml"; allowed: a name no other manifest uses (extraManifests[4] has it)',
        ]);
    });
});
