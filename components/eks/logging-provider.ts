/**
 * Control-plane logging on an EKS cluster this stack does not own, through the EKS API
 * (DescribeCluster -> UpdateClusterConfig -> DescribeUpdate). The logic is plain functions over an
 * injected client so it can be tested against a stubbed SDK; `eksLoggingProvider` wires them into a
 * Pulumi dynamic provider.
 *
 * Pulumi serializes the provider object with everything it references, so this module is self-contained:
 * it imports only types, and requires the SDK inside functions (a captured module object would be
 * serialized by value).
 */
import type { EKSClient } from "@aws-sdk/client-eks";
import type * as pulumi from "@pulumi/pulumi";
import { type AwsIdentity, awsCredentials, awsIdentityText, sameAwsIdentity } from "./identity";

/** How often DescribeUpdate is polled while an update runs. Logging updates take 1-5 minutes. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 15;
/** How long an update may run before the resource fails. */
export const DEFAULT_UPDATE_TIMEOUT_MINUTES = 30;

/** The resource's inputs. */
export interface EksLoggingInputs {
    clusterName: string;
    region: string;
    /** Log types that must be on; every other type is turned off. */
    logTypes: string[];
    pollIntervalSeconds?: number;
    updateTimeoutMinutes?: number;
    /** Who the EKS calls act as (the cluster's AWS identity). Default: the SDK's default chain. */
    identity?: AwsIdentity;
}

/** The resource's state: inputs plus what was on before this resource first changed the cluster. */
export interface EksLoggingOutputs extends EksLoggingInputs {
    /** Log types that were on before create; delete turns exactly these back on. */
    previousLogTypes: string[];
}

export interface WaitOptions {
    pollIntervalMs?: number;
    timeoutMs?: number;
    /** Injected in tests so that polling does not wait. */
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
}

/** Sorted, de-duplicated: the canonical form compared and stored. */
export function canonicalLogTypes(types: readonly string[]): string[] {
    return [...new Set(types)].sort();
}

/** The log types currently enabled on the cluster, sorted. */
export async function readEnabledLogTypes(client: EKSClient, clusterName: string): Promise<string[]> {
    const { DescribeClusterCommand } = require("@aws-sdk/client-eks") as typeof import("@aws-sdk/client-eks");
    const out = await client.send(new DescribeClusterCommand({ name: clusterName }));
    if (!out.cluster) throw new Error(`EKS cluster ${JSON.stringify(clusterName)}: DescribeCluster returned no cluster`);
    const enabled = (out.cluster.logging?.clusterLogging ?? []).filter((s) => s.enabled === true).flatMap((s) => s.types ?? []);
    return canonicalLogTypes(enabled);
}

/** What to turn on and off to go from `current` to `wanted`; undefined when they already match. */
export function logTypeChange(current: readonly string[], wanted: readonly string[]): { enable: string[]; disable: string[] } | undefined {
    const enable = canonicalLogTypes(wanted.filter((t) => !current.includes(t)));
    const disable = canonicalLogTypes(current.filter((t) => !wanted.includes(t)));
    return enable.length === 0 && disable.length === 0 ? undefined : { enable, disable };
}

/**
 * Polls DescribeUpdate until the update is Successful. Failed or Cancelled throw with the update's own
 * errors; running past the timeout throws too.
 */
export async function waitForUpdate(client: EKSClient, clusterName: string, updateId: string, opts: WaitOptions = {}): Promise<void> {
    const { DescribeUpdateCommand } = require("@aws-sdk/client-eks") as typeof import("@aws-sdk/client-eks");
    const pollMs = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_SECONDS * 1000;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MINUTES * 60_000;
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = opts.now ?? Date.now;
    const started = now();
    for (;;) {
        const out = await client.send(new DescribeUpdateCommand({ name: clusterName, updateId }));
        const status = out.update?.status;
        if (status === "Successful") return;
        if (status === "Failed" || status === "Cancelled") {
            const errors = (out.update?.errors ?? []).map((e) => `${e.errorCode ?? "Unknown"}: ${e.errorMessage ?? "no message"}`);
            throw new Error(
                `EKS cluster ${JSON.stringify(clusterName)}: logging update ${updateId} ${status.toLowerCase()}: ${errors.length > 0 ? errors.join("; ") : "no errors reported"}`,
            );
        }
        if (now() - started >= timeoutMs) {
            throw new Error(
                `EKS cluster ${JSON.stringify(clusterName)}: logging update ${updateId} still ${status ?? "unknown"} after ${Math.round(timeoutMs / 60_000)} minutes; check it with aws eks describe-update --name ${clusterName} --update-id ${updateId}`,
            );
        }
        await sleep(pollMs);
    }
}

/**
 * Makes the cluster's enabled log types exactly `wanted`. Reads first and calls nothing else when they
 * already match (UpdateClusterConfig rejects a no-op). Returns what was on before.
 */
