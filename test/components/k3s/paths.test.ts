/** The directories the config keeps the audit log out of are the ones the node code writes. Pure. */
import { strict as assert } from "node:assert";
import { DEFAULT_STAGE_DIR, K3S_CONFIG_DIR, K3S_MANIFESTS_DIR, NODE_STATE_DIR } from "../../../components/config";
import { DEFAULT_STAGE_DIR as COMMANDS_STAGE_DIR } from "../../../components/k3s/commands";
import {
    K3S_DROPIN_PATH,
    K3S_MANIFESTS_DIR as RENDER_MANIFESTS_DIR,
    K3S_POLICY_PATH,
    NODE_STATE_DIR as RENDER_STATE_DIR,
} from "../../../components/k3s/render";

describe("k3s node paths vs the auditLogPath rules", () => {
    it("the drop-in and the policy are in the k3s config directory; state, stage and manifests directories are the config's", () => {
        assert.equal(K3S_CONFIG_DIR, "/etc/rancher/k3s");
        assert.equal(K3S_DROPIN_PATH, `${K3S_CONFIG_DIR}/config.yaml.d/90-akko-audit.yaml`);
        assert.equal(K3S_POLICY_PATH, `${K3S_CONFIG_DIR}/audit-policy.yaml`);
        assert.equal(RENDER_STATE_DIR, NODE_STATE_DIR);
        assert.equal(RENDER_MANIFESTS_DIR, K3S_MANIFESTS_DIR);
        assert.equal(COMMANDS_STAGE_DIR, DEFAULT_STAGE_DIR);
    });
});
