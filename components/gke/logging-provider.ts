/**
 * GKE component logging (the runbook's `--logging=SYSTEM,API_SERVER`) on a cluster this stack does not own,
 * through the GKE API (getCluster -> updateCluster desiredLoggingConfig -> getOperation). Plain functions
 * over an injected client for tests; `gkeLoggingProvider` wires them into a Pulumi dynamic provider.
 *
 * Self-contained for Pulumi's closure serialization: type-only imports, the SDK required inside functions.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type GcpIdentity, gcpAuthClient, gcpIdentityText, sameGcpIdentity } from "./identity";

export const DEFAULT_GKE_POLL_INTERVAL_SECONDS = 10;
export const DEFAULT_GKE_UPDATE_TIMEOUT_MINUTES = 30;
/** GKE refuses other components without SYSTEM_COMPONENTS. */
export const SYSTEM_COMPONENTS = "SYSTEM_COMPONENTS";

/** The subset of ClusterManagerClient used here (its promise form resolves to [response, ...]). */
export interface GkeClusterApi {
    getCluster(req: { name: string }): Promise<[any, ...unknown[]]>;
    updateCluster(req: { name: string; update: any }): Promise<[any, ...unknown[]]>;
    getOperation(req: { name: string }): Promise<[any, ...unknown[]]>;
}

export interface GkeLoggingInputs {
    project: string;
    location: string;
    clusterName: string;
    /** Logging components that must be on, e.g. ["APISERVER"]. Others already on are left alone. */
    components: string[];
    pollIntervalSeconds?: number;
    updateTimeoutMinutes?: number;
    /** Who the GKE calls act as (the cluster's GCP identity). Default: Application Default Credentials. */
    identity?: GcpIdentity;
}

export interface GkeLoggingOutputs extends GkeLoggingInputs {
    /** Components this resource turned on (were off before); delete turns exactly these off again. */
    addedComponents: string[];
}

export interface GkeWaitOptions {
    pollIntervalMs?: number;
    timeoutMs?: number;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
}

export function clusterPath(project: string, location: string, clusterName: string): string {
    return `projects/${project}/locations/${location}/clusters/${clusterName}`;
}

/** Enum values arrive as names or numbers depending on client options; names are canonical. */
export function componentName(c: string | number): string {
    const names: Record<number, string> = {
        1: "SYSTEM_COMPONENTS",
        2: "WORKLOADS",
        3: "APISERVER",
        4: "SCHEDULER",
        5: "CONTROLLER_MANAGER",
        7: "KCP_SSHD",
        8: "KCP_CONNECTION",
        9: "KCP_HPA",
    };
    return typeof c === "number" ? (names[c] ?? `COMPONENT_${c}`) : c;
}

/** The logging components on now, sorted. */
export async function readLoggingComponents(client: GkeClusterApi, path: string): Promise<string[]> {
    const [cluster] = await client.getCluster({ name: path });
    const list: (string | number)[] = cluster?.loggingConfig?.componentConfig?.enableComponents ?? [];
    return [...new Set(list.map(componentName))].sort();
}

/** Polls the operation until DONE; an operation error throws with GKE's own message. */
export async function waitForOperation(
    client: GkeClusterApi,
    project: string,
    location: string,
    operation: string,
    opts: GkeWaitOptions = {},
): Promise<void> {
    const pollMs = opts.pollIntervalMs ?? DEFAULT_GKE_POLL_INTERVAL_SECONDS * 1000;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_GKE_UPDATE_TIMEOUT_MINUTES * 60_000;
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = opts.now ?? Date.now;
    const started = now();
    const name = `projects/${project}/locations/${location}/operations/${operation}`;
    for (;;) {
        const [op] = await client.getOperation({ name });
        const status = op?.status === 3 ? "DONE" : op?.status;
        if (status === "DONE") {
            const code = op.error?.code ?? 0;
            if (code !== 0 || op.error?.message)
                throw new Error(`GKE operation ${operation} failed: ${op.error?.message || op.statusMessage || `code ${code}`}`);
            return;
        }
        if (now() - started >= timeoutMs)
            throw new Error(
                `GKE operation ${operation} still ${status ?? "unknown"} after ${Math.round(timeoutMs / 60_000)} minutes; check it with gcloud container operations describe ${operation} --location ${location} --project ${project}`,
            );
        await sleep(pollMs);
    }
}

