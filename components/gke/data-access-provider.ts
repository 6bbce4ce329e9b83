/**
 * The project's Data Access audit config for one service as it was before this stack, put back on delete.
 * `gcp.projects.IAMAuditConfig` is authoritative for its service: its delete removes the service's config,
 * including what was there before akko-audit. This resource is created before it (the IAMAuditConfig
 * depends on it), so its create reads the config first, and the engine deletes it after the IAMAuditConfig
 * (deletes run dependents first: pulumi/pulumi pkg/resource/deploy/step_generator.go ScheduleDeletes), so
 * its delete writes the recorded config back over the removal. Cloud Resource Manager v1
 * `projects.getIamPolicy` / `setIamPolicy` (read-modify-write with the policy's etag, `updateMask:
 * auditConfigs`, so bindings are never written). Plain functions over an injected HTTP client for tests;
 * `makeDataAccessBaselineProvider` wires them into a Pulumi dynamic provider.
 *
 * Self-contained for Pulumi's closure serialization: type-only imports, the library required inside functions.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CLOUD_PLATFORM_SCOPE, type GcpIdentity, gcpAuthClient, sameGcpIdentity } from "./identity";

export const CLOUD_RESOURCE_MANAGER_V1 = "https://cloudresourcemanager.googleapis.com/v1";

export interface AuditLogConfig {
    logType: string;
    exemptedMembers?: string[];
}

export interface AuditConfig {
    service: string;
    auditLogConfigs?: AuditLogConfig[];
}

export interface IamPolicy {
    etag?: string;
    version?: number;
    auditConfigs?: AuditConfig[];
}

/** The one call made here: google-auth-library's `AuthClient.request()` (a gaxios response's `data`). */
export interface IamHttpClient {
    request<T>(opts: { url: string; method: "POST"; data: unknown }): Promise<{ data: T }>;
}

export interface DataAccessBaselineInputs {
    project: string;
    /** The service whose audit config is recorded, e.g. container.googleapis.com. */
    service: string;
    /** Who the Resource Manager calls act as (the cluster's GCP identity). Default: Application Default Credentials. */
    identity?: GcpIdentity;
}

export interface DataAccessBaselineOutputs extends DataAccessBaselineInputs {
    /** The service's audit config when this resource was created; null when there was none. Delete writes it back. */
    baseline: AuditConfig | null;
}

/** Inputs whose change is another project or service: a replace records the new one before the old is put back. */
export const GKE_DATA_ACCESS_REPLACE_KEYS = ["project", "service"] as const;

export async function getIamPolicy(client: IamHttpClient, project: string): Promise<IamPolicy> {
    const { data } = await client.request<IamPolicy>({
        url: `${CLOUD_RESOURCE_MANAGER_V1}/projects/${project}:getIamPolicy`,
        method: "POST",
        // Version 3 so that a policy with conditional bindings is read whole (its etag is what is checked).
        data: { options: { requestedPolicyVersion: 3 } },
    });
    return data ?? {};
}

/** The service's entry in a policy's auditConfigs, or null. */
export function serviceAuditConfig(policy: IamPolicy, service: string): AuditConfig | null {
    return (policy.auditConfigs ?? []).find((c) => c.service === service) ?? null;
}

/** auditConfigs with the service's entry set to `config` (removed when null), every other entry as it is. */
export function withServiceConfig(configs: readonly AuditConfig[], service: string, config: AuditConfig | null): AuditConfig[] {
    const others = configs.filter((c) => c.service !== service);
    return config ? [...others, config] : others;
}

/** Same log types with the same exempted members, whatever the order. */
export function sameAuditConfig(a: AuditConfig | null, b: AuditConfig | null): boolean {
    const key = (c: AuditConfig | null) =>
        JSON.stringify(
            (c?.auditLogConfigs ?? [])
                .map((l) => [l.logType, [...(l.exemptedMembers ?? [])].sort()])
                .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
        );
    return key(a) === key(b);
}

function httpStatus(e: unknown): { code?: number; status?: string } {
    const err = e as { response?: { status?: number; data?: { error?: { code?: number; status?: string } } }; status?: number; code?: unknown };
    const body = err?.response?.data?.error;
    const code = err?.response?.status ?? body?.code ?? err?.status ?? (typeof err?.code === "number" ? err.code : undefined);
    return { code, status: body?.status };
}

