import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { mockInvokes } from "../../helpers/invoke-mocks";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { fleet } from "./alloy/fixtures";
import { signingKey } from "../../../components/logs/evidence";

// The engine and the AWS, GCP, Azure and Kubernetes providers cannot run here: the real SDK runs under
// setMocks and records what would be registered (the lock settings asserted are those this program sends).
type Store = typeof import("../../../components/logs/evidence-store");
type Layer = typeof import("../../../components/logs/logs-layer");

const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const KEY = pem();
const OLD = pem();
const values: Record<string, string> = {
    lokiPw: "gw-pa55",
    kc: "kubeconfig",
    fhKey: "fh-key-1",
    gcpKey: '{"type":"service_account"}',
    ehConn: "Endpoint=sb://x/;SharedAccessKey=k",
    evKey: KEY,
    evOld: OLD,
    rsaKey: generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
};
const secret = (k: string) => pulumi.secret(values[k]);
const S3 = { type: "s3", bucket: "akko-evidence", region: "eu-west-3" } as const;
/** The Output's failure message (Output.promise() is the SDK's own way to await; a rejection is what fails `pulumi up`). */
const failure = (o: pulumi.Output<unknown>) =>
    (o as unknown as { promise(): Promise<unknown> }).promise().then(
        () => undefined,
        (e: Error) => e.message,
    );
const BUNDLE = "/* bundled evidence job (test stand-in: bundle.ts builds the real one) */\n";