/** Sets the logging components to `after` (one update) and waits for it. */
async function setComponents(
    client: GkeClusterApi,
    i: { project: string; location: string; clusterName: string },
    after: string[],
    opts: GkeWaitOptions,
): Promise<void> {
    const [op] = await client.updateCluster({
        name: clusterPath(i.project, i.location, i.clusterName),
        update: { desiredLoggingConfig: { componentConfig: { enableComponents: after } } },
    });
    if (!op?.name) throw new Error(`GKE cluster ${JSON.stringify(i.clusterName)}: updateCluster returned no operation`);
    await waitForOperation(client, i.project, i.location, op.name, opts);
}

/**
 * Turns on the `wanted` components (and SYSTEM_COMPONENTS, which GKE requires with any other), leaving what is
 * already on. Calls nothing but getCluster when they are all on. Returns what it added.
 */
export async function ensureComponents(
    client: GkeClusterApi,
    i: { project: string; location: string; clusterName: string },
    wanted: readonly string[],
    opts: GkeWaitOptions = {},
): Promise<{ before: string[]; added: string[] }> {
    const before = await readLoggingComponents(client, clusterPath(i.project, i.location, i.clusterName));
    const needed = wanted.length > 0 ? [SYSTEM_COMPONENTS, ...wanted] : [];
    const added = [...new Set(needed.filter((c) => !before.includes(c)))].sort();
    if (added.length === 0) return { before, added };
    await setComponents(client, i, [...before, ...added].sort(), opts);
    return { before, added };
}

/** Turns off exactly `remove` (what this stack added), leaving everything else as it is now. */
export async function removeComponents(
    client: GkeClusterApi,
    i: { project: string; location: string; clusterName: string },
    remove: readonly string[],
    opts: GkeWaitOptions = {},
): Promise<{ removed: string[] }> {
    const current = await readLoggingComponents(client, clusterPath(i.project, i.location, i.clusterName));
    const removed = current.filter((c) => remove.includes(c));
    if (removed.length === 0) return { removed };
    await setComponents(
        client,
        i,
        current.filter((c) => !remove.includes(c)),
        opts,
    );
    return { removed };
}

async function newClient(identity: GcpIdentity | undefined): Promise<GkeClusterApi & { close(): Promise<void> }> {
    const { ClusterManagerClient } = require("@google-cloud/container") as typeof import("@google-cloud/container");
    const authClient = await gcpAuthClient(identity);
    return new ClusterManagerClient(authClient ? { authClient } : {}) as unknown as GkeClusterApi & { close(): Promise<void> };
}

async function withClient<T>(identity: GcpIdentity | undefined, fn: (c: GkeClusterApi) => Promise<T>): Promise<T> {
    const client = await newClient(identity);
    try {
        return await fn(client);
    } finally {
        await client.close();
    }
}

function waitOptions(i: GkeLoggingInputs): GkeWaitOptions {
    return {
        pollIntervalMs: (i.pollIntervalSeconds ?? DEFAULT_GKE_POLL_INTERVAL_SECONDS) * 1000,
        timeoutMs: (i.updateTimeoutMinutes ?? DEFAULT_GKE_UPDATE_TIMEOUT_MINUTES) * 60_000,
    };
}

function isNotFound(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as { code?: number }).code === 5; // gRPC NOT_FOUND
}

/**
 * The dynamic provider. Credentials: the inputs' identity (the same as the cluster's gcp.Provider), else
 * Application Default Credentials. `clientFactory` is for tests. `pulumi import` does not apply: create
 * records what was on and turns off only what it added.
 */
