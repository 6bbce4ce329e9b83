import { AWS_REGIONS, CLOUDWATCH_RETENTION_DAYS, EKS_CLUSTER_NAME, EKS_LOG_TYPES } from "../config/eks";
import type { EksAuditLoggingArgs } from "./audit-logging";

/**
 * Problems with the plain (already known) args, one line each, in the config error format. Config is
 * validated before this (components/config); this guards direct use of the component.
 */
export function eksAuditLoggingProblems(name: string, args: EksAuditLoggingArgs): string[] {
    const where = `EksAuditLogging ${JSON.stringify(name)}`;
    const problems: string[] = [];
    if (typeof args.clusterName !== "string" || !EKS_CLUSTER_NAME.test(args.clusterName)) {
        problems.push(
            `${where}: field clusterName: got ${JSON.stringify(args.clusterName)}; allowed: an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters`,
        );
    }
    if (typeof args.region === "string" && !(AWS_REGIONS as readonly string[]).includes(args.region)) {
        problems.push(
            `${where}: field region: got ${JSON.stringify(args.region)}; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)`,
        );
    }
    if (Array.isArray(args.logTypes) && args.logTypes.every((t) => typeof t === "string")) {
        const types = args.logTypes as string[];
        const unknown = types.filter((t) => !(EKS_LOG_TYPES as readonly string[]).includes(t));
        if (unknown.length > 0 || !types.includes("audit")) {
            problems.push(
                `${where}: field logTypes: got ${JSON.stringify(types)}; allowed: a list of ${EKS_LOG_TYPES.join(" | ")} that includes audit`,
            );
        }
    }
    if (typeof args.retentionInDays === "number" && !(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(args.retentionInDays)) {
        problems.push(
            `${where}: field retentionInDays: got ${args.retentionInDays}; allowed: one of CloudWatch's retention values: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`,
        );
    }
    if ((args.firehoseEndpointUrl === undefined) !== (args.firehoseAccessKey === undefined)) {
        const lacks = args.firehoseEndpointUrl === undefined ? "firehoseEndpointUrl" : "firehoseAccessKey";
        const has = lacks === "firehoseEndpointUrl" ? "firehoseAccessKey" : "firehoseEndpointUrl";
        problems.push(`${where}: field ${lacks}: missing; allowed: set together with ${has}`);
    }
    return problems;
}

/** Throws the problems (one line each) before any resource is registered. */
export function checkEksAuditLoggingArgs(name: string, args: EksAuditLoggingArgs): void {
    const problems = eksAuditLoggingProblems(name, args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
