import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { AWS_SESSION_NAME, type AwsIdentity, hasAwsIdentity } from "../eks/identity";
import type { GcpIdentity } from "../gke/identity";

/**
 * The stack's own AWS and GCP identity (what the default providers use), for the dynamic resources of
 * clusters without an identity of their own, so they act as the default providers do.
 */
export function stackCloudIdentities(): { aws: AwsIdentity | undefined; gcp: GcpIdentity | undefined } {
    const awsConfig = new pulumi.Config("aws");
    const profile = awsConfig.get("profile");
    const assumeRoles = awsConfig.getObject<{ roleArn?: string; externalId?: string; sessionName?: string }[]>("assumeRoles") ?? [];
    const roles = assumeRoles.flatMap((r) => (r.roleArn ? [{ roleArn: r.roleArn, externalId: r.externalId, sessionName: r.sessionName }] : []));
    const awsIdentity: AwsIdentity = { ...(profile ? { profile } : {}), ...(roles.length > 0 ? { assumeRoles: roles } : {}) };
    const impersonate = new pulumi.Config("gcp").get("impersonateServiceAccount");
    return { aws: hasAwsIdentity(awsIdentity) ? awsIdentity : undefined, gcp: impersonate ? { impersonateServiceAccount: impersonate } : undefined };
}

/**
 * Explicit providers, one per identity (and AWS region), shared by the clusters that use it. Created under
 * the rollout, named from what they reach (`aws-eu-west-3-123456789012-audit`, `gcp-deployer@p.iam...`,
 * `azure-<subscription>`), so the same config gives the same providers on every run.
 */
export class ProviderPool {
    private readonly made = new Map<string, pulumi.ProviderResource>();
    constructor(private readonly parent: pulumi.Resource) {}

    private once<P extends pulumi.ProviderResource>(name: string, make: () => P): P {
        const known = this.made.get(name);
        if (known) return known as P;
        const p = make();
        this.made.set(name, p);
        return p;
    }

    /** The AWS provider of an identity in one region (pulumi-aws replaces a provider's resources when its region changes). */
    aws(identity: AwsIdentity, region: string): aws.Provider {
        const roles = identity.assumeRoles ?? [];
        const parts = [
            "aws",
            region,
            ...(identity.profile !== undefined ? [`profile-${identity.profile}`] : []),
            ...roles.map((r) => {
                const [, , , , account, resource] = r.roleArn.split(":");
                // The external id is part of the identity: another one is another provider (its digest, not
                // the id itself, names it).
                const external = r.externalId !== undefined ? `-x${createHash("sha256").update(r.externalId).digest("hex").slice(0, 8)}` : "";
                return `${account}-${resource.slice("role/".length).replaceAll("/", "-")}${external}`;
            }),
        ];
        const name = parts.join("-");
        return this.once(name, () => {
            const args: aws.ProviderArgs = {
                region: region as aws.Region,
                ...(identity.profile !== undefined ? { profile: identity.profile } : {}),
                ...(roles.length > 0
                    ? {
                          assumeRoles: roles.map((r) => ({
                              roleArn: r.roleArn,
                              externalId: r.externalId,
                              sessionName: r.sessionName ?? AWS_SESSION_NAME,
                          })),
                      }
                    : {}),
            };
            return new aws.Provider(name, args, { parent: this.parent });
        });
    }

    /** The GCP provider acting as a service account. */
    gcp(identity: GcpIdentity & { impersonateServiceAccount: string }): gcp.Provider {
        const name = `gcp-${identity.impersonateServiceAccount}`;
        return this.once(
            name,
            () => new gcp.Provider(name, { impersonateServiceAccount: identity.impersonateServiceAccount }, { parent: this.parent }),
        );
    }

    /** The Azure provider of one subscription (azure-native's DiffConfig never replaces, so moving to it replaces nothing). */
    azure(subscriptionId: string): AzureProvider {
        const name = `azure-${subscriptionId.toLowerCase()}`;
        return this.once(name, () => new AzureProvider(name, { subscriptionId: subscriptionId.toLowerCase() }, { parent: this.parent }));
    }
}
