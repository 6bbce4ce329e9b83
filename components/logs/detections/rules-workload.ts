import { DetectionParams, DetectionRule } from "./model";

/** Rules on what runs: privileged and host-sharing pods, capabilities, ephemeral containers, proxies, deletions, webhooks. */
export function workloadRules(params: DetectionParams): DetectionRule[] {
    void params;
    return [];
}
