import { StackConfig } from "../config/stack";
import { AuditRollout } from "./rollout";

/**
 * The program `pulumi up` runs (index.ts), the Automation API runs inline, and `plan` runs under mocks:
 * builds the rollout and returns the stack outputs.
 */
export function auditProgram(config: StackConfig) {
    const rollout = new AuditRollout("akko-audit", { config });
    return {
        clusters: rollout.status,
        deployed: rollout.deployed,
        secretOutputs: rollout.secretOutputs,
        // The evidence public keys (logs.evidence): what `verify` and auditors trust digests by.
        logs: {
            lokiNamespace: rollout.lokiNamespace,
            ...(rollout.logs.evidencePublicKeys ? { evidencePublicKeys: rollout.logs.evidencePublicKeys } : {}),
        },
    };
}
