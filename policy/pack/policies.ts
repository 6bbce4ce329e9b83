import { ResourceValidationPolicy } from "@pulumi/policy";
import { aksAuditCategoryPolicy } from "./rules/aks-audit-category";
import { eksAuditLogPolicy } from "./rules/eks-audit-log";
import { eksClusterLoggingPolicy } from "./rules/eks-cluster-logging";
import { gkeDataAccessPolicy } from "./rules/gke-data-access";
import { logGroupRetentionPolicy } from "./rules/log-group-retention";

/** The pack's name (PulumiPolicy.yaml, `--policy-pack` output and Pulumi Cloud policy groups show it). */
export const POLICY_PACK_NAME = "akko-audit-guardrails";

/** Every policy of the pack, in report order. Kept apart from index.ts, which starts the analyzer server. */
export const policies: ResourceValidationPolicy[] = [
    eksClusterLoggingPolicy,
    eksAuditLogPolicy,
    aksAuditCategoryPolicy,
    gkeDataAccessPolicy,
    logGroupRetentionPolicy,
];
