import { strict as assert } from "node:assert";
import { validCluster } from "../../helpers/config";
import { renderOpenShiftArtifacts } from "../../../components/openshift/render";

const cluster = validCluster;

describe("render: OpenShift review file", () => {
    it("managed/<cluster>.json has the exact APIServer patch", () => {
        const [a] = renderOpenShiftArtifacts(
            cluster(
                {
                    name: "ocp",
                    kind: "openshift",
                    kubeconfigSecret: "kc",
                    customRules: [{ group: "system:authenticated:oauth", profile: "AllRequestBodies" }],
                },
                ["kc"],
            ),
        );
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