/** Inputs whose change makes another resource (another cluster): the diff replaces, deleting the old first. */
export const GKE_LOGGING_REPLACE_KEYS = ["project", "location", "clusterName"] as const;

export function makeGkeLoggingProvider(clientFactory?: () => GkeClusterApi): pulumi.dynamic.ResourceProvider<GkeLoggingInputs, GkeLoggingOutputs> {
    const client = <T>(i: Pick<GkeLoggingInputs, "identity">, fn: (c: GkeClusterApi) => Promise<T>) =>
        clientFactory ? fn(clientFactory()) : withClient(i.identity, fn);
    return {
        async diff(_id, olds, news) {
            const replaces = GKE_LOGGING_REPLACE_KEYS.filter((k) => olds[k] !== news[k]);
            const changed = [...olds.components].sort().join(",") !== [...news.components].sort().join(",");
            // A new identity is an update that records it: delete and refresh then act as it too.
            const identityChanged = !sameGcpIdentity(olds.identity, news.identity);
            return { changes: replaces.length > 0 || changed || identityChanged, replaces, deleteBeforeReplace: true };
        },
        async check(olds, news) {
            // Preview fails here, naming the cluster, instead of `up` failing half-way. Only for a new target.
            const target = (i: Partial<GkeLoggingInputs>) => `${i.project}/${i.location}/${i.clusterName}`;
            if (olds.clusterName !== undefined && target(olds) === target(news)) return { inputs: news };
            if ([news.project, news.location, news.clusterName].some((v) => typeof v !== "string")) return { inputs: news };
            try {
                await client(news, (c) => readLoggingComponents(c, clusterPath(news.project, news.location, news.clusterName)));
                return { inputs: news };
            } catch (e) {
                if (!isNotFound(e)) throw e;
                const reason = `GKE cluster ${clusterPath(news.project, news.location, news.clusterName)} not found${gcpIdentityText(news.identity)}: check project, location and clusterName in akko-audit:clusters`;
                return { inputs: news, failures: [{ property: "clusterName", reason }] };
            }
        },
        async create(inputs) {
            const { added } = await client(inputs, (c) => ensureComponents(c, inputs, inputs.components, waitOptions(inputs)));
            return { id: clusterPath(inputs.project, inputs.location, inputs.clusterName), outs: { ...inputs, addedComponents: added } };
        },
        async update(_id, olds, news) {
            // Components dropped from config are turned off only if this stack had turned them on.
            const dropped = olds.addedComponents.filter((c) => !news.components.includes(c) && c !== SYSTEM_COMPONENTS);
            const { added } = await client(news, async (c) => {
                if (dropped.length > 0) await removeComponents(c, news, dropped, waitOptions(news));
                return ensureComponents(c, news, news.components, waitOptions(news));
            });
            const kept = olds.addedComponents.filter((c) => !dropped.includes(c));
            return { outs: { ...news, addedComponents: [...new Set([...kept, ...added])].sort() } };
        },
        async read(id, props) {
            if (!props) throw new Error(`GKE logging ${id}: nothing to read without state`);
            try {
                const current = await client(props, (c) => readLoggingComponents(c, clusterPath(props.project, props.location, props.clusterName)));
                // Refresh shows drift when a wanted component was turned off elsewhere.
                return { id, props: { ...props, components: props.components.filter((x) => current.includes(x)) } };
            } catch (e) {
                // The cluster is gone: an empty id tells the engine the resource is gone (refresh drops it).
                if (isNotFound(e)) return { id: "", props: {} as GkeLoggingOutputs };
                throw e;
            }
        },
        async delete(_id, props) {
            try {
                await client(props, (c) => removeComponents(c, props, props.addedComponents, waitOptions(props)));
            } catch (e) {
                if (isNotFound(e)) return; // the cluster is gone
                throw e;
            }
        },
    };
}

export const gkeLoggingProvider = makeGkeLoggingProvider();
