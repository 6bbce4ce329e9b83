import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { EksClusterSchema, firehosePairProblem } from "../config/eks";
import { ConfigError } from "../config/errors";
import { checkArgs } from "../config/stack";
import { EksClusterLogging } from "./cluster-logging";
import { type AwsIdentity, hasAwsIdentity } from "./identity";
import { EksLogGroupGuard } from "./log-group-guard";
import { AUDIT_FILTER_PATTERN, eksLogGroupName } from "./names";
import { arnAccount, firehoseBackupPolicy, firehoseTrustPolicy, logsSourceArnPattern, logsToFirehosePolicy, logsTrustPolicy } from "./policies";

/** Seconds Firehose keeps retrying Alloy before a batch goes to the S3 backup (covers an Alloy restart). */
export const FIREHOSE_RETRY_SECONDS = 3600;
/** Small, frequent batches: audit events should reach the dashboard within about a minute. */
export const FIREHOSE_BUFFER_MB = 1;
export const FIREHOSE_BUFFER_SECONDS = 60;

export interface EksAuditLoggingArgs {
    /** Name of the existing EKS cluster. Plain string: it names the log group and its import id. Required. */
    clusterName: string;
    /** AWS region of the cluster. Plain string: it is part of the log group's import id. Required. */
    region: string;
    /** Control-plane log types to enable (others are turned off); must include audit. Default audit, authenticator, controllerManager. */
    logTypes?: string[];
    /** CloudWatch retention of the log group, days (one of CloudWatch's values). Default 30. */
    retentionDays?: number;
    /** KMS key ARN for the log group. Default: none (CloudWatch's own encryption). */
    kmsKeyArn?: string;
    /** Adopt an existing log group by import (it keeps its retention until the flag is removed). Default false. */
    adoptExistingLogGroup?: boolean;
    /** Alloy's loki.source.awsfirehose URL. Default: none — nothing is forwarded; with it, firehoseAccessKey is required. */
    firehoseEndpointUrl?: string;
    /**
     * Access key Alloy's receiver expects (kept secret). Required with firehoseEndpointUrl. The config names the
     * secret config key that holds it (firehoseAccessKeySecret); a component takes the key itself.
     */
    firehoseAccessKey?: pulumi.Input<string>;
    /** Days the S3 backup keeps batches that could not be delivered. Default 14. */
    failedBatchRetentionDays?: number;
    /** Value of the Loki `cluster` label (sent as the Firehose common attribute lbl_cluster). Default: the component name. */
    lokiClusterLabel?: pulumi.Input<string>;
    /** Seconds between DescribeUpdate polls. Default 15. */
    pollIntervalSeconds?: pulumi.Input<number>;
    /** Minutes a logging update may run. Default 30. */
    updateTimeoutMinutes?: pulumi.Input<number>;
    /**
     * Let this stack turn the cluster's audit logging off. Default false: the control-plane logging setting (EksClusterLogging) is protected, so deleting this
     * component (cluster removed from config, `pulumi destroy`) stops with Pulumi's protect error.
     */
    allowAuditOff?: boolean;
    /**
     * Who the EKS API and CloudWatch lookups (dynamic resources) act as: give the same identity as the
     * `aws.Provider` passed in `opts.providers`, so every call of this cluster acts as one identity. Default:
     * the SDK's default credential chain.
     */
    identity?: AwsIdentity;
}

/** Only a set identity is an input: a cluster without one keeps the inputs (and state) it had. */
function identityInput(identity: AwsIdentity | undefined): { identity?: AwsIdentity } {
    return hasAwsIdentity(identity) ? { identity } : {};
}

/** The args' settings, checked with the config's own field schemas; their defaults are the config's, applied there. */
const SETTINGS = z.object({
    clusterName: EksClusterSchema.shape.clusterName,
    region: EksClusterSchema.shape.region,
    logTypes: EksClusterSchema.shape.logTypes,
    retentionDays: EksClusterSchema.shape.retentionDays,
    kmsKeyArn: EksClusterSchema.shape.kmsKeyArn,
    adoptExistingLogGroup: EksClusterSchema.shape.adoptExistingLogGroup,
    firehoseEndpointUrl: EksClusterSchema.shape.firehoseEndpointUrl,
    failedBatchRetentionDays: EksClusterSchema.shape.failedBatchRetentionDays,
    allowAuditOff: EksClusterSchema.shape.allowAuditOff,
});

