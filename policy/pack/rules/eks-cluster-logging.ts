import { ResourceValidationPolicy } from "@pulumi/policy";
import { EKS_AUDIT_LOG_TYPE } from "./eks-audit-log";
import { violation } from "./format";

/**
 * The type the engine sees for akko-audit's EksClusterLogging (components/eks/cluster-logging.ts): a dynamic
 * resource registered with module "akko-audit" and type "EksClusterLogging", which @pulumi/pulumi's
 * dynamic.Resource turns into `pulumi-nodejs:dynamic/<module>:<type>`. The class carries no type token for
 * validateResourceOfType to filter on, and the pack imports nothing outside policy/pack, so the rule matches
 * the type string.
 */
export const EKS_CLUSTER_LOGGING_TYPE = "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging";

/** The part of EksClusterLogging's inputs the rule reads (components/eks/logging-provider.ts EksLoggingInputs). */
export interface EksClusterLoggingProps {
    logTypes?: string[];
}

/** Violations of "akko-audit's EKS logging resource keeps the API-server audit log on". */
export function eksClusterLoggingViolations(name: string, props: EksClusterLoggingProps): string[] {
    const types = props.logTypes;
    if (Array.isArray(types) && types.includes(EKS_AUDIT_LOG_TYPE)) return [];
    return [
        violation(
            EKS_CLUSTER_LOGGING_TYPE,
            name,
            "logTypes",
            types,
            `a list that includes "${EKS_AUDIT_LOG_TYPE}" (the resource turns off every log type it does not list: without it EKS writes no API-server audit events)`,
        ),
    ];
}

export const eksClusterLoggingPolicy: ResourceValidationPolicy = {
    name: "eks-cluster-logging-audit",
    description: "akko-audit's EKS control-plane logging (EksClusterLogging) keeps the audit log type on.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, report) => {
        // Same reason validateResourceOfType gives for another type.
        if (args.type !== EKS_CLUSTER_LOGGING_TYPE)
            return args.notApplicable(`Policy only applies to resources of type '${EKS_CLUSTER_LOGGING_TYPE}'`);
        for (const v of eksClusterLoggingViolations(args.name, args.props as EksClusterLoggingProps)) report(v);
    },
};
