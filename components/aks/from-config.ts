import type { AksCluster } from "../config/aks";
import type { AksAuditLoggingArgs } from "./audit-logging";

/** Component args from a validated cluster config. */
export function aksArgsFromConfig(c: AksCluster): AksAuditLoggingArgs {
    return {
        clusterResourceId: c.clusterResourceId,
        workspaceResourceId: c.workspaceResourceId,
        categories: c.categories,
        allowBothAuditCategories: c.allowBothAuditCategories,
        eventHubLocation: c.eventHubLocation,
        eventHubResourceGroup: c.eventHubResourceGroup,
        eventHubRetentionDays: c.eventHubRetentionDays,
        allowAuditOff: c.allowAuditOff,
    };
}
