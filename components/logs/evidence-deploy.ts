import { stringify } from "yaml";
import { cronMaxGapMinutes, DEFAULT_EVIDENCE_IMAGE, durationMs, EVIDENCE_STATUS_TENANT, evidenceRetentionDays } from "../config/evidence";
import type { LogsConfig } from "../config/logs";
import type { StackConfig } from "../config/stack";
import { platformOf } from "../platforms";

/**
 * The evidence job's deployment, as data: names, the CronJob, the store's settings and the job's identity,
 * the rule file that makes its failures visible. Pure (no provider SDK): `render` writes the same objects
 * the components create.
 */

/** Loki tenant the job pushes one status line per run into (its own tenant: no cluster's trail is touched). */
export const EVIDENCE_TENANT = EVIDENCE_STATUS_TENANT;
/** Gateway push user of the job's status lines: writes EVIDENCE_TENANT only (generated password, like every push user). */
export const EVIDENCE_PUSH_USER = "akko-audit-evidence";
/** Name of the CronJob, its ConfigMap (the bundled job) and its Secret (keys, credentials, passwords). */
export const EVIDENCE_JOB_NAME = "akko-audit-evidence";
export const EVIDENCE_CONFIGMAP = "akko-audit-evidence-job";
export const EVIDENCE_SECRET = "akko-audit-evidence";
/** The bundle's file name in the ConfigMap, mounted read-only at APP_DIR. */
export const EVIDENCE_BUNDLE_FILE = "evidence-job.js";
export const EVIDENCE_APP_DIR = "/app";
/** The node image's unprivileged user (uid and gid 1000 in the official node images). */
export const EVIDENCE_RUN_AS = 1000;
/** A run is stopped after this long; the next scheduled run carries on where the chain ends. */
export const EVIDENCE_ACTIVE_DEADLINE_SECONDS = 50 * 60;
/** The stream label of the job's status lines (in EVIDENCE_TENANT). */
export const EVIDENCE_STATUS_JOB_LABEL = "akko-audit-evidence";

/**
 * The job's environment: plain values in the manifest, secret ones from EVIDENCE_SECRET by key (the names are
 * components/logs/evidence/job.ts's contract; the values never appear in a manifest or render).
 */
export const EVIDENCE_SECRET_ENV = [
    "LOKI_PASSWORD",
    "SIGNING_KEY",
    "PREVIOUS_SIGNING_KEY",
    "STATUS_PASSWORD",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "GCS_SERVICE_ACCOUNT_KEY",
    "AZURE_SAS_TOKEN",
] as const;
export type EvidenceSecretEnv = (typeof EVIDENCE_SECRET_ENV)[number];

/** The clusters the job writes chains for: every cluster whose events reach Loki (the ruler's tenants). */
export function evidenceClusters(config: StackConfig): string[] {
    return config.clusters.filter((c) => platformOf(c).logsRoute(c, config).via !== "none").map((c) => c.name);
}

/** The job's image reference: logs.evidence.image over the pinned default, from the mirror when one is set. */
export function evidenceImage(logs: LogsConfig): string {
    const i = logs.evidence.image;
    const repository = i?.repository ?? DEFAULT_EVIDENCE_IMAGE.repository;
    const tag = i?.tag ?? DEFAULT_EVIDENCE_IMAGE.tag;
    return `${logs.mirrors.imageRegistry ?? "docker.io"}/${repository}:${tag}`;
}

