import { strict as assert } from "node:assert";
import * as path from "node:path";
import { readStackFile } from "../../../components/config";
import { validateDeployableStack } from "../../../components/deployable";
import { routeFormat } from "../../../components/logs/detections";
import { sourceFormat } from "../../../components/logs/alloy/config";
import { centralPlan } from "../../../components/logs/alloy/plan";
import { platformOf } from "../../../components/platforms";

const ROOT = path.resolve(__dirname, "../../..");

describe("detections: the format a cluster's events are stored in", () => {
    it("the stored format follows the logs route, as the central Alloy's sources deliver it (prod)", () => {
        const config = validateDeployableStack(readStackFile(ROOT, "prod"), { allowUnsetSecrets: true });
        const byRoute = Object.fromEntries(config.clusters.map((c) => [c.name, routeFormat(platformOf(c).logsRoute(c, config))]));
        assert.deepEqual(byRoute, {
            "edge-paris": "native",
            "factory-lyon": "native",
            "payments-eu": "native",
            "payments-us": "native",
            analytics: "gke",
            "hds-sante": "aks",
            "clinic-lyon": "aks",
            "ocp-core": "native",
        });
        for (const s of centralPlan(config).sources) assert.equal(byRoute[s.cluster.name], sourceFormat(s), s.cluster.name);
    });
});
