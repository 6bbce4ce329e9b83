import * as projects from "@pulumi/gcp/projects";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { violation } from "./format";

export const IAM_AUDIT_CONFIG_TYPE = "gcp:projects/iAMAuditConfig:IAMAuditConfig";
/** The Kubernetes Engine API: its Data Access logs carry the Kubernetes API reads and writes. */
export const GKE_SERVICE = "container.googleapis.com";
export const REQUIRED_DATA_ACCESS_LOG_TYPES = ["DATA_READ", "DATA_WRITE"] as const;

/** The part of an IAMAuditConfig's inputs the rule reads. */
export interface IamAuditConfigProps {
    service?: string;
    auditLogConfigs?: { logType?: string; exemptedMembers?: string[] }[];
}

/** Violations of "GKE Data Access logging is on for the Kubernetes API": DATA_READ and DATA_WRITE. */
export function gkeDataAccessViolations(name: string, props: IamAuditConfigProps): string[] {
    if (props.service !== GKE_SERVICE) return [];
    const types = (props.auditLogConfigs ?? []).map((c) => c.logType);
    const missing = REQUIRED_DATA_ACCESS_LOG_TYPES.filter((t) => !types.includes(t));
    if (missing.length === 0) return [];
    return [
        violation(
            IAM_AUDIT_CONFIG_TYPE,
            name,
            "auditLogConfigs[].logType",
            types,
            `log types that include ${REQUIRED_DATA_ACCESS_LOG_TYPES.join(" and ")} for ${GKE_SERVICE} (missing ${missing.join(", ")}: without them the Data Access log lacks the Kubernetes API operations that read or write resource data)`,
        ),
    ];
}

export const gkeDataAccessPolicy: ResourceValidationPolicy = {
    name: "gke-data-access-logs",
    description: `The Data Access audit config of ${GKE_SERVICE} enables DATA_READ and DATA_WRITE.`,
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateResourceOfType(projects.IAMAuditConfig, (props, args, report) => {
        for (const v of gkeDataAccessViolations(args.name, props)) report(v);
    }),
};