/** The config's rules and messages for the args (ConfigError, every problem at once), before anything is registered. */
function checkEksArgs(name: string, args: EksAuditLoggingArgs): z.output<typeof SETTINGS> {
    const where = `EksAuditLogging ${JSON.stringify(name)}`;
    const problems: string[] = [];
    let parsed: z.output<typeof SETTINGS> | undefined;
    try {
        // SETTINGS strips what is not a setting (the key, the label, the identity, the poll options).
        parsed = checkArgs(where, SETTINGS, args);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
    }
    // The pair rule is the config's, with the component's field name: every problem at once, as for the config.
    const pair = firehosePairProblem(where, args.firehoseEndpointUrl !== undefined, args.firehoseAccessKey !== undefined, "firehoseAccessKey");
    if (pair !== undefined) problems.push(pair);
    if (problems.length > 0 || parsed === undefined) throw new ConfigError(problems);
    return parsed;
}

/**
 * EKS control-plane audit logging on an existing cluster: the log group (pre-created with retention), the
 * log types (through the EKS API, never by touching the cluster resource), and — with a Firehose endpoint —
 * a subscription filter -> Firehose -> Alloy path with an S3 backup for failed batches.
 */
export class EksAuditLogging extends pulumi.ComponentResource {
    public readonly logGroupName: pulumi.Output<string>;
    public readonly logGroupArn: pulumi.Output<string>;
    /** Log types on (sorted). */
    public readonly enabledLogTypes: pulumi.Output<string[]>;
    /** Log types that were on before; restored when this component is deleted. */
    public readonly previousLogTypes: pulumi.Output<string[]>;
    /** Firehose delivery stream ARN, when forwarding. */
    public readonly deliveryStreamArn: pulumi.Output<string | undefined>;
    /** S3 bucket with batches Firehose could not deliver, when forwarding. */
    public readonly failedBatchBucket: pulumi.Output<string | undefined>;

