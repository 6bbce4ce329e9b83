import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { EvidenceConfig } from "../config/evidence";
import { AZURE_JOB_SAS_PERMISSIONS, GCS_JOB_ROLES, s3JobPolicy, type EvidenceSecretEnv } from "./evidence-deploy";

export const EVIDENCE_STORE_TYPE = "akko:audit:EvidenceStore";

export interface EvidenceStoreArgs {
    /** logs.evidence.store (validated: the fields its type needs are set). */
    store: NonNullable<EvidenceConfig["store"]>;
    /** Days every digest is locked (evidenceRetentionDays: at least Loki's). */
    retentionDays: number;
    /** With store.endpoint (S3-compatible): the job's "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (store.credentialsSecret). */
    s3CompatibleCredentials?: pulumi.Input<string>;
    /** Provider for the store's cloud. Default: one for store.region (AWS) or store.project (GCP); Azure: the default provider. */
    provider?: pulumi.ProviderResource;
}

/**
 * Where digests live, created with its retention lock: S3 with Object Lock in COMPLIANCE mode (no one, the
 * account root included, shortens it or deletes a locked version), a GCS bucket whose retention policy is
 * locked, an Azure account with a version-level immutability policy (locked with store.lock). The job gets
 * its own identity that can add and read objects and nothing else; its credentials are a secret output.
 */
export class EvidenceStore extends pulumi.ComponentResource {
    /** The job's credentials as its environment (STORE_*: secret). */
    readonly credentials: pulumi.Output<Partial<Record<EvidenceSecretEnv, string>>>;
    /** The bucket (or container) name as created. */
    readonly bucket: pulumi.Output<string>;

