import { z } from "zod";
import { allowed, intInRange, oneOf, secretRef, strictObject } from "./fields";
import { parseDuration } from "./duration";

/** Where the digests live: object storage under a retention lock the program sets (issue 15). */
/** Loki tenant of the evidence job's status lines: no cluster may take this name while evidence is on. */
export const EVIDENCE_STATUS_TENANT = "akko-audit-evidence";
export const EVIDENCE_STORE_TYPES = ["s3", "gcs", "azure"] as const;
export type EvidenceStoreType = (typeof EVIDENCE_STORE_TYPES)[number];
/** Digests are kept at least this long (a year of evidence for an audit cycle), and never less than Loki keeps events. */
export const MIN_DEFAULT_EVIDENCE_RETENTION_DAYS = 365;
export const DEFAULT_EVIDENCE_WINDOW = "1h";
export const DEFAULT_EVIDENCE_LATENESS = "15m";
export const DEFAULT_EVIDENCE_BACKFILL_LOOKBACK = "24h";
export const DEFAULT_EVIDENCE_SCHEDULE = "*/15 * * * *";
/**
 * The job's image: Node 22 (the bundle targets node22; Node's built-in crypto and fetch are all it needs),
 * pinned so a second `pulumi up` changes nothing. With logs.mirrors.imageRegistry it is pulled from there.
 */
export const DEFAULT_EVIDENCE_IMAGE = { repository: "library/node", tag: "22.20.0-alpine3.22" } as const;
/** The longest time between two runs the schedule may leave (the silence alert waits two of them). */
export const MAX_SCHEDULE_GAP_MINUTES = 24 * 60;

const DURATION = /^([1-9]\d{0,4})(m|h|d)$/;

/** Milliseconds of a duration such as 15m, 1h, 2d (the forms this block accepts). */
export function durationMs(text: string): number {
    if (!DURATION.test(text)) throw new Error(`not a duration: ${text}`);
    return parseDuration(text)!;
}

function duration(text: string, min: string, max: string, extra?: { test: (ms: number) => boolean; text: string }) {
    const what = `a duration such as ${text} (m, h or d) from ${min} to ${max}${extra ? `, ${extra.text}` : ""}`;
    return z
        .string(allowed(what))
        .regex(DURATION, allowed(what))
        .refine((v) => {
            // The regex already refused other forms (zod runs every check): one line, not two.
            if (!DURATION.test(v)) return true;
            const ms = durationMs(v);
            return ms >= durationMs(min) && ms <= durationMs(max) && (!extra || extra.test(ms));
        }, allowed(what));
}

const CRON_FIELDS: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
];
const CRON_PART = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?$/;

/** The values one cron field matches, or undefined when the field is not valid. */
function cronField(text: string, [lo, hi]: [number, number]): Set<number> | undefined {
    const out = new Set<number>();
    for (const part of text.split(",")) {
        if (!CRON_PART.test(part)) return undefined;
        const [range, stepText] = part.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        const [a, end] = range === "*" ? [lo, hi] : range.split("-").map(Number);
        const b = end ?? (stepText === undefined ? a : hi);
        if (step < 1 || a < lo || b > hi || a > b) return undefined;
        for (let v = a; v <= b; v += step) out.add(v);
    }
    return out;
}

/**
 * The longest time between two runs of a five-field cron schedule (minute hour day-of-month month
 * day-of-week, as Kubernetes CronJobs read it), in minutes, over a leap year's runs; undefined when it is not
 * such a schedule. The silence alert is sized from it.
 */