    constructor(name: string, args: EksAuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = checkEksArgs(name, args); // before anything is registered
        super("akko:audit:EksAuditLogging", name, {}, opts);
        const region = settings.region;
        const groupName = eksLogGroupName(settings.clusterName);

        // Fails the first `up` with how to adopt the group when EKS already created it.
        const guard = new EksLogGroupGuard(
            `${name}-log-group-check`,
            {
                logGroupName: groupName,
                region,
                adopt: settings.adoptExistingLogGroup,
                clusterLabel: args.lokiClusterLabel ?? name,
                ...identityInput(args.identity),
            },
            { parent: this },
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-log-group`,
            {
                name: groupName,
                region,
                retentionInDays: settings.retentionDays,
                kmsKeyId: settings.kmsKeyArn,
                tags: { "managed-by": "akko-audit" },
            },
            {
                parent: this,
                dependsOn: [guard],
                // Destroy keeps the group (and its audit events, expiring by retention): EKS may still write
                // to it (the log types that were on before are restored) and would recreate it with no expiry.
                retainOnDelete: true,
                // Adopt the group EKS created earlier. Pulumi refuses an import whose inputs differ from the
                // group, so retention, key and tags apply on the first `up` after the flag is removed. The id
                // names the cluster's region: @pulumi/aws v7 reads a bare id in the provider's region.
                ...(settings.adoptExistingLogGroup
                    ? { import: `${groupName}@${region}`, ignoreChanges: ["retentionInDays", "kmsKeyId", "tags"] }
                    : {}),
            },
        );

        let ready: pulumi.Resource[] = [logGroup];
        let deliveryStreamArn: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let failedBatchBucket: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (settings.firehoseEndpointUrl !== undefined) {
            const accountId = logGroup.arn.apply(arnAccount);
            // Destroy keeps the bucket: it holds the only copy of batches Firehose could not deliver (replay
            // them into Loki after an outage). Retained, not protected, so destroy completes; its access block
            // and lifecycle are retained with it, so a kept bucket stays private and still expires its objects.
            const keep = { parent: this, retainOnDelete: true };
            const bucket = new aws.s3.Bucket(`${name}-failed-batches`, { region, tags: { "managed-by": "akko-audit" } }, keep);
            const publicAccess = new aws.s3.BucketPublicAccessBlock(
                `${name}-failed-batches`,
                { bucket: bucket.id, region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                keep,
            );
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-failed-batches`,
                {
                    bucket: bucket.id,
                    region,
                    rules: [
                        {
                            id: "expire-failed-batches",
                            status: "Enabled",
                            filter: { prefix: "" },
                            expiration: { days: settings.failedBatchRetentionDays },
                            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                        },
                    ],
                },
                keep,
            );

            const firehoseRole = new aws.iam.Role(
                `${name}-firehose`,
                {
                    assumeRolePolicy: accountId.apply((a) => JSON.stringify(firehoseTrustPolicy(a))),
                    description: `Firehose of ${settings.clusterName}'s audit log: write failed batches to S3`,
                },
                { parent: this },
            );
            const firehosePolicy = new aws.iam.RolePolicy(
                `${name}-firehose-s3`,
                { role: firehoseRole.id, policy: bucket.arn.apply((b) => JSON.stringify(firehoseBackupPolicy(b))) },
                { parent: this },
            );
            const stream = new aws.kinesis.FirehoseDeliveryStream(
                `${name}-audit`,
                {
                    region,
                    destination: "http_endpoint",
                    httpEndpointConfiguration: {
                        url: settings.firehoseEndpointUrl,
                        name: "Grafana Alloy",
                        accessKey: pulumi.secret(args.firehoseAccessKey as pulumi.Input<string>),
                        roleArn: firehoseRole.arn,
                        retryDuration: FIREHOSE_RETRY_SECONDS,
                        bufferingSize: FIREHOSE_BUFFER_MB,
                        bufferingInterval: FIREHOSE_BUFFER_SECONDS,
                        s3BackupMode: "FailedDataOnly",
                        s3Configuration: {
                            roleArn: firehoseRole.arn,
                            bucketArn: bucket.arn,
                            compressionFormat: "GZIP",
                            prefix: "failed/",
                            errorOutputPrefix: "errors/",
                        },
                        requestConfiguration: {
                            contentEncoding: "GZIP",
                            commonAttributes: [{ name: "lbl_cluster", value: args.lokiClusterLabel ?? name }],
                        },
                    },
                    tags: { "managed-by": "akko-audit" },
                },
                { parent: this, dependsOn: [firehosePolicy, publicAccess] },
            );

            const logsRole = new aws.iam.Role(
                `${name}-logs`,
                {
                    assumeRolePolicy: logGroup.arn.apply((a) => JSON.stringify(logsTrustPolicy(logsSourceArnPattern(a)))),
                    description: `CloudWatch Logs: put ${settings.clusterName}'s audit events into Firehose`,
                },
                { parent: this },
            );
            const logsPolicy = new aws.iam.RolePolicy(
                `${name}-logs-firehose`,
                { role: logsRole.id, policy: stream.arn.apply((s) => JSON.stringify(logsToFirehosePolicy(s))) },
                { parent: this },
            );
            const subscription = new aws.cloudwatch.LogSubscriptionFilter(
                `${name}-audit`,
                {
                    region,
                    logGroup: logGroup.name,
                    name: "akko-audit-to-loki",
                    filterPattern: AUDIT_FILTER_PATTERN,
                    destinationArn: stream.arn,
                    roleArn: logsRole.arn,
                },
                // CloudWatch tests delivery when the filter is created: the role must be able to put records.
                { parent: this, dependsOn: [logsPolicy] },
            );
            ready = [logGroup, subscription];
            deliveryStreamArn = stream.arn;
            failedBatchBucket = bucket.bucket;
        }

        // Last: EKS starts writing only once the group (with retention) and the forwarding path exist, so no
        // event lands in a group without expiry or misses Loki.
        const logging = new EksClusterLogging(
            `${name}-control-plane-logging`,
            {
                clusterName: settings.clusterName,
                region,
                logTypes: settings.logTypes,
                pollIntervalSeconds: args.pollIntervalSeconds,
                updateTimeoutMinutes: args.updateTimeoutMinutes,
                ...identityInput(args.identity),
            },
            // Its delete turns the audit log off: only with the cluster's explicit opt-in.
            { parent: this, dependsOn: ready, protect: !settings.allowAuditOff },
        );

        this.logGroupName = logGroup.name;
        this.logGroupArn = logGroup.arn;
        this.enabledLogTypes = logging.logTypes;
        this.previousLogTypes = logging.previousLogTypes;
        this.deliveryStreamArn = deliveryStreamArn;
        this.failedBatchBucket = failedBatchBucket;
        this.registerOutputs({
            logGroupName: this.logGroupName,
            logGroupArn: this.logGroupArn,
            enabledLogTypes: this.enabledLogTypes,
            previousLogTypes: this.previousLogTypes,
            deliveryStreamArn: this.deliveryStreamArn,
            failedBatchBucket: this.failedBatchBucket,
        });
    }
}
