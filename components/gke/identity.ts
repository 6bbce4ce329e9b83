/**
 * Who the GCP calls of one GKE cluster act as. The cluster's explicit `gcp.Provider` and its dynamic
 * resource (the GKE API) get the same identity. Only the service account's email goes into state.
 *
 * Self-contained for Pulumi's closure serialization: type-only imports, the library required inside functions.
 */
import type { AuthClient } from "google-auth-library";

export interface GcpIdentity {
    /** Service account impersonated with the environment's credentials (ADC). Default: ADC itself. */
    impersonateServiceAccount?: string;
}

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** An auth client acting as the identity; undefined leaves Application Default Credentials. */
export async function gcpAuthClient(identity: GcpIdentity | undefined): Promise<AuthClient | undefined> {
    if (identity?.impersonateServiceAccount === undefined) return undefined;
    const { GoogleAuth, Impersonated } = require("google-auth-library") as typeof import("google-auth-library");
    const sourceClient = await new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient();
    return new Impersonated({
        sourceClient,
        targetPrincipal: identity.impersonateServiceAccount,
        targetScopes: [CLOUD_PLATFORM_SCOPE],
        lifetime: 3600,
    });
}

export function gcpIdentityText(identity: GcpIdentity | undefined): string {
    return identity?.impersonateServiceAccount !== undefined ? ` (as ${identity.impersonateServiceAccount})` : "";
}

export function sameGcpIdentity(a: GcpIdentity | undefined, b: GcpIdentity | undefined): boolean {
    return (a?.impersonateServiceAccount ?? null) === (b?.impersonateServiceAccount ?? null);
}
