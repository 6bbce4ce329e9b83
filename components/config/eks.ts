import { z } from "zod";
import { allowAuditOff, allowed, clusterName, previousNames, intInRange, oneOf, secretRef, strictObject } from "./fields";
import type { KindRules } from "./kind-rules";
import { CONFIG_NAMESPACE } from "./namespace";

export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export const DEFAULT_EKS_LOG_TYPES: EksLogType[] = ["audit", "authenticator", "controllerManager"];
/** The only values CloudWatch Logs accepts for retentionInDays. */
export const CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const DEFAULT_CLOUD_RETENTION_DAYS = 30;

/** AWS regions where EKS runs (2026). A new region needs one line here. */
export const AWS_REGIONS = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
] as const;
export const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** An IAM role ARN (any partition). */
export const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** sts:AssumeRole's ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** A profile name in the shared AWS config files. */
export const AWS_PROFILE = /^[\w.+@-]{1,64}$/;
export const KMS_KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

export type EksLogType = (typeof EKS_LOG_TYPES)[number];
/** Days the S3 bucket keeps batches Firehose failed to deliver to Alloy (for replay). */
export const DEFAULT_FAILED_BATCH_RETENTION_DAYS = 14;
/** An https URL (Firehose only delivers to https endpoints). */
export const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s]*)?$/;
const FIREHOSE_URL_TEXT = "the https URL of Alloy's loki.source.awsfirehose receiver, e.g. https://alloy.example.net/awsfirehose/api/v1/push";

export const EksClusterSchema = strictObject({
    name: clusterName,
    /** Earlier names of this cluster: renaming keeps its resources (aliases). Default none. */
    previousNames,
    kind: z.literal("eks"),
    /** The existing EKS cluster's name (as in the console). */
    clusterName: z
        .string(allowed("an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters"))
        .regex(
            EKS_CLUSTER_NAME,
            allowed("an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters"),
        ),
    /** AWS region of the cluster, e.g. eu-west-1. */
    region: z
        .string(allowed("an AWS region code such as eu-west-1"))
        .refine(
            (r) => (AWS_REGIONS as readonly string[]).includes(r),
            allowed("an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)"),
        ),
    /** Control-plane log types to enable. Default audit, authenticator, controllerManager; must include audit. */
    logTypes: z
        .array(oneOf(EKS_LOG_TYPES), allowed(`a list of ${EKS_LOG_TYPES.join(" | ")}`))
        .min(1, allowed("a list that includes audit"))
        .refine((l) => l.includes("audit"), allowed("a list that includes audit"))
        .refine((l) => new Set(l).size === l.length, allowed("a list without repeats"))
        .default(DEFAULT_EKS_LOG_TYPES),
    /** CloudWatch retention of /aws/eks/<cluster>/cluster in days. Default 30. */
    retentionDays: z
        .number(allowed(`one of CloudWatch's retention values: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`))
        .refine(
            (d) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(d),
            allowed(`one of CloudWatch's retention values: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`),
        )
        .default(DEFAULT_CLOUD_RETENTION_DAYS),
    /** KMS key ARN to encrypt the log group. Default: none (CloudWatch's own encryption). */
    kmsKeyArn: z
        .string(allowed("a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/..."))
        .regex(KMS_KEY_ARN, allowed("a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/..."))
        .optional(),
    /**
     * Adopt an existing /aws/eks/<clusterName>/cluster log group by import (it exists when logging was on
     * before) instead of failing on "already exists". Default false.
     */
    adoptExistingLogGroup: z.boolean(allowed("true or false")).default(false),
    /**
     * URL of Alloy's loki.source.awsfirehose receiver. Default: none — the audit log stays in CloudWatch and
     * does not reach Loki. Needs firehoseAccessKeySecret.
     */
    firehoseEndpointUrl: z.string(allowed(FIREHOSE_URL_TEXT)).regex(HTTPS_URL, allowed(FIREHOSE_URL_TEXT)).optional(),
    /** Secret config key holding the access key Alloy's receiver expects. Required with firehoseEndpointUrl. */
    firehoseAccessKeySecret: secretRef.optional(),
    /** Days the S3 bucket keeps batches Firehose could not deliver. Default 14. */
    failedBatchRetentionDays: intInRange(1, 3650, "days").default(DEFAULT_FAILED_BATCH_RETENTION_DAYS),
    /**
     * IAM role to assume in the cluster's account: the log group, the Firehose path and the EKS API calls all
     * act as it. Default: the stack's AWS identity (aws:profile, aws:assumeRoles, or the environment).
     */
    roleArn: z
        .string(allowed("an IAM role ARN such as arn:aws:iam::123456789012:role/akko-audit"))
        .regex(IAM_ROLE_ARN, allowed("an IAM role ARN such as arn:aws:iam::123456789012:role/akko-audit"))
        .optional(),
    /** The external id the role's trust policy asks for (not a secret). Only with roleArn. Default: none. */
    externalId: z
        .string(allowed("2-1224 characters of letters, digits and +=,.@:/-_"))
        .regex(EXTERNAL_ID, allowed("2-1224 characters of letters, digits and +=,.@:/-_"))
        .optional(),
    /** A named profile of the shared AWS config files to start from (then roleArn, if set). Default: the stack's. */
    profile: z
        .string(allowed("a profile name of the shared AWS config files: letters, digits and ._+@-"))
        .regex(AWS_PROFILE, allowed("a profile name of the shared AWS config files: letters, digits and ._+@-"))
        .optional(),
    allowAuditOff,
});