export async function setLogTypes(
    client: EKSClient,
    clusterName: string,
    wanted: readonly string[],
    opts: WaitOptions = {},
): Promise<{ before: string[]; updateId?: string }> {
    const { UpdateClusterConfigCommand } = require("@aws-sdk/client-eks") as typeof import("@aws-sdk/client-eks");
    const before = await readEnabledLogTypes(client, clusterName);
    const change = logTypeChange(before, wanted);
    if (!change) return { before };
    const clusterLogging = [
        ...(change.enable.length > 0 ? [{ types: change.enable as any[], enabled: true }] : []),
        ...(change.disable.length > 0 ? [{ types: change.disable as any[], enabled: false }] : []),
    ];
    let out;
    try {
        out = await client.send(new UpdateClusterConfigCommand({ name: clusterName, logging: { clusterLogging } }));
    } catch (e) {
        // EKS runs one update at a time (and none while the cluster is not ACTIVE, e.g. during an upgrade).
        if ((e as { name?: string }).name === "ResourceInUseException") {
            throw new Error(
                `EKS cluster ${JSON.stringify(clusterName)}: another update is in progress (${(e as Error).message}); run \`pulumi up\` again once it has finished (aws eks list-updates --name ${clusterName})`,
            );
        }
        throw e;
    }
    const updateId = out.update?.id;
    if (!updateId) throw new Error(`EKS cluster ${JSON.stringify(clusterName)}: UpdateClusterConfig returned no update id`);
    await waitForUpdate(client, clusterName, updateId, opts);
    return { before, updateId };
}

function isNotFound(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as { name?: string }).name === "ResourceNotFoundException";
}

function newClient(i: Pick<EksLoggingInputs, "region" | "identity">): EKSClient {
    const { EKSClient: Client } = require("@aws-sdk/client-eks") as typeof import("@aws-sdk/client-eks");
    return new Client({ region: i.region, credentials: awsCredentials(i.identity, i.region) });
}

/** Why the cluster cannot be changed, found before anything changes (preview shows it); undefined when it can. */
export async function clusterProblem(
    client: EKSClient,
    i: Pick<EksLoggingInputs, "clusterName" | "region" | "identity">,
): Promise<string | undefined> {
    try {
        await readEnabledLogTypes(client, i.clusterName);
        return undefined;
    } catch (e) {
        if (isNotFound(e)) {
            return `EKS cluster ${JSON.stringify(i.clusterName)} not found in ${i.region}${awsIdentityText(i.identity)}: check clusterName, region and the cluster's roleArn/profile in akko-audit:clusters`;
        }
        throw e;
    }
}

function waitOptions(i: EksLoggingInputs): WaitOptions {
    return {
        pollIntervalMs: (i.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000,
        timeoutMs: (i.updateTimeoutMinutes ?? DEFAULT_UPDATE_TIMEOUT_MINUTES) * 60_000,
    };
}

/**
 * The dynamic provider. Credentials: the inputs' identity (the same as the cluster's aws.Provider), else the
 * SDK's default chain. `pulumi import` does not apply: create adopts what is on (it records it and turns it
 * back on at delete), so there is nothing to import.
 */
/** Inputs whose change makes another resource (another cluster): the diff replaces, deleting the old first. */
export const EKS_LOGGING_REPLACE_KEYS = ["clusterName", "region"] as const;

export const eksLoggingProvider: pulumi.dynamic.ResourceProvider<EksLoggingInputs, EksLoggingOutputs> = {
    async diff(_id, olds, news) {
        // Another cluster is another resource: restore the old one, then enable on the new one.
        const replaces = EKS_LOGGING_REPLACE_KEYS.filter((k) => olds[k] !== news[k]);
        const typesChanged = canonicalLogTypes(olds.logTypes).join(",") !== canonicalLogTypes(news.logTypes).join(",");
        // A new identity is an update that records it: delete and refresh then act as it too.
        const identityChanged = !sameAwsIdentity(olds.identity, news.identity);
        return { changes: replaces.length > 0 || typesChanged || identityChanged, replaces, deleteBeforeReplace: true };
    },
    async check(olds, news) {
        // Preview fails here, naming the cluster, instead of `up` failing half-way. Only for a new target.
        const target = (i: Partial<EksLoggingInputs>) => `${i.region}/${i.clusterName}`;
        if (olds.clusterName !== undefined && target(olds) === target(news)) return { inputs: news };
        if (typeof news.clusterName !== "string" || typeof news.region !== "string") return { inputs: news };
        const problem = await clusterProblem(newClient(news), news);
        return { inputs: news, failures: problem ? [{ property: "clusterName", reason: problem }] : [] };
    },
    async create(inputs) {
        const { before } = await setLogTypes(newClient(inputs), inputs.clusterName, inputs.logTypes, waitOptions(inputs));
        return {
            id: `${inputs.region}/${inputs.clusterName}`,
            outs: { ...inputs, logTypes: canonicalLogTypes(inputs.logTypes), previousLogTypes: before },
        };
    },
    async update(_id, olds, news) {
        await setLogTypes(newClient(news), news.clusterName, news.logTypes, waitOptions(news));
        return { outs: { ...news, logTypes: canonicalLogTypes(news.logTypes), previousLogTypes: olds.previousLogTypes } };
    },
    async read(id, props) {
        if (!props) throw new Error(`EKS logging ${id}: nothing to read without state`);
        // Refresh shows drift: someone changed the log types outside this stack.
        try {
            const current = await readEnabledLogTypes(newClient(props), props.clusterName);
            return { id, props: { ...props, logTypes: current } };
        } catch (e) {
            // The cluster is gone: an empty id tells the engine the resource is gone (refresh drops it).
            if (isNotFound(e)) return { id: "", props: {} as EksLoggingOutputs };
            throw e;
        }
    },
    async delete(_id, props) {
        try {
            await setLogTypes(newClient(props), props.clusterName, props.previousLogTypes, waitOptions(props));
        } catch (e) {
            // The cluster is gone: nothing to restore.
            if (isNotFound(e)) return;
            throw e;
        }
    },
};