export function cronMaxGapMinutes(schedule: string): number | undefined {
    const parts = schedule.trim().split(/\s+/);
    if (parts.length !== 5) return undefined;
    const sets = parts.map((p, i) => cronField(p, CRON_FIELDS[i]));
    if (sets.some((s) => s === undefined)) return undefined;
    const [min, hour, dom, month, dow] = sets as Set<number>[];
    if (dow.has(7)) dow.add(0);
    // Cron's rule: when both day fields are restricted, a day matches either.
    const domAny = parts[2] === "*";
    const dowAny = parts[4] === "*";
    const hours = [...hour].sort((a, b) => a - b);
    const minutes = [...min].sort((a, b) => a - b);
    const start = Date.UTC(2028, 0, 1);
    let first: number | undefined;
    let last: number | undefined;
    let gap = 0;
    for (let day = start, end = start + 2 * 366 * 86_400_000; day < end; day += 86_400_000) {
        const d = new Date(day);
        if (!month.has(d.getUTCMonth() + 1)) continue;
        const dayOk =
            domAny && dowAny
                ? true
                : domAny
                  ? dow.has(d.getUTCDay())
                  : dowAny
                    ? dom.has(d.getUTCDate())
                    : dom.has(d.getUTCDate()) || dow.has(d.getUTCDay());
        if (!dayOk) continue;
        for (const h of hours)
            for (const m of minutes) {
                const t = day + h * 3_600_000 + m * 60_000;
                if (last !== undefined) gap = Math.max(gap, (t - last) / 60_000);
                first ??= t;
                last = t;
            }
    }
    if (first === undefined || last === undefined || first === last) return undefined;
    return gap;
}

const CRON_TEXT = `a five-field cron schedule (minute hour day-of-month month day-of-week) such as "${DEFAULT_EVIDENCE_SCHEDULE}", running at least once every 24h`;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IMAGE_REPOSITORY = /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const EvidenceStoreSchema = strictObject({
    /** s3 (S3 Object Lock, compliance mode), gcs (a locked bucket retention policy) or azure (a version-level immutability policy). */
    type: oneOf(EVIDENCE_STORE_TYPES),
    /** Bucket (S3, GCS) or container (Azure) the program creates for the digests; not Loki's. */
    bucket: z
        .string(allowed("a bucket name: 3-63 lowercase letters, digits, '.', '-'"))
        .regex(BUCKET, allowed("a bucket name: 3-63 lowercase letters, digits, '.', '-'")),
    /** Region (S3: e.g. eu-west-3; GCS: the bucket's location, e.g. EU or europe-west1; Azure: the account's location, e.g. westeurope). Required. */
    region: z
        .string(allowed("a region or location such as eu-west-3, europe-west1, EU or westeurope"))
        .regex(/^[A-Za-z0-9-]{2,40}$/, allowed("a region or location such as eu-west-3, europe-west1, EU or westeurope")),
    /** S3-compatible endpoint the job writes to (MinIO, Ceph...; s3 only). Default: AWS. */
    endpoint: z
        .string(allowed("an https:// or http:// URL"))
        .regex(/^https?:\/\/[^\s]+$/, allowed("an https:// or http:// URL"))
        .optional(),
    /**
     * Secret config key with "ACCESS_KEY_ID:SECRET_ACCESS_KEY" of the job's user on an S3-compatible server
     * (with endpoint, where AWS IAM does not exist: restrict that user to put, get and list on the bucket
     * yourself). Required with endpoint; on AWS the program creates the job's IAM user.
     */
    credentialsSecret: secretRef.optional(),
    /** Address the bucket by path (endpoint/bucket), as MinIO and Ceph need (s3 only). Default: true with an endpoint, false on AWS. */
    pathStyle: z.boolean(allowed("true or false")).optional(),
    /** Storage account the program creates (azure only; required there): 3-24 lowercase letters and digits. */
    account: z
        .string(allowed("a storage account name: 3-24 lowercase letters and digits"))
        .regex(/^[a-z0-9]{3,24}$/, allowed("a storage account name: 3-24 lowercase letters and digits"))
        .optional(),
    /** Resource group of that account (azure only; required there; must exist). */
    resourceGroup: z
        .string(allowed("a resource group name: letters, digits, '.', '_', '-', '(', ')'"))
        .regex(/^[A-Za-z0-9._()-]{1,90}$/, allowed("a resource group name: letters, digits, '.', '_', '-', '(', ')'"))
        .optional(),
    /** GCP project of the bucket and the job's service account (gcs only; required there). */
    project: z
        .string(allowed("a GCP project id such as my-project-123"))
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, allowed("a GCP project id such as my-project-123"))
        .optional(),
    /**
     * Lock the account's immutability policy (azure only). Azure creates a policy unlocked and only an unlocked
     * one can be locked, for good: create the store with false, then set true and `pulumi up` again. Default false.
     */
    lock: z.boolean(allowed("true or false")).default(false),
});