export type EksCluster = z.infer<typeof EksClusterSchema>;

/**
 * The Firehose URL and its access key go together (both to forward to Loki, neither to keep the audit log in
 * CloudWatch only). `keyField` is the config's secret reference or a component's key itself.
 */
export function firehosePairProblem(where: string, hasUrl: boolean, hasKey: boolean, keyField: string): string | undefined {
    if (hasUrl === hasKey) return undefined;
    const [has, lacks] = hasUrl ? ["firehoseEndpointUrl", keyField] : [keyField, "firehoseEndpointUrl"];
    return `${where}: field ${lacks}: missing; allowed: set together with ${has} (both to forward to Loki through Firehose, neither to keep the audit log in CloudWatch only)`;
}

/** The fleet rules of an EKS cluster (KIND_RULES). */
export const eksRules: KindRules<EksCluster> = {
    secretRefs: (c) => (c.firehoseAccessKeySecret ? [{ field: "firehoseAccessKeySecret", key: c.firehoseAccessKeySecret }] : []),
    bufferRetention: (c) => ({ field: "retentionDays", days: c.retentionDays }),
    identity: (c) => ({ id: `eks/${c.region}/${c.clusterName}`, field: "clusterName", value: c.clusterName }),
    problems: (c, { where, logsRetentionDays }) => {
        const problems: string[] = [];
        const pair = firehosePairProblem(
            where,
            c.firehoseEndpointUrl !== undefined,
            c.firehoseAccessKeySecret !== undefined,
            "firehoseAccessKeySecret",
        );
        if (pair !== undefined) problems.push(pair);
        if (c.externalId !== undefined && c.roleArn === undefined) {
            problems.push(
                `${where}: field externalId: got ${JSON.stringify(c.externalId)}; allowed: only with roleArn (the role whose trust policy asks for it)`,
            );
        }
        if (c.firehoseEndpointUrl !== undefined && c.failedBatchRetentionDays > logsRetentionDays) {
            problems.push(
                `${where}: field failedBatchRetentionDays: got ${c.failedBatchRetentionDays}; allowed: at most ${CONFIG_NAMESPACE}:logs.retentionDays (${logsRetentionDays}): the buffer must not outlive Loki, the record`,
            );
        }
        return problems;
    },
};
