import { strict as assert } from "node:assert";
import { validateStackConfig } from "../../../components/config";
import { renderOpenShiftArtifacts } from "../../../components/openshift/render";

function cluster(c: Record<string, unknown>, secrets: string[] = []) {
    const values: Record<string, unknown> = { clusters: [c] };
    for (const s of secrets) values[s] = "[secret]";
    const [v] = validateStackConfig({ stack: "t", values, secretKeys: new Set(secrets) }).clusters;
    assert.ok(v.kind === c.kind);
    return v as any;
}

describe("render: OpenShift review file", () => {
    it("managed/<cluster>.json has the exact APIServer patch", () => {
        const [a] = renderOpenShiftArtifacts(cluster({ name: "ocp", kind: "openshift", kubeconfigSecret: "kc", customRules: [{ group: "system:authenticated:oauth", profile: "AllRequestBodies" }] }, ["kc"]));
        assert.equal(a.path, "managed/ocp.json");
        assert.deepEqual(JSON.parse(a.content).patch, {
            apiVersion: "config.openshift.io/v1",
            kind: "APIServer",
            metadata: { name: "cluster" },
            spec: { audit: { profile: "WriteRequestBodies", customRules: [{ group: "system:authenticated:oauth", profile: "AllRequestBodies" }] } },
            fieldManager: "akko-audit",
        });
    });
});
