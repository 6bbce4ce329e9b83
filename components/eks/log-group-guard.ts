/**
 * A check before the EKS log group is created: fails `pulumi up` with how to adopt the group when it
 * already exists (EKS created it, without expiry, when logging was on before), instead of CloudWatch's bare
 * "already exists". The lookup runs in `check`, so `pulumi preview` shows the problem; again in create
 * (the group may have appeared since). Only for a new group: the diff never asks for an update.
 *
 * Self-contained for Pulumi's closure serialization: type-only imports, the SDK required inside functions.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import * as pulumi from "@pulumi/pulumi";
import { type AwsIdentity, awsCredentials } from "./identity";

export interface LogGroupGuardInputs {
    logGroupName: string;
    region: string;
    /** adoptExistingLogGroup: the group must then exist. */
    adopt: boolean;
    /** The config cluster name, for the message. */
    clusterLabel: string;
    /** Who the lookup acts as (the cluster's AWS identity). Default: the SDK's default chain. */
    identity?: AwsIdentity;
}

function newClient(i: Pick<LogGroupGuardInputs, "region" | "identity">): CloudWatchLogsClient {
    const { CloudWatchLogsClient: Client } = require("@aws-sdk/client-cloudwatch-logs") as typeof import("@aws-sdk/client-cloudwatch-logs");
    return new Client({ region: i.region, credentials: awsCredentials(i.identity, i.region) });
}

/** Whether a log group of exactly this name exists. */
export async function logGroupExists(client: CloudWatchLogsClient, name: string): Promise<boolean> {
    const { DescribeLogGroupsCommand } = require("@aws-sdk/client-cloudwatch-logs") as typeof import("@aws-sdk/client-cloudwatch-logs");
    let nextToken: string | undefined;
    do {
        const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }));
        if ((out.logGroups ?? []).some((g) => g.logGroupName === name)) return true;
        nextToken = out.nextToken;
    } while (nextToken);
    return false;
}

/** The problem with creating (or adopting) the group, with what to do; undefined when there is none. */
export async function logGroupProblem(client: CloudWatchLogsClient, i: LogGroupGuardInputs): Promise<string | undefined> {
    const exists = await logGroupExists(client, i.logGroupName);
    const where = `cluster ${JSON.stringify(i.clusterLabel)}`;
    if (exists && !i.adopt) {
        return `${where}: CloudWatch log group ${i.logGroupName} (${i.region}) already exists — EKS created it when control-plane logging was on before, with no expiry. Adopt it: set adoptExistingLogGroup: true on ${where} in akko-audit:clusters and run \`pulumi up\` again (it is imported, not recreated; its retention applies once the flag is removed). Or delete it first (its events are lost): aws logs delete-log-group --log-group-name ${i.logGroupName} --region ${i.region}`;
    }
    if (!exists && i.adopt) {
        return `${where}: adoptExistingLogGroup is true but CloudWatch log group ${i.logGroupName} (${i.region}) does not exist; remove adoptExistingLogGroup so that it is created`;
    }
    return undefined;
}

/** Inputs whose change makes the guard check again (a replace). */
export const LOG_GROUP_GUARD_REPLACE_KEYS = ["logGroupName", "region"] as const;

export const logGroupGuardProvider: pulumi.dynamic.ResourceProvider<LogGroupGuardInputs, LogGroupGuardInputs> = {
    async diff(_id, olds, news) {
        // Only another group is checked again; toggling `adopt` later must not re-run the check.
        const replaces = LOG_GROUP_GUARD_REPLACE_KEYS.filter((k) => olds[k] !== news[k]);
        return { changes: replaces.length > 0, replaces };
    },
    async check(olds, news) {
        const target = (i: Partial<LogGroupGuardInputs>) => `${i.region}${i.logGroupName}`;
        if (olds.logGroupName !== undefined && target(olds) === target(news)) return { inputs: news };
        if (typeof news.logGroupName !== "string" || typeof news.region !== "string") return { inputs: news };
        const problem = await logGroupProblem(newClient(news), news);
        return { inputs: news, failures: problem ? [{ property: "logGroupName", reason: problem }] : [] };
    },
    async create(inputs) {
        const problem = await logGroupProblem(newClient(inputs), inputs);
        if (problem) throw new Error(problem);
        return { id: `${inputs.region}${inputs.logGroupName}`, outs: inputs };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
};

/** See the module comment. Create it before the log group (the group dependsOn it). */
export class EksLogGroupGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: { [K in keyof LogGroupGuardInputs]: pulumi.Input<LogGroupGuardInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(logGroupGuardProvider, name, args, opts, "akko-audit", "EksLogGroupGuard");
    }
}
