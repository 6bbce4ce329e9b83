// The Pulumi program: read and validate the stack's config (nothing is registered when it is bad), build
// the rollout, export per-cluster status and the logs-layer endpoints.
import { loadStackConfig } from "./components/deployable";
import { auditProgram } from "./components/rollout/program";

const outputs = auditProgram(loadStackConfig());

/** Per cluster: kind, what was enabled, where its logs go, retention on each hop, known gaps. */
export const clusters = outputs.clusters;
/** Per cluster, what its component reports once deployed (node results, log types, subscription, hub...). */
export const deployed = outputs.deployed;
/** Per cluster, its secret outputs (the AKS hub's listen connection string): `pulumi stack output secretOutputs --show-secrets`. */
export const secretOutputs = outputs.secretOutputs;
/** The logs layer's endpoints. */
export const logs = outputs.logs;
