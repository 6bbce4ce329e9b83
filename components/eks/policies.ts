/**
 * IAM documents for the CloudWatch Logs -> Firehose -> Alloy path. Each grants one service one thing on
 * one resource; the trust policies are pinned to this account (confused-deputy protection).
 */

/** The account id in an ARN (arn:partition:service:region:account:...). */
export function arnAccount(arn: string): string {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") throw new Error(`not an ARN: ${JSON.stringify(arn)}`);
    return parts[4];
}

/** arn:<partition>:logs:<region>:<account>:* from a log group ARN: every log source of this account and region. */
export function logsSourceArnPattern(logGroupArn: string): string {
    const parts = logGroupArn.split(":");
    if (parts.length < 6 || parts[0] !== "arn" || parts[2] !== "logs") throw new Error(`not a CloudWatch Logs ARN: ${JSON.stringify(logGroupArn)}`);
    return `${parts.slice(0, 5).join(":")}:*`;
}

/** CloudWatch Logs (of this account and region) may assume the role. */
export function logsTrustPolicy(logsSourcePattern: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringLike: { "aws:SourceArn": logsSourcePattern } },
            },
        ],
    };
}

/** Put records into this one delivery stream, nothing else. */
export function logsToFirehosePolicy(deliveryStreamArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource: deliveryStreamArn }],
    };
}

/** Firehose (for this account) may assume the role. */
export function firehoseTrustPolicy(accountId: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "firehose.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}

/** Write failed batches into this one bucket (the actions Firehose's S3 delivery needs), nothing else. */
export function firehoseBackupPolicy(bucketArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                Resource: [bucketArn, `${bucketArn}/*`],
            },
        ],
    };
}
