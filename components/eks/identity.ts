/**
 * Who the AWS calls of one EKS cluster act as. The explicit `aws.Provider` of the cluster and its dynamic
 * resources (the EKS API, the log-group check) get the same identity, so no call goes out as someone else.
 * Only names go into state (a profile, role ARNs, an external id), never a credential.
 *
 * Self-contained for Pulumi's closure serialization: type-only imports, the SDK required inside functions.
 */
import type { fromIni } from "@aws-sdk/credential-providers";

/** The credentials function every SDK v3 client takes. */
export type AwsCredentials = ReturnType<typeof fromIni>;

/** A role to assume, in order after the profile (or the environment's credentials). */
export interface AwsAssumeRole {
    roleArn: string;
    externalId?: string;
    sessionName?: string;
}

export interface AwsIdentity {
    /** A profile of the shared config files; default the environment's credential chain. */
    profile?: string;
    /** Roles assumed one after the other (aws:assumeRoles' order). Default none. */
    assumeRoles?: AwsAssumeRole[];
}

/** Whether an identity names anything (else the SDK's default chain, and the stack's default provider, apply). */
export function hasAwsIdentity(i: AwsIdentity | undefined): i is AwsIdentity {
    return i !== undefined && (i.profile !== undefined || (i.assumeRoles ?? []).length > 0);
}

/** The session name CloudTrail shows for this program's calls. */
export const AWS_SESSION_NAME = "akko-audit";

/**
 * Credentials for the SDK clients of the dynamic providers: the profile (or the default chain), then each
 * role. Undefined leaves the SDK's default chain, as before an identity was configurable.
 */
export function awsCredentials(identity: AwsIdentity | undefined, region: string): AwsCredentials | undefined {
    if (!hasAwsIdentity(identity)) return undefined;
    const { fromIni, fromNodeProviderChain, fromTemporaryCredentials } =
        require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
    let credentials: AwsCredentials = identity.profile !== undefined ? fromIni({ profile: identity.profile }) : fromNodeProviderChain();
    for (const role of identity.assumeRoles ?? []) {
        credentials = fromTemporaryCredentials({
            masterCredentials: credentials,
            params: { RoleArn: role.roleArn, ExternalId: role.externalId, RoleSessionName: role.sessionName ?? AWS_SESSION_NAME },
            clientConfig: { region },
        });
    }
    return credentials;
}

/** "as role arn:...": who a message's call acted as; empty for the default chain. */
export function awsIdentityText(identity: AwsIdentity | undefined): string {
    const roles = identity?.assumeRoles ?? [];
    if (roles.length > 0) return ` (as ${roles[roles.length - 1].roleArn})`;
    if (identity?.profile !== undefined) return ` (as profile ${identity.profile})`;
    return "";
}

/** Whether two identities are the same (the dynamic providers record an identity change as an update). */
export function sameAwsIdentity(a: AwsIdentity | undefined, b: AwsIdentity | undefined): boolean {
    const norm = (i: AwsIdentity | undefined) =>
        JSON.stringify({
            profile: i?.profile ?? null,
            roles: (i?.assumeRoles ?? []).map((r) => [r.roleArn, r.externalId ?? null, r.sessionName ?? null]),
        });
    return norm(a) === norm(b);
}