/** Which secret env entries the stack's job gets (a key only when there is a value for it). */
export function evidenceSecretKeys(logs: LogsConfig): EvidenceSecretEnv[] {
    const e = logs.evidence;
    const keys: EvidenceSecretEnv[] = ["LOKI_PASSWORD", "SIGNING_KEY", "STATUS_PASSWORD"];
    if (e.previousSigningKeySecret) keys.push("PREVIOUS_SIGNING_KEY");
    const type = e.store?.type;
    if (type === "s3") keys.push("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    if (type === "gcs") keys.push("GCS_SERVICE_ACCOUNT_KEY");
    if (type === "azure") keys.push("AZURE_SAS_TOKEN");
    return keys;
}

/** The job's plain environment (no secret): where Loki and the store are, which clusters, the windows. */
export function evidenceEnv(config: StackConfig, urls: { lokiUrl: string; pushUrl: string }): Record<string, string> {
    const logs = config.logs;
    const e = logs.evidence;
    const s = e.store;
    const env: Record<string, string> = {
        LOKI_URL: urls.lokiUrl,
        LOKI_USERNAME: logs.gatewayUser,
        CLUSTERS: evidenceClusters(config).join(","),
        WINDOW: e.window,
        LATENESS: e.lateness,
        BACKFILL_LOOKBACK: e.backfillLookback,
        STATUS_PUSH_URL: urls.pushUrl,
        STATUS_USERNAME: EVIDENCE_PUSH_USER,
        STATUS_JOB_LABEL: EVIDENCE_STATUS_JOB_LABEL,
        STORE_RETENTION_DAYS: String(evidenceRetentionDays(logs)),
    };
    if (s) {
        env.STORE_TYPE = s.type;
        // job.ts reads an Azure container as STORE_CONTAINER, a bucket as STORE_BUCKET.
        env[s.type === "azure" ? "STORE_CONTAINER" : "STORE_BUCKET"] = s.bucket;
        env.STORE_REGION = s.region;
        if (s.endpoint) env.STORE_ENDPOINT = s.endpoint;
        if (s.type === "s3") env.STORE_PATH_STYLE = String(s.pathStyle ?? s.endpoint !== undefined);
        if (s.account) env.STORE_ACCOUNT = s.account;
    }
    return env;
}

/**
 * The CronJob: Forbid (two runs would race for the same next digest; putOnce would stop one, but the
 * duplicate work and failure lines are noise), the restricted Pod Security profile (non-root, read-only
 * root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp), no service-account
 * token (it never calls the Kubernetes API), the bundle read-only from the ConfigMap.
 */
export function evidenceCronJob(config: StackConfig, urls: { lokiUrl: string; pushUrl: string }, namespace: string): Record<string, any> {
    const logs = config.logs;
    const plain = Object.entries(evidenceEnv(config, urls))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value }));
    const secret = evidenceSecretKeys(logs).map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: EVIDENCE_SECRET, key } } }));
    const labels = { "app.kubernetes.io/name": EVIDENCE_JOB_NAME, "app.kubernetes.io/part-of": "akko-audit" };
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: EVIDENCE_JOB_NAME, namespace, labels },
        spec: {
            schedule: logs.evidence.schedule,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 300,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 5,
            jobTemplate: {
                metadata: { labels },
                spec: {
                    // A failed run is not retried in place: the next scheduled one resumes from the chain's end.
                    backoffLimit: 0,
                    activeDeadlineSeconds: EVIDENCE_ACTIVE_DEADLINE_SECONDS,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: EVIDENCE_RUN_AS,
                                runAsGroup: EVIDENCE_RUN_AS,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            containers: [
                                {
                                    name: "evidence",
                                    image: evidenceImage(logs),
                                    command: ["node", `${EVIDENCE_APP_DIR}/${EVIDENCE_BUNDLE_FILE}`],
                                    env: [...plain, ...secret],
                                    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        runAsNonRoot: true,
                                        capabilities: { drop: ["ALL"] },
                                        seccompProfile: { type: "RuntimeDefault" },
                                    },
                                    volumeMounts: [
                                        { name: "app", mountPath: EVIDENCE_APP_DIR, readOnly: true },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "app", configMap: { name: EVIDENCE_CONFIGMAP, defaultMode: 0o444 } },
                                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                            ],
                        },
                    },
                },
            },
        },
    };
}

/** S3 actions the job's IAM user is allowed: write new objects with their retention, read and list. Nothing else (no Delete*, no BypassGovernanceRetention). */
export const S3_JOB_OBJECT_ACTIONS = ["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject"] as const;
export const S3_JOB_BUCKET_ACTIONS = ["s3:ListBucket"] as const;
/** GCS roles of the job's service account on the bucket: create objects (never overwrite or delete: objectCreator has no delete) and read them. */
export const GCS_JOB_ROLES = ["roles/storage.objectCreator", "roles/storage.objectViewer"] as const;
/** Azure service SAS permissions of the job on the container: read, create (a new blob only, no overwrite), list. No write, no delete. */
export const AZURE_JOB_SAS_PERMISSIONS = "rcl";

/** The IAM policy of the S3 job user (JSON), on the bucket's ARN. */
export function s3JobPolicy(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "WriteAndReadDigests", Effect: "Allow", Action: [...S3_JOB_OBJECT_ACTIONS], Resource: `${bucketArn}/*` },
            { Sid: "ListDigests", Effect: "Allow", Action: [...S3_JOB_BUCKET_ACTIONS], Resource: bucketArn },
        ],
    });
}