describe("evidence components (Pulumi mocks)", () => {
    let run: MockRun;
    let store: Store;
    let layer: Layer;

    beforeEach(async () => {
        run = await setupMocks({
            outputs: (type, name) => {
                if (type === "aws:iam/accessKey:AccessKey") return { secret: "aws-secret-key" };
                if (type === "aws:s3/bucket:Bucket") return { arn: "arn:aws:s3:::akko-evidence" };
                if (type === "gcp:serviceaccount/key:Key")
                    return { privateKey: Buffer.from('{"type":"service_account","private_key":"k"}').toString("base64") };
                if (type === "gcp:serviceaccount/account:Account") return { email: "akko-audit-evidence@akko-audit-prod.iam.gserviceaccount.com" };
                if (type === "random:index/randomPassword:RandomPassword") return { result: `pw-${name}` };
                return {};
            },
        });
        store = await import("../../../components/logs/evidence-store.js");
        layer = await import("../../../components/logs/logs-layer.js");
    });

    it("S3: Object Lock at creation, COMPLIANCE default retention, versioning, public access blocked, SSE; the job's IAM user may only put, get and list", async () => {
        const s = new store.EvidenceStore("ev", { store: { ...S3, lock: false }, retentionDays: 400 });
        await settle();
        const bucket = run.one("aws:s3/bucket:Bucket", "ev-bucket");
        assert.deepEqual(
            [bucket.inputs.bucket, bucket.inputs.objectLockEnabled, bucket.inputs.forceDestroy, bucket.protect],
            ["akko-evidence", true, false, true],
        );
        assert.deepEqual(run.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "ev-lock").inputs.rule, {
            defaultRetention: { mode: "COMPLIANCE", days: 400 },
        });
        assert.deepEqual(run.one("aws:s3/bucketVersioning:BucketVersioning", "ev-versioning").inputs.versioningConfiguration, { status: "Enabled" });
        const pab = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ev-public-access").inputs;
        assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
        assert.deepEqual(
            run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "ev-sse").inputs.rules[0]
                .applyServerSideEncryptionByDefault,
            { sseAlgorithm: "AES256" },
        );
        const policy = JSON.parse(run.one("aws:iam/userPolicy:UserPolicy", "ev-job-policy").inputs.policy);
        assert.deepEqual(
            policy.Statement.map((st: any) => [st.Action, st.Resource]),
            [
                [["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject"], "arn:aws:s3:::akko-evidence/*"],
                [["s3:ListBucket"], "arn:aws:s3:::akko-evidence"],
            ],
        );
        assert.equal(run.one("pulumi:providers:aws", "ev-aws").inputs.region, "eu-west-3");
        const creds = await resolve(s.credentials);
        assert.equal(creds.secret, true);
        assert.deepEqual(creds.value, { AWS_ACCESS_KEY_ID: "ev-job-key-id", AWS_SECRET_ACCESS_KEY: "aws-secret-key" });
    });

    it("S3-compatible (MinIO): the bucket and its lock through the endpoint, no IAM; the operator's credentials, refused without the value when malformed", async () => {
        const s = new store.EvidenceStore("ev", {
            store: { ...S3, region: "us-east-1", endpoint: "https://minio.internal:9000", lock: false },
            retentionDays: 365,
            s3CompatibleCredentials: pulumi.secret("minio-id:minio-secret"),
        });
        await settle();
        const p = run.one("pulumi:providers:aws", "ev-aws").inputs;
        assert.deepEqual([JSON.parse(p.endpoints)[0].s3, p.s3UsePathStyle], ["https://minio.internal:9000", "true"]);
        assert.deepEqual(run.byType("aws:iam/user:User"), []);
        assert.deepEqual((await resolve(s.credentials)).value, { AWS_ACCESS_KEY_ID: "minio-id", AWS_SECRET_ACCESS_KEY: "minio-secret" });
        const bad = new store.EvidenceStore("bad", {
            store: { ...S3, region: "us-east-1", endpoint: "https://minio.internal:9000", lock: false },
            retentionDays: 365,
            s3CompatibleCredentials: pulumi.secret("no-colon-here"),
        });
        assert.equal(await failure(bad.credentials), 'EvidenceStore "bad": store.credentialsSecret is not "ACCESS_KEY_ID:SECRET_ACCESS_KEY"');
    });

    it("GCS: a locked retention policy of the days in seconds, uniform access, public access prevented; the job's account creates and reads only", async () => {
        const s = new store.EvidenceStore("ev", {
            store: { type: "gcs", bucket: "akko-evidence", region: "EU", project: "akko-audit-prod", lock: false },
            retentionDays: 365,
        });
        await settle();
        const b = run.one("gcp:storage/bucket:Bucket", "ev-bucket").inputs;
        assert.deepEqual(b.retentionPolicy, { retentionPeriod: String(365 * 86400), isLocked: true });
        assert.deepEqual([b.uniformBucketLevelAccess, b.publicAccessPrevention, b.location, b.project], [true, "enforced", "EU", "akko-audit-prod"]);
        assert.deepEqual(
            run.byType("gcp:storage/bucketIAMMember:BucketIAMMember").map((r) => [r.inputs.role, r.inputs.member]),
            [
                ["roles/storage.objectCreator", "serviceAccount:akko-audit-evidence@akko-audit-prod.iam.gserviceaccount.com"],
                ["roles/storage.objectViewer", "serviceAccount:akko-audit-evidence@akko-audit-prod.iam.gserviceaccount.com"],
            ],
        );
        const creds = await resolve(s.credentials);
        assert.deepEqual([creds.secret, creds.value], [true, { GCS_SERVICE_ACCOUNT_KEY: '{"type":"service_account","private_key":"k"}' }]);
    });

    it("Azure: HTTPS only, TLS 1.2, version-level immutability (locked with store.lock), versioning on; a service SAS that reads, creates and lists only", async () => {
        const sas = mockInvokes({ "azure-native:storage:listStorageAccountServiceSAS": () => ({ serviceSasToken: "sv=2024&sp=rcl&sig=x" }) });
        try {
            const s = new store.EvidenceStore("ev", {
                store: { type: "azure", bucket: "digests", region: "westeurope", account: "akkoevidence", resourceGroup: "rg-audit", lock: true },
                retentionDays: 365,
            });
            await settle();
            const a = run.one("azure-native:storage:StorageAccount", "ev-account").inputs;
            assert.deepEqual([a.enableHttpsTrafficOnly, a.minimumTlsVersion, a.allowBlobPublicAccess], [true, "TLS1_2", false]);
            assert.deepEqual(a.immutableStorageWithVersioning, {
                enabled: true,
                immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 365, state: "Locked", allowProtectedAppendWrites: false },
            });
            assert.equal(run.one("azure-native:storage:BlobServiceProperties", "ev-blob-service").inputs.isVersioningEnabled, true);
            const creds = await resolve(s.credentials);
            assert.deepEqual([creds.secret, creds.value], [true, { AZURE_SAS_TOKEN: "sv=2024&sp=rcl&sig=x" }]);
            const call = sas.calls[0].inputs;
            assert.deepEqual(
                [call.permissions, call.resource, call.protocols, call.canonicalizedResource],
                ["rcl", "c", "https", "/blob/akkoevidence/digests"],
            );
            assert.equal(store.sasExpiry(new Date("2026-12-02T16:00:00Z")), "2028-01-01T00:00:00Z");
        } finally {
            sas.restore();
        }
    });

    it("LogsLayer with evidence: the store, the job's Secret (secret, every key the CronJob names), the bundle's ConfigMap, the CronJob; public keys out", async () => {
        const config = fleet({ evidence: { enabled: true, signingKeySecret: "evKey", previousSigningKeySecret: "evOld", store: S3 } }, [
            "evKey",
            "evOld",
        ]);
        const l = new layer.LogsLayer("audit", { config, secret, evidenceBundle: () => BUNDLE });
        await settle();
        assert.ok(run.one("akko:audit:EvidenceStore", "audit-evidence-store"));
        const sec = run.one("kubernetes:core/v1:Secret", "audit-evidence-secret");
        assert.deepEqual(sec.secretInputs, ["stringData"]);
        assert.deepEqual(Object.keys(sec.inputs.stringData).sort(), [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "LOKI_PASSWORD",
            "PREVIOUS_SIGNING_KEY",
            "SIGNING_KEY",
            "STATUS_PASSWORD",
        ]);
        assert.deepEqual(
            [sec.inputs.stringData.SIGNING_KEY, sec.inputs.stringData.LOKI_PASSWORD, sec.inputs.stringData.STATUS_PASSWORD],
            [KEY, "gw-pa55", "pw-audit-akko-audit-evidence"],
        );
        assert.deepEqual(run.one("kubernetes:core/v1:ConfigMap", "audit-evidence-code").inputs.data, { "evidence-job.js": BUNDLE });
        const cj = run.one("kubernetes:batch/v1:CronJob", "audit-evidence-cronjob");
        assert.equal(cj.inputs.spec.concurrencyPolicy, "Forbid");
        assert.ok(!JSON.stringify(cj.inputs).includes("gw-pa55") && !JSON.stringify(cj.inputs).includes("PRIVATE KEY"));
        assert.ok(cj.dependencies.includes(sec.urn));
        const keys = await resolve(l.evidencePublicKeys!);
        assert.equal(keys.secret, false);
        assert.deepEqual(keys.value, [signingKey(KEY).publicKey, signingKey(OLD).publicKey]);
        // The gateway knows the job's push user (its htpasswd line, generated password).
        assert.ok(run.byType("random:index/randomPassword:RandomPassword").some((r) => r.name === "audit-akko-audit-evidence"));
    });

    it("a signing key that is not Ed25519 stops the preview in one line naming the field and the key, never the value", async () => {
        const config = fleet({ evidence: { enabled: true, signingKeySecret: "rsaKey", store: S3 } }, ["rsaKey"]);
        const l = new layer.LogsLayer("audit", { config, secret, evidenceBundle: () => BUNDLE });
        const err = await failure(l.evidencePublicKeys!);
        assert.equal(
            err,
            "akko-audit:logs: field evidence.signingKeySecret: secret akko-audit:rsaKey is a rsa key; allowed: Ed25519 only; allowed: an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)",
        );
    });
});
