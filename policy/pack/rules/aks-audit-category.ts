import * as monitor from "@pulumi/azure-native/monitor";
import { PolicyConfigSchema, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export const DIAGNOSTIC_SETTING_TYPE = "azure-native:monitor:DiagnosticSetting";
export const AKS_AUDIT_CATEGORIES = ["kube-audit", "kube-audit-admin"] as const;
/** AKS category groups that contain both audit categories. */
export const AKS_GROUPS_WITH_BOTH = ["audit", "allLogs"] as const;
const MANAGED_CLUSTER = /\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i;

/**
 * The opt-in: the pack's config for this policy lists the AKS clusters (resource ids, case-insensitive)
 * whose diagnostic setting may enable both categories, e.g. in a --policy-pack-config file:
 * `{"aks-single-audit-category": {"allowBothFor": ["/subscriptions/.../managedClusters/aks-hds-prod"]}}`.
 * Per cluster and written down in the repository, so a reviewer sees each exception (both categories store
 * and bill every write twice).
 */
export interface AksAuditCategoryConfig {
    allowBothFor?: string[];
}

export const AKS_AUDIT_CATEGORY_CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        allowBothFor: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "AKS cluster resource ids whose diagnostic setting may enable both kube-audit and kube-audit-admin.",
        },
    },
};

/** The part of a diagnostic setting's inputs the rule reads. */
export interface DiagnosticSettingProps {
    resourceUri?: string;
    logs?: { category?: string; categoryGroup?: string; enabled?: boolean }[];
}

/**
 * Violations of "an AKS audit diagnostic setting enables exactly one of kube-audit / kube-audit-admin
 * unless opted in". Settings that name no audit category or group (or are not on an AKS cluster) pass.
 */
export function aksAuditCategoryViolations(name: string, props: DiagnosticSettingProps, config: AksAuditCategoryConfig = {}): string[] {
    const onAks = typeof props.resourceUri === "string" && MANAGED_CLUSTER.test(props.resourceUri);
    // Category groups exist on every resource type; they stand for the AKS audit categories only on AKS.
    const auditEntries = (props.logs ?? []).filter(
        (l) =>
            (AKS_AUDIT_CATEGORIES as readonly string[]).includes(l.category ?? "") ||
            (onAks && (AKS_GROUPS_WITH_BOTH as readonly string[]).includes(l.categoryGroup ?? "")),
    );
    if (auditEntries.length === 0) return [];

    const enabled = new Set<string>();
    const via: string[] = [];
    for (const l of auditEntries.filter((e) => e.enabled === true)) {
        if (l.category !== undefined) enabled.add(l.category);
        else {
            for (const c of AKS_AUDIT_CATEGORIES) enabled.add(c);
            via.push(`categoryGroup ${JSON.stringify(l.categoryGroup ?? "")}`);
        }
    }
    const got = [...enabled].sort();
    const gotText = `${got.length === 0 ? "none" : got.join(" and ")} enabled${via.length > 0 ? ` (via ${via.join(", ")})` : ""}`;
    if (enabled.size === 0) {
        return [
            `${DIAGNOSTIC_SETTING_TYPE} ${JSON.stringify(name)}: logs: got ${gotText}; allowed: exactly one of kube-audit | kube-audit-admin enabled`,
        ];
    }
    if (enabled.size === 1) return [];
    const allowed = (config.allowBothFor ?? []).map((id) => id.toLowerCase());
    if (typeof props.resourceUri === "string" && allowed.includes(props.resourceUri.toLowerCase())) return [];
    return [
        `${DIAGNOSTIC_SETTING_TYPE} ${JSON.stringify(name)}: logs: got ${gotText}; allowed: exactly one of kube-audit | kube-audit-admin, ` +
            `or both when this policy's allowBothFor config lists the cluster ${JSON.stringify(props.resourceUri ?? "")} (every write is then stored and billed twice)`,
    ];
}

export const aksAuditCategoryPolicy: ResourceValidationPolicy = {
    name: "aks-single-audit-category",
    description:
        "An AKS audit diagnostic setting enables exactly one of kube-audit / kube-audit-admin, unless the cluster is listed in allowBothFor.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: AKS_AUDIT_CATEGORY_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(monitor.DiagnosticSetting, (props, args, report) => {
        for (const v of aksAuditCategoryViolations(args.name, props, args.getConfig<AksAuditCategoryConfig>())) report(v);
    }),
};
