import { strict as assert } from "node:assert";
import { configProblems } from "../../helpers/config";
import { cronMaxGapMinutes, evidenceRetentionDays, validateStackConfig } from "../../../components/config";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";
const k3s = { name: "edge", kind: "k3s", sshPrivateKeySecret: "sshKey", servers: [{ host: "192.0.2.10", hostKey: HOST_KEY }] };
const S3 = { type: "s3", bucket: "akko-evidence", region: "eu-west-3" };

function raw(logs: Record<string, unknown>, secretKeys: string[] = ["sshKey", "lokiPw", "kc", "evKey", "evOld", "minio"]) {
    const values: Record<string, unknown> = { clusters: [k3s], logs: { kubeconfigSecret: "kc", gatewayPasswordSecret: "lokiPw", ...logs } };
    for (const k of secretKeys) values[k] = "[secret]";
    return { stack: "test", values, secretKeys: new Set(secretKeys) };
}
const problems = (logs: Record<string, unknown>) => configProblems(() => validateStackConfig(raw(logs)));
const evidence = (e: Record<string, unknown>, logs: Record<string, unknown> = {}) =>
    problems({ ...logs, evidence: { enabled: true, signingKeySecret: "evKey", store: S3, ...e } });

describe("config: logs.evidence", () => {
    it("documented defaults: off, 1h windows, 15m lateness, 24h backfill, every 15 minutes; retention the larger of Loki's and 365 days", () => {
        const c = validateStackConfig(raw({}));
        assert.deepEqual(c.logs.evidence, { enabled: false, window: "1h", lateness: "15m", backfillLookback: "24h", schedule: "*/15 * * * *" });
        assert.equal(evidenceRetentionDays(c.logs), 365);
        assert.equal(evidenceRetentionDays(validateStackConfig(raw({ retentionDays: 400 })).logs), 400);
        assert.equal(evidenceRetentionDays(validateStackConfig(raw({ evidence: { retentionDays: 30 } })).logs), 30);
    });

    it("an enabled block with an S3 store and a key is valid, and names its secret keys", () => {
        const c = validateStackConfig(raw({ evidence: { enabled: true, signingKeySecret: "evKey", previousSigningKeySecret: "evOld", store: S3 } }));
        assert.ok(c.secretKeys.includes("evKey") && c.secretKeys.includes("evOld"));
    });

    it("retention shorter than Loki's is refused in one line naming the field, the value and what is allowed", () => {
        assert.deepEqual(evidence({ retentionDays: 60 }, { retentionDays: 90 }), [
            "akko-audit:logs: field evidence.retentionDays: got 60; allowed: at least logs.retentionDays (90): the evidence must outlive the events it covers",
        ]);
    });

    it("enabled without a key or a store: one line each", () => {
        assert.deepEqual(problems({ evidence: { enabled: true } }), [
            "akko-audit:logs: field evidence.signingKeySecret: got undefined; allowed: the name of a secret config key with an Ed25519 PKCS#8 PEM private key (required when evidence.enabled)",
            "akko-audit:logs: field evidence.store: got undefined; allowed: {type: s3 | gcs | azure, bucket, region, ...} (required when evidence.enabled)",
        ]);
    });

    it("a signing key that is not set, or set in plain text, is refused like every secret reference", () => {
        assert.deepEqual(evidence({ signingKeySecret: "nokey" }), [
            'akko-audit:logs: field evidence.signingKeySecret: got "nokey", but akko-audit:nokey is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:nokey`',
        ]);
    });

    it("bad durations, schedules and store fields: the allowed text", () => {
        assert.deepEqual(evidence({ window: "7m" }), [
            'akko-audit:logs: field evidence.window: got "7m"; allowed: a duration such as 1h (m, h or d) from 5m to 24h, dividing 24h',
        ]);
        assert.deepEqual(evidence({ lateness: "15 minutes" }), [
            'akko-audit:logs: field evidence.lateness: got "15 minutes"; allowed: a duration such as 15m (m, h or d) from 1m to 24h',
        ]);
        const cron =
            'allowed: a five-field cron schedule (minute hour day-of-month month day-of-week) such as "*/15 * * * *", running at least once every 24h';
        assert.deepEqual(evidence({ schedule: "@hourly" }), [`akko-audit:logs: field evidence.schedule: got "@hourly"; ${cron}`]);
        // Weekly: two runs a week apart leave a week without digests.
        assert.deepEqual(evidence({ schedule: "0 3 * * 1" }), [`akko-audit:logs: field evidence.schedule: got "0 3 * * 1"; ${cron}`]);
        assert.deepEqual(evidence({ store: { ...S3, type: "minio" } }), [
            'akko-audit:logs: field evidence.store.type: got "minio"; allowed: s3 | gcs | azure',
        ]);
        assert.deepEqual(evidence({ store: { type: "gcs", bucket: "akko-evidence", region: "EU" } }), [
            "akko-audit:logs: field evidence.store.project: got undefined; allowed: a GCP project id (required with store.type gcs)",
        ]);
        assert.deepEqual(evidence({ store: { type: "azure", bucket: "digests", region: "westeurope", project: "my-project-123" } }), [
            'akko-audit:logs: field evidence.store.project: got "my-project-123"; allowed: only with store.type gcs (type is azure)',
            "akko-audit:logs: field evidence.store.account: got undefined; allowed: a storage account name: 3-24 lowercase letters and digits (required with store.type azure)",
            "akko-audit:logs: field evidence.store.resourceGroup: got undefined; allowed: an existing resource group name (required with store.type azure)",
        ]);
        assert.deepEqual(evidence({ store: { ...S3, endpoint: "https://minio.internal:9000" } }), [
            'akko-audit:logs: field evidence.store.credentialsSecret: got undefined; allowed: the name of a secret config key with "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (required with store.endpoint)',
        ]);
        const minio = { ...S3, endpoint: "https://minio.internal:9000", credentialsSecret: "minio", region: "us-east-1" };
        const ok = validateStackConfig(raw({ evidence: { enabled: true, signingKeySecret: "evKey", store: minio } }));
        assert.ok(ok.secretKeys.includes("minio"));
        assert.deepEqual(evidence({ store: { ...S3, lock: true } }), [
            "akko-audit:logs: field evidence.store.lock: got true; allowed: only with store.type azure (S3 and GCS are locked when created)",
        ]);
        assert.deepEqual(evidence({ previousSigningKeySecret: "evKey" }), [
            'akko-audit:logs: field evidence.previousSigningKeySecret: got "evKey"; allowed: a secret other than signingKeySecret (the outgoing key)',
        ]);
    });

    it("no cluster may be named after the evidence job's own Loki tenant while evidence is on", () => {
        const values = raw({ evidence: { enabled: true, signingKeySecret: "evKey", store: S3 } });
        values.values.clusters = [{ ...k3s, name: "akko-audit-evidence" }];
        assert.deepEqual(
            configProblems(() => validateStackConfig(values)),
            [
                'akko-audit:clusters[0] (cluster "akko-audit-evidence", kind k3s): field name: got "akko-audit-evidence"; allowed: another name while logs.evidence is on (its status lines have that Loki tenant)',
            ],
        );
    });

    it("cronMaxGapMinutes: the longest wait between two runs, cron's day rule included", () => {
        assert.equal(cronMaxGapMinutes("*/15 * * * *"), 15);
        assert.equal(cronMaxGapMinutes("5 * * * *"), 60);
        assert.equal(cronMaxGapMinutes("0 */6 * * *"), 360);
        // 17:30 to 08:00 the next day.
        assert.equal(cronMaxGapMinutes("0,30 8-17 * * *"), 14 * 60 + 30);
        assert.equal(cronMaxGapMinutes("0 0 * * 1-5"), 3 * 24 * 60);
        assert.equal(cronMaxGapMinutes("0 0 1 * 0"), 7 * 24 * 60);
        assert.equal(cronMaxGapMinutes("61 * * * *"), undefined);
        assert.equal(cronMaxGapMinutes("* * *"), undefined);
    });
});
