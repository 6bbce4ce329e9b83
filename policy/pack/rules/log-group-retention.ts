import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { violation } from "./format";

export const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";

/** The part of a log group's inputs the rule reads. */
export interface LogGroupProps {
    retentionInDays?: number;
    logGroupClass?: string;
}

/**
 * Violations of "every CloudWatch log group has a retention": unset or 0 keeps events forever (and bills
 * them forever), which no data-protection policy allows. DELIVERY-class groups are fixed at 2 days by AWS.
 */
export function logGroupRetentionViolations(name: string, props: LogGroupProps): string[] {
    if (props.logGroupClass === "DELIVERY") return [];
    const days = props.retentionInDays;
    if (typeof days === "number" && Number.isInteger(days) && days > 0) return [];
    return [violation(LOG_GROUP_TYPE, name, "retentionInDays", days, "a number of days greater than 0 (unset or 0 keeps events forever)")];
}

export const logGroupRetentionPolicy: ResourceValidationPolicy = {
    name: "log-group-retention-set",
    description: "Every CloudWatch log group sets retentionInDays (greater than 0).",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: validateResourceOfType(cloudwatch.LogGroup, (props, args, report) => {
        for (const v of logGroupRetentionViolations(args.name, props)) report(v);
    }),
};