/** What the program sets on the store, for review (render's logs/evidence/store.yaml). */
export function evidenceStoreSettings(logs: LogsConfig): Record<string, unknown> | undefined {
    const s = logs.evidence.store;
    if (!s) return undefined;
    const days = evidenceRetentionDays(logs);
    const common = { bucket: s.bucket, region: s.region, retentionDays: days, lokiRetentionDays: logs.retentionDays };
    if (s.type === "s3")
        return {
            type: "s3",
            ...common,
            ...(s.endpoint ? { endpoint: s.endpoint } : {}),
            objectLockEnabled: true,
            versioning: "Enabled",
            objectLock: { mode: "COMPLIANCE", defaultRetentionDays: days },
            publicAccessBlock: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            encryption: "SSE-S3 (AES256)",
            // An S3-compatible server has no AWS IAM: the job uses the operator's user (store.credentialsSecret).
            jobIdentity: s.endpoint
                ? { operatorUser: "store.credentialsSecret", shouldAllowOnly: [...S3_JOB_OBJECT_ACTIONS, ...S3_JOB_BUCKET_ACTIONS] }
                : { iamUser: true, allow: { [`${s.bucket}/*`]: [...S3_JOB_OBJECT_ACTIONS], [s.bucket]: [...S3_JOB_BUCKET_ACTIONS] } },
        };
    if (s.type === "gcs")
        return {
            type: "gcs",
            ...common,
            project: s.project,
            retentionPolicy: { retentionPeriodSeconds: days * 86400, isLocked: true },
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            jobIdentity: { serviceAccount: true, roles: [...GCS_JOB_ROLES] },
        };
    return {
        type: "azure",
        ...common,
        account: s.account,
        resourceGroup: s.resourceGroup,
        httpsOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        blobVersioning: true,
        immutability: {
            scope: "account (version-level)",
            periodDays: days,
            state: s.lock ? "Locked" : "Unlocked",
            allowProtectedAppendWrites: false,
        },
        jobIdentity: { serviceSas: { container: s.bucket, permissions: AZURE_JOB_SAS_PERMISSIONS } },
    };
}

/** Minutes between two runs at most (the schedule was validated: it runs at least once a day). */
function scheduleGapMinutes(logs: LogsConfig): number {
    return cronMaxGapMinutes(logs.evidence.schedule) ?? 24 * 60;
}

/** The expressions of the job's two alerts: no successful run over two schedule periods, and any failed run. */
export function evidenceAlertExprs(logs: LogsConfig): { silent: string; failed: string; silentFor: string } {
    const sel = `{job="${EVIDENCE_STATUS_JOB_LABEL}"} | json | event="run"`;
    const gap = scheduleGapMinutes(logs);
    const silentFor = `${2 * gap}m`;
    // A failure line stays visible for one period (then the next run's line decides).
    return {
        silent: `absent_over_time(${sel} | status="ok" [${silentFor}])`,
        failed: `sum(count_over_time(${sel} | status="failed" [${gap}m])) > 0`,
        silentFor,
    };
}

/**
 * The job's status lines have their own tenant (EVIDENCE_TENANT), so its rules are a file of their own.
 * The lines are what the job pushes, one per run: {"event":"run","status":"ok"|"failed",...}.
 */
export function evidenceRuleFile(logs: LogsConfig, evaluationInterval: string): string {
    const x = evidenceAlertExprs(logs);
    const rule = (alert: string, id: string, expr: string, summary: string, description: string) => ({
        alert,
        expr,
        for: "0m",
        labels: { severity: "high", rule: id },
        annotations: { summary, description },
    });
    const groups = [
        {
            name: "akko-audit-evidence",
            interval: evaluationInterval,
            rules: [
                rule(
                    "AkkoAuditEvidenceJobSilent",
                    "evidence-job-silent",
                    x.silent,
                    `No successful tamper-evidence run for ${x.silentFor}`,
                    "The evidence CronJob has not reported a successful run for two schedule periods: windows are closing without signed digests. " +
                        "Check `kubectl -n " +
                        logs.namespace +
                        ` get cronjob ${EVIDENCE_JOB_NAME}` +
                        "` and its last Job's logs.",
                ),
                rule(
                    "AkkoAuditEvidenceJobFailed",
                    "evidence-job-failed",
                    x.failed,
                    "A tamper-evidence run failed",
                    "The evidence job reported a failure (Loki or the store unreachable, a digest name already taken, fewer entries than a digest recorded). " +
                        "Its status line names the cluster and the reason.",
                ),
            ],
        },
    ];
    return stringify({ groups }, { lineWidth: 0 });
}

/** Durations in milliseconds (the job's windows), for callers that compute with them. */
export function evidenceDurations(logs: LogsConfig): { windowMs: number; latenessMs: number; backfillLookbackMs: number } {
    const e = logs.evidence;
    return { windowMs: durationMs(e.window), latenessMs: durationMs(e.lateness), backfillLookbackMs: durationMs(e.backfillLookback) };
}

/** render's files for the evidence deployment (none when it is off): the CronJob and the store's settings. */
export function evidenceArtifacts(
    config: StackConfig,
    urls: { lokiUrl: string; pushUrl: string },
): { path: string; content: string; description: string }[] {
    if (!config.logs.evidence.enabled) return [];
    const store = evidenceStoreSettings(config.logs);
    return [
        {
            path: "logs/evidence/cronjob.yaml",
            content: stringify(evidenceCronJob(config, urls, config.logs.namespace), { lineWidth: 0 }),
            description: "tamper-evidence CronJob (schedule, image, environment; secrets by name only)",
        },
        ...(store
            ? [
                  {
                      path: "logs/evidence/store.yaml",
                      content: stringify(store, { lineWidth: 0 }),
                      description: "tamper-evidence store: retention lock, encryption, public access, the job's exact permissions",
                  },
              ]
            : []),
    ];
}