export function isNotFound(e: unknown): boolean {
    const { code, status } = httpStatus(e);
    return code === 404 || status === "NOT_FOUND";
}

/** Someone else changed the policy between our read and our write (etag mismatch). */
export function isConflict(e: unknown): boolean {
    const { code, status } = httpStatus(e);
    return code === 409 || status === "ABORTED";
}

/**
 * Writes `baseline` as the service's audit config (null: no config for the service), leaving every other
 * service's as it is now. Calls nothing but getIamPolicy when it is already so. Retries once on a conflict.
 */
export async function restoreServiceConfig(
    client: IamHttpClient,
    project: string,
    service: string,
    baseline: AuditConfig | null,
): Promise<{ written: boolean }> {
    for (let attempt = 0; ; attempt++) {
        const policy = await getIamPolicy(client, project);
        if (sameAuditConfig(serviceAuditConfig(policy, service), baseline)) return { written: false };
        try {
            await client.request({
                url: `${CLOUD_RESOURCE_MANAGER_V1}/projects/${project}:setIamPolicy`,
                method: "POST",
                data: {
                    policy: { auditConfigs: withServiceConfig(policy.auditConfigs ?? [], service, baseline), etag: policy.etag },
                    updateMask: "auditConfigs",
                },
            });
            return { written: true };
        } catch (e) {
            if (attempt === 0 && isConflict(e)) continue; // read the new policy and write again
            throw e;
        }
    }
}

async function newClient(identity: GcpIdentity | undefined): Promise<IamHttpClient> {
    const impersonated = await gcpAuthClient(identity);
    if (impersonated) return impersonated as unknown as IamHttpClient;
    const { GoogleAuth } = require("google-auth-library") as typeof import("google-auth-library");
    return (await new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient()) as unknown as IamHttpClient;
}

/**
 * The dynamic provider. Credentials: the inputs' identity (the same as the cluster's gcp.Provider), else
 * Application Default Credentials. `clientFactory` is for tests. On a stack whose IAMAuditConfig already
 * exists, create records that config (ours): destroy then leaves Data Access on, the safe direction.
 */
export function makeDataAccessBaselineProvider(
    clientFactory?: () => IamHttpClient,
): pulumi.dynamic.ResourceProvider<DataAccessBaselineInputs, DataAccessBaselineOutputs> {
    const client = (i: Pick<DataAccessBaselineInputs, "identity">) => (clientFactory ? Promise.resolve(clientFactory()) : newClient(i.identity));
    return {
        async diff(_id, olds, news) {
            const replaces = GKE_DATA_ACCESS_REPLACE_KEYS.filter((k) => olds[k] !== news[k]);
            // A new identity is an update that records it: delete then acts as it too.
            const identityChanged = !sameGcpIdentity(olds.identity, news.identity);
            return { changes: replaces.length > 0 || identityChanged, replaces };
        },
        async create(inputs) {
            const policy = await getIamPolicy(await client(inputs), inputs.project);
            return { id: `${inputs.project}/${inputs.service}`, outs: { ...inputs, baseline: serviceAuditConfig(policy, inputs.service) } };
        },
        async update(_id, olds, news) {
            // Only the identity changes in place: the recorded config is what was there before this stack.
            return { outs: { ...news, baseline: olds.baseline } };
        },
        async read(id, props) {
            if (!props) throw new Error(`GKE Data Access baseline ${id}: nothing to read without state`);
            try {
                await getIamPolicy(await client(props), props.project);
                // Never re-recorded: refresh keeps what was there before this stack.
                return { id, props };
            } catch (e) {
                // The project is gone: an empty id tells the engine the resource is gone (refresh drops it).
                if (isNotFound(e)) return { id: "", props: {} as DataAccessBaselineOutputs };
                throw e;
            }
        },
        async delete(_id, props) {
            try {
                await restoreServiceConfig(await client(props), props.project, props.service, props.baseline ?? null);
            } catch (e) {
                if (isNotFound(e)) return; // the project is gone
                throw e;
            }
        },
    };
}

export const dataAccessBaselineProvider = makeDataAccessBaselineProvider();
