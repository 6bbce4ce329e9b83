import * as eks from "@pulumi/aws/eks";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { violation } from "./format";

export const EKS_CLUSTER_TYPE = "aws:eks/cluster:Cluster";
export const EKS_AUDIT_LOG_TYPE = "audit";

/** The part of an EKS cluster's inputs the rule reads. */
export interface EksClusterProps {
    enabledClusterLogTypes?: string[];
}

/** Violations of "an EKS cluster this stack owns sends its API-server audit log to CloudWatch". */
export function eksAuditLogViolations(name: string, props: EksClusterProps): string[] {
    const types = props.enabledClusterLogTypes;
    if (Array.isArray(types) && types.includes(EKS_AUDIT_LOG_TYPE)) return [];
    return [
        violation(
            EKS_CLUSTER_TYPE,
            name,
            "enabledClusterLogTypes",
            types,
            `a list that includes "${EKS_AUDIT_LOG_TYPE}" (without it EKS writes no API-server audit events)`,
        ),
    ];
}

export const eksAuditLogPolicy: ResourceValidationPolicy = {
    name: "eks-audit-log-enabled",
    description: "Every EKS cluster the stack owns enables the audit control-plane log type.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateResourceOfType(eks.Cluster, (props, args, report) => {
        for (const v of eksAuditLogViolations(args.name, props)) report(v);
    }),
};