    constructor(name: string, args: EvidenceStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super(EVIDENCE_STORE_TYPE, name, {}, opts);
        const s = args.store;
        const days = args.retentionDays;
        if (s.type === "s3") {
            const compatible = s.endpoint !== undefined;
            const provider =
                args.provider ??
                new aws.Provider(
                    `${name}-aws`,
                    {
                        region: s.region as aws.Region,
                        // An S3-compatible server (MinIO, Ceph): the bucket API only, by path, no AWS account lookups.
                        ...(compatible
                            ? {
                                  endpoints: [{ s3: s.endpoint }],
                                  s3UsePathStyle: s.pathStyle ?? true,
                                  skipCredentialsValidation: true,
                                  skipRequestingAccountId: true,
                                  skipMetadataApiCheck: true,
                                  skipRegionValidation: true,
                              }
                            : {}),
                    },
                    { parent: this },
                );
            const child = { parent: this, provider };
            // Object Lock can only be turned on when the bucket is created; it also turns versioning on for good.
            const bucket = new aws.s3.Bucket(
                `${name}-bucket`,
                { bucket: s.bucket, objectLockEnabled: true, forceDestroy: false },
                { ...child, protect: true },
            );
            const versioning = new aws.s3.BucketVersioning(
                `${name}-versioning`,
                { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
                child,
            );
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-lock`,
                { bucket: bucket.id, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days } } },
                { ...child, dependsOn: [versioning] },
            );
            new aws.s3.BucketPublicAccessBlock(
                `${name}-public-access`,
                { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                child,
            );
            new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-sse`,
                { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                child,
            );
            if (compatible) {
                if (args.s3CompatibleCredentials === undefined)
                    throw new Error(
                        `EvidenceStore "${name}": store.endpoint is set but no s3CompatibleCredentials (store.credentialsSecret) were given`,
                    );
                this.credentials = pulumi.secret(
                    pulumi.output(args.s3CompatibleCredentials).apply((c) => {
                        const i = c.indexOf(":");
                        // The value is never shown: only its shape.
                        if (i <= 0 || i === c.length - 1)
                            throw new Error(`EvidenceStore "${name}": store.credentialsSecret is not "ACCESS_KEY_ID:SECRET_ACCESS_KEY"`);
                        return { AWS_ACCESS_KEY_ID: c.slice(0, i), AWS_SECRET_ACCESS_KEY: c.slice(i + 1) };
                    }),
                );
            } else {
                const user = new aws.iam.User(`${name}-job`, { name: `akko-audit-evidence-${s.bucket}`.slice(0, 64) }, child);
                new aws.iam.UserPolicy(`${name}-job-policy`, { user: user.name, policy: bucket.arn.apply(s3JobPolicy) }, child);
                const key = new aws.iam.AccessKey(`${name}-job-key`, { user: user.name }, child);
                this.credentials = pulumi.secret(
                    pulumi.all([key.id, key.secret]).apply(([id, secret]) => ({ AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret })),
                );
            }
            this.bucket = bucket.bucket;
        } else if (s.type === "gcs") {
            const provider = args.provider ?? new gcp.Provider(`${name}-gcp`, { project: s.project }, { parent: this });
            const child = { parent: this, provider };
            const bucket = new gcp.storage.Bucket(
                `${name}-bucket`,
                {
                    name: s.bucket,
                    project: s.project,
                    location: s.region,
                    uniformBucketLevelAccess: true,
                    publicAccessPrevention: "enforced",
                    forceDestroy: false,
                    // Locked: the period can never be shortened nor the policy removed; the bucket cannot be
                    // deleted while it holds objects younger than it.
                    retentionPolicy: { retentionPeriod: String(days * 86400), isLocked: true },
                },
                { ...child, protect: true },
            );
            const account = new gcp.serviceaccount.Account(
                `${name}-job`,
                { accountId: "akko-audit-evidence", project: s.project, displayName: "akko-audit evidence job (writes digests)" },
                child,
            );
            for (const role of GCS_JOB_ROLES)
                new gcp.storage.BucketIAMMember(
                    `${name}-job-${role.split(".").pop()}`,
                    { bucket: bucket.name, role, member: pulumi.interpolate`serviceAccount:${account.email}` },
                    child,
                );
            const key = new gcp.serviceaccount.Key(`${name}-job-key`, { serviceAccountId: account.name }, child);
            this.credentials = pulumi.secret(key.privateKey.apply((k) => ({ GCS_SERVICE_ACCOUNT_KEY: Buffer.from(k, "base64").toString("utf8") })));
            this.bucket = bucket.name;
        } else {
            const child = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
            const resourceGroupName = s.resourceGroup!;
            const account = new azure.storage.StorageAccount(
                `${name}-account`,
                {
                    accountName: s.account!,
                    resourceGroupName,
                    location: s.region,
                    kind: "StorageV2",
                    sku: { name: "Standard_ZRS" },
                    enableHttpsTrafficOnly: true,
                    minimumTlsVersion: "TLS1_2",
                    allowBlobPublicAccess: false,
                    // Version-level immutability can only be enabled when the account is created; Azure creates the
                    // policy unlocked, and only an unlocked policy can be locked (store.lock, a second `up`).
                    immutableStorageWithVersioning: {
                        enabled: true,
                        immutabilityPolicy: {
                            immutabilityPeriodSinceCreationInDays: days,
                            state: s.lock ? "Locked" : "Unlocked",
                            allowProtectedAppendWrites: false,
                        },
                    },
                },
                { ...child, protect: true },
            );
            // The configured name, carried by the account's id so the children wait for it.
            const accountName = account.id.apply(() => s.account!);
            new azure.storage.BlobServiceProperties(
                `${name}-blob-service`,
                { accountName, resourceGroupName, blobServicesName: "default", isVersioningEnabled: true },
                child,
            );
            const container = new azure.storage.BlobContainer(
                `${name}-container`,
                { accountName, resourceGroupName, containerName: s.bucket, publicAccess: "None" },
                child,
            );
            // A service SAS on the container only: read, create (a new blob, never an overwrite), list.
            const sas = azure.storage.listStorageAccountServiceSASOutput(
                {
                    accountName,
                    resourceGroupName,
                    canonicalizedResource: pulumi.interpolate`/blob/${accountName}/${container.id.apply(() => s.bucket)}`,
                    resource: "c",
                    permissions: AZURE_JOB_SAS_PERMISSIONS,
                    protocols: "https",
                    sharedAccessExpiryTime: sasExpiry(new Date()),
                },
                { parent: this, ...(args.provider ? { provider: args.provider } : {}) },
            );
            this.credentials = pulumi.secret(sas.serviceSasToken.apply((t) => ({ AZURE_SAS_TOKEN: t })));
            this.bucket = container.id.apply(() => s.bucket);
        }
        this.registerOutputs({ bucket: this.bucket });
    }
}

/**
 * The SAS's expiry: the first of January two years on, so it moves (and the job's Secret changes) once a
 * year, on the first `up` of a new year, not on every run. Revoking it early: rotate the account key.
 */
export function sasExpiry(now: Date): string {
    return `${now.getUTCFullYear() + 2}-01-01T00:00:00Z`;
}