export const EvidenceSchema = strictObject({
    /** Compute signed, chained digests of every cluster's events and keep them under a retention lock. Default false. */
    enabled: z.boolean(allowed("true or false")).default(false),
    /** Length of each digest's time window (divides a day, so windows start at midnight UTC). Default 1h. */
    window: duration("1h", "5m", "24h", { test: (ms) => 86_400_000 % ms === 0, text: "dividing 24h" }).default(DEFAULT_EVIDENCE_WINDOW),
    /** How long after a window ends its digest is written (late events before then are in it; later ones go to a backfill digest). Default 15m. */
    lateness: duration("15m", "1m", "24h").default(DEFAULT_EVIDENCE_LATENESS),
    /** How far back each run re-reads closed windows for late events (backfill digests). Default 24h. */
    backfillLookback: duration("24h", "1h", "30d").default(DEFAULT_EVIDENCE_BACKFILL_LOOKBACK),
    /** When the job runs (CronJob schedule, the cluster's time zone, usually UTC). Default every 15 minutes. */
    schedule: z
        .string(allowed(CRON_TEXT))
        .refine((s) => {
            const gap = cronMaxGapMinutes(s);
            return gap !== undefined && gap <= MAX_SCHEDULE_GAP_MINUTES;
        }, allowed(CRON_TEXT))
        .default(DEFAULT_EVIDENCE_SCHEDULE),
    /** Where digests are written. Required when enabled. */
    store: EvidenceStoreSchema.optional(),
    /** Days each digest is locked (retention lock). Default: the larger of logs.retentionDays and 365; at least logs.retentionDays. */
    retentionDays: intInRange(1, 36500, "days").optional(),
    /** Secret config key with the Ed25519 private key (PKCS#8 PEM: `openssl genpkey -algorithm ed25519`) digests are signed with. Required when enabled. */
    signingKeySecret: secretRef.optional(),
    /** Secret config key with the outgoing key during a rotation: it endorses the new key in the chain. Default: none. */
    previousSigningKeySecret: secretRef.optional(),
    /** The job's image: {repository, tag}. Default library/node:22.20.0-alpine3.22 (from logs.mirrors.imageRegistry when set). */
    image: strictObject({
        /** Repository path without the registry (the registry is logs.mirrors.imageRegistry, else docker.io). Default library/node. */
        repository: z
            .string(allowed("an image repository such as library/node"))
            .regex(IMAGE_REPOSITORY, allowed("an image repository such as library/node"))
            .optional(),
        /** Image tag (a Node 22 image: the bundle targets node22). Default 22.20.0-alpine3.22. */
        tag: z
            .string(allowed("an image tag such as 22.20.0-alpine3.22"))
            .regex(IMAGE_TAG, allowed("an image tag such as 22.20.0-alpine3.22"))
            .optional(),
    }).optional(),
});

export type EvidenceConfig = z.infer<typeof EvidenceSchema>;

/** Days the digests are locked: the configured value, else the larger of Loki's retention and a year. */
export function evidenceRetentionDays(logs: { retentionDays: number; evidence: EvidenceConfig }): number {
    return logs.evidence.retentionDays ?? Math.max(logs.retentionDays, MIN_DEFAULT_EVIDENCE_RETENTION_DAYS);
}

