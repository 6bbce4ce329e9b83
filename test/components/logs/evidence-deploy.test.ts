import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { logqlErrors } from "../../helpers/logql";
import { fleet } from "./alloy/fixtures";
import {
    EVIDENCE_PUSH_USER,
    EVIDENCE_TENANT,
    evidenceAlertExprs,
    evidenceCronJob,
    evidenceImage,
    evidenceStoreSettings,
    s3JobPolicy,
} from "../../../components/logs/evidence-deploy";
import { gatewayAccess } from "../../../components/logs/loki/access";
import { ruleFiles } from "../../../components/logs/loki/ruler";
import { evidenceUrls, renderLogsArtifacts } from "../../../components/logs/render";

const S3 = { type: "s3", bucket: "akko-evidence", region: "eu-west-3" };
const withEvidence = (e: Record<string, unknown> = {}, logs: Record<string, unknown> = {}) =>
    fleet({ ...logs, evidence: { enabled: true, signingKeySecret: "evKey", store: S3, ...e } }, ["evKey", "evOld"]);
const urls = evidenceUrls("akko-audit-logs");

describe("evidence deployment (pure: the CronJob, the store's settings, the status tenant and its rules)", () => {
    it("the CronJob: Forbid, the restricted security context, node running the bundle, history limits, a deadline", () => {
        const cj = evidenceCronJob(withEvidence(), urls, "akko-audit-logs");
        assert.equal(cj.spec.schedule, "*/15 * * * *");
        assert.equal(cj.spec.concurrencyPolicy, "Forbid");
        assert.deepEqual([cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], [3, 5]);
        const job = cj.spec.jobTemplate.spec;
        assert.equal(job.activeDeadlineSeconds, 3000);
        assert.equal(job.backoffLimit, 0);
        const pod = job.template.spec;
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
        const [c] = pod.containers;
        assert.deepEqual(c.command, ["node", "/app/evidence-job.js"]);
        assert.equal(c.image, "docker.io/library/node:22.20.0-alpine3.22");
        assert.deepEqual(c.securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepEqual(pod.volumes[0], { name: "app", configMap: { name: "akko-audit-evidence-job", defaultMode: 0o444 } });
    });

    it("the environment: Loki's in-cluster gateway, the read user, every shipped cluster, the windows, the store; secrets by name only", () => {
        const cj = evidenceCronJob(withEvidence({ previousSigningKeySecret: "evOld" }), urls, "akko-audit-logs");
        const env = cj.spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
        const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
        assert.deepEqual(plain, {
            BACKFILL_LOOKBACK: "24h",
            // Every cluster whose events reach Loki: the fixture's five (the ruler's tenants).
            CLUSTERS: "edge-paris,payments-eu,analytics,hds-sante,ocp-core",
            LATENESS: "15m",
            LOKI_URL: "http://loki-gateway.akko-audit-logs.svc.cluster.local",
            LOKI_USERNAME: "akko-audit",
            STATUS_JOB_LABEL: "akko-audit-evidence",
            STATUS_PUSH_URL: "http://loki-gateway.akko-audit-logs.svc.cluster.local/loki/api/v1/push",
            STATUS_USERNAME: "akko-audit-evidence",
            STORE_BUCKET: "akko-evidence",
            STORE_PATH_STYLE: "false",
            STORE_REGION: "eu-west-3",
            STORE_RETENTION_DAYS: "365",
            STORE_TYPE: "s3",
            WINDOW: "1h",
        });
        assert.deepEqual(
            env.filter((e) => e.valueFrom).map((e) => `${e.name}<-${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`),
            [
                "LOKI_PASSWORD<-akko-audit-evidence/LOKI_PASSWORD",
                "SIGNING_KEY<-akko-audit-evidence/SIGNING_KEY",
                "STATUS_PASSWORD<-akko-audit-evidence/STATUS_PASSWORD",
                "PREVIOUS_SIGNING_KEY<-akko-audit-evidence/PREVIOUS_SIGNING_KEY",
                "AWS_ACCESS_KEY_ID<-akko-audit-evidence/AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY<-akko-audit-evidence/AWS_SECRET_ACCESS_KEY",
            ],
        );
    });

    it("the image follows logs.mirrors.imageRegistry and logs.evidence.image", () => {
        const c = withEvidence({ image: { tag: "22.21.0-alpine3.22" } }, { mirrors: { imageRegistry: "registry.internal:5000/mirror" } });
        assert.equal(evidenceImage(c.logs), "registry.internal:5000/mirror/library/node:22.21.0-alpine3.22");
    });

    it("the job's status push user writes only its own tenant; the read user can read it; nothing changes with evidence off", () => {
        const on = gatewayAccess(withEvidence());
        assert.deepEqual(
            on.pushers.find((p) => p.user === EVIDENCE_PUSH_USER),
            { user: "akko-audit-evidence", tenants: ["akko-audit-evidence"] },
        );
        assert.ok(on.readTenants.includes(EVIDENCE_TENANT));
        const off = gatewayAccess(fleet());
        assert.ok(!off.pushers.some((p) => p.user === EVIDENCE_PUSH_USER) && !off.readTenants.includes(EVIDENCE_TENANT));
        assert.ok(!ruleFiles(fleet()).some((f) => f.tenant === EVIDENCE_TENANT));
    });

    it("the evidence tenant's rules: no successful run over two schedule periods, any failed run; Grafana's LogQL grammar parses them", () => {
        const file = ruleFiles(withEvidence({ schedule: "0 * * * *" })).find((f) => f.tenant === EVIDENCE_TENANT)!;
        const rules = parse(file.content).groups[0].rules as { alert: string; expr: string; labels: Record<string, string> }[];
        assert.deepEqual(
            rules.map((r) => [r.alert, r.expr, r.labels.rule]),
            [
                [
                    "AkkoAuditEvidenceJobSilent",
                    'absent_over_time({job="akko-audit-evidence"} | json | event="run" | status="ok" [120m])',
                    "evidence-job-silent",
                ],
                [
                    "AkkoAuditEvidenceJobFailed",
                    'sum(count_over_time({job="akko-audit-evidence"} | json | event="run" | status="failed" [60m])) > 0',
                    "evidence-job-failed",
                ],
            ],
        );
        for (const r of rules) assert.deepEqual(logqlErrors(r.expr), [], r.expr);
        assert.equal(evidenceAlertExprs(withEvidence().logs).silentFor, "30m");
    });

    it("the S3 job policy allows exactly put, put-retention, get and list: no delete, no governance bypass", () => {
        const p = JSON.parse(s3JobPolicy("arn:aws:s3:::akko-evidence"));
        assert.deepEqual(p.Statement, [
            {
                Sid: "WriteAndReadDigests",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject"],
                Resource: "arn:aws:s3:::akko-evidence/*",
            },
            { Sid: "ListDigests", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::akko-evidence" },
        ]);
        assert.ok(!/Delete|Bypass/.test(JSON.stringify(p)));
    });

    it("store settings for review: the lock, its days (at least Loki's), per store type", () => {
        assert.deepEqual(evidenceStoreSettings(withEvidence({}, { retentionDays: 400 }).logs)?.objectLock, {
            mode: "COMPLIANCE",
            defaultRetentionDays: 400,
        });
        const gcs = evidenceStoreSettings(
            withEvidence({ store: { type: "gcs", bucket: "akko-evidence", region: "EU", project: "akko-audit-prod" } }).logs,
        );
        assert.deepEqual(gcs?.retentionPolicy, { retentionPeriodSeconds: 365 * 86400, isLocked: true });
        const az = evidenceStoreSettings(
            withEvidence({
                store: { type: "azure", bucket: "digests", region: "westeurope", account: "akkoevidence", resourceGroup: "rg-audit", lock: true },
            }).logs,
        );
        assert.deepEqual(az?.immutability, { scope: "account (version-level)", periodDays: 365, state: "Locked", allowProtectedAppendWrites: false });
    });

    it("render: the evidence tenant's rule file, the CronJob and the store's settings, no secret value", () => {
        const files = renderLogsArtifacts(withEvidence());
        const evidence = files.filter((f) => /evidence/.test(f.path)).map((f) => f.path);
        assert.deepEqual(evidence, ["logs/rules/akko-audit-evidence.yaml", "logs/evidence/cronjob.yaml", "logs/evidence/store.yaml"]);
        const cj = parse(files.find((f) => f.path === "logs/evidence/cronjob.yaml")!.content);
        assert.equal(cj.kind, "CronJob");
        assert.equal(cj.metadata.namespace, "akko-audit-logs");
        assert.ok(!files.some((f) => f.content.includes("[secret]")));
        assert.ok(!renderLogsArtifacts(fleet()).some((f) => /evidence/.test(f.path)));
    });
});