/** The secret config keys the evidence block names. */
export function evidenceSecretRefs(e: EvidenceConfig): { field: string; key: string }[] {
    const refs: { field: string; key: string }[] = [];
    if (e.signingKeySecret) refs.push({ field: "evidence.signingKeySecret", key: e.signingKeySecret });
    if (e.store?.credentialsSecret) refs.push({ field: "evidence.store.credentialsSecret", key: e.store.credentialsSecret });
    if (e.previousSigningKeySecret) refs.push({ field: "evidence.previousSigningKeySecret", key: e.previousSigningKeySecret });
    return refs;
}

/** The block's cross-field rules, one line each (the schema checked each field on its own). */
export function evidenceProblems(logs: { retentionDays: number; evidence: EvidenceConfig }, where: string): string[] {
    const e = logs.evidence;
    const out: string[] = [];
    const at = (field: string, value: unknown, what: string) => `${where}: field evidence.${field}: got ${JSON.stringify(value)}; allowed: ${what}`;
    if (e.retentionDays !== undefined && e.retentionDays < logs.retentionDays)
        out.push(
            at(
                "retentionDays",
                e.retentionDays,
                `at least logs.retentionDays (${logs.retentionDays}): the evidence must outlive the events it covers`,
            ),
        );
    if (e.previousSigningKeySecret !== undefined && e.previousSigningKeySecret === e.signingKeySecret)
        out.push(at("previousSigningKeySecret", e.previousSigningKeySecret, "a secret other than signingKeySecret (the outgoing key)"));
    if (!e.enabled) return out;
    if (!e.signingKeySecret)
        out.push(
            at(
                "signingKeySecret",
                undefined,
                "the name of a secret config key with an Ed25519 PKCS#8 PEM private key (required when evidence.enabled)",
            ),
        );
    const s = e.store;
    if (!s) {
        out.push(at("store", undefined, "{type: s3 | gcs | azure, bucket, region, ...} (required when evidence.enabled)"));
        return out;
    }
    const only = (field: "endpoint" | "pathStyle" | "account" | "resourceGroup" | "project", types: EvidenceStoreType[]) => {
        if (s[field] !== undefined && !types.includes(s.type))
            out.push(at(`store.${field}`, s[field], `only with store.type ${types.join(" or ")} (type is ${s.type})`));
    };
    only("endpoint", ["s3"]);
    only("pathStyle", ["s3"]);
    if (s.credentialsSecret !== undefined && !s.endpoint)
        out.push(
            at(
                "store.credentialsSecret",
                s.credentialsSecret,
                "only with store.endpoint (on AWS the program creates the job's IAM user and its key)",
            ),
        );
    if (s.endpoint !== undefined && !s.credentialsSecret)
        out.push(
            at(
                "store.credentialsSecret",
                undefined,
                'the name of a secret config key with "ACCESS_KEY_ID:SECRET_ACCESS_KEY" (required with store.endpoint)',
            ),
        );
    only("account", ["azure"]);
    only("resourceGroup", ["azure"]);
    only("project", ["gcs"]);
    if (s.lock && s.type !== "azure") out.push(at("store.lock", s.lock, "only with store.type azure (S3 and GCS are locked when created)"));
    if (s.type === "azure") {
        if (!s.account)
            out.push(at("store.account", undefined, "a storage account name: 3-24 lowercase letters and digits (required with store.type azure)"));
        if (!s.resourceGroup) out.push(at("store.resourceGroup", undefined, "an existing resource group name (required with store.type azure)"));
    }
    if (s.type === "gcs" && !s.project) out.push(at("store.project", undefined, "a GCP project id (required with store.type gcs)"));
    if (s.type === "s3" && !s.endpoint && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(s.region))
        out.push(at("store.region", s.region, "an S3 region such as eu-west-3 (store.type s3)"));
    return out;
}
