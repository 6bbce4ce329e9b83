/**
 * The evidence job: run on a schedule in the logs cluster (a CronJob running this file bundled into one,
 * `bundleEvidenceJob()`), it signs one digest per cluster and closed window and writes it, with its leaves
 * file, to write-once storage.
 *
 * Environment (`main`):
 *   LOKI_URL                the Loki gateway's base URL (required)
 *   LOKI_USERNAME           the gateway's read-only user (required)
 *   LOKI_PASSWORD           its password (required; secret)
 *   LOKI_PAGE_LIMIT         entries per query_range page (default 5000)
 *   CLUSTERS                the clusters (Loki tenants), comma-separated (required); one chain each
 *   WINDOW                  a window's length: a number and s, m, h or d (default 1h); changing it breaks the chain
 *   LATENESS                how long after its end a window is closed and signed (default 5m)
 *   BACKFILL_LOOKBACK       how far back closed windows are read again for late entries (default 24h); also where a
 *                           new chain starts, unless FIRST_WINDOW_START says otherwise
 *   MAX_WINDOWS_PER_RUN     new window digests per cluster and run (default 168: a week of hours), so a job that
 *                           was down catches up over several runs instead of one that never ends
 *   FIRST_WINDOW_START      RFC 3339: where a cluster's chain starts when it has no digest yet
 *   SIGNING_KEY             the Ed25519 private key, PKCS#8 PEM (required; secret)
 *   PREVIOUS_SIGNING_KEY    the outgoing key during a rotation (secret): it endorses SIGNING_KEY in the chain
 *   STORE_TYPE              s3 | gcs | azure | dir (required)
 *   STORE_PREFIX            object names start with it (default none)
 *   s3:    STORE_BUCKET, STORE_REGION, STORE_RETENTION_DAYS (the Object Lock retention of each object),
 *          STORE_ENDPOINT (S3-compatible stores), STORE_PATH_STYLE (true|false; default true with an endpoint),
 *          AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (the job's own writer identity)
 *   gcs:   STORE_BUCKET, STORE_ENDPOINT, GCS_SERVICE_ACCOUNT_KEY (key file JSON; absent: the metadata server)
 *   azure: STORE_ACCOUNT, STORE_CONTAINER, STORE_ENDPOINT, AZURE_SAS_TOKEN (secret)
 *   dir:   STORE_DIR (tests, and a copy for an auditor)
 *   STATUS_PUSH_URL         Loki's push URL for the run's status line (optional; the gateway, into the job's own
 *                           tenant): {"event":"run","status":"ok"|"failed",...}, what the job's alerts read
 *   STATUS_USERNAME, STATUS_PASSWORD (secret), STATUS_JOB_LABEL: its push user and the line's `job` label
 *
 * It logs one JSON line per event to stdout and exits 0 when every cluster is up to date, 1 on any failure,
 * 2 on bad settings (one line each, naming the variable; secrets are never echoed).
 */
import { parseDuration } from "../../config/duration";
import { closedWindows, nextDigest, StoredDigest } from "./chain";
import { Digest, signatureValid, signingKey, SigningKey } from "./digest";
import { Leaf, leavesOf, nsToIso, parseLeaves, sha256Hex, sortLeaves } from "./entries";
import { lokiHttpReader, LokiReader } from "./loki-reader";
import { digestObjectName, DigestStore, leavesObjectName, readChain } from "./store";
import { EvidenceStoreConfig, STORE_TYPES, storeFromConfig, storeLocation } from "./stores/factory";

/** One line of the job's log: what happened, to which cluster. */
export interface JobEvent {
    level: "info" | "warn" | "error";
    event: string;
    cluster?: string;
    [field: string]: unknown;
}

export interface EvidenceJobArgs {
    clusters: string[];
    reader: LokiReader;
    store: DigestStore;
    key: SigningKey;
    previousKey?: SigningKey;
    windowMs: number;
    latenessMs: number;
    backfillLookbackMs: number;
    now: number;
    maxWindowsPerRun: number;
    /** Where a chain with no digest starts (ms); default the window containing now − backfillLookbackMs. */
    firstWindowStart?: number;
    log: (e: JobEvent) => void;
}

export interface ClusterRunSummary {
    cluster: string;
    /** Window digests written. */
    windows: number;
    /** Backfill digests written. */
    backfills: number;
    /** Closed windows left for the next run (MAX_WINDOWS_PER_RUN reached). */
    behind: number;
    /** One line each; any makes the run fail. */
    failures: string[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** Signs and writes every digest due; one cluster's failure stops that cluster, not the others. */
export async function runEvidenceJob(a: EvidenceJobArgs): Promise<ClusterRunSummary[]> {
    const out: ClusterRunSummary[] = [];
    for (const cluster of a.clusters) {
        const s: ClusterRunSummary = { cluster, windows: 0, backfills: 0, behind: 0, failures: [] };
        try {
            await runCluster(a, cluster, s);
        } catch (e) {
            fail(a, s, (e as Error).message);
        }
        a.log({ level: s.failures.length ? "error" : "info", event: "summary", ...s, failures: s.failures.length });
        out.push(s);
    }
    return out;
}

function fail(a: EvidenceJobArgs, s: ClusterRunSummary, message: string, extra: Record<string, unknown> = {}) {
    s.failures.push(message);
    a.log({ level: "error", event: "failure", cluster: s.cluster, message, ...extra });
}

/** `${ts} ${hash}` -> how many times. */
function multiset(leaves: readonly Leaf[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const l of leaves) m.set(`${l.ts} ${l.hash}`, (m.get(`${l.ts} ${l.hash}`) ?? 0) + 1);
    return m;
}

/** The leaves of `a` not matched one for one in `b`. */
function minus(a: readonly Leaf[], b: readonly Leaf[]): Leaf[] {
    const left = multiset(b);
    const out: Leaf[] = [];
    for (const l of a) {
        const k = `${l.ts} ${l.hash}`;
        const n = left.get(k) ?? 0;
        if (n > 0) left.set(k, n - 1);
        else out.push(l);
    }
    return out;
}

async function runCluster(a: EvidenceJobArgs, cluster: string, s: ClusterRunSummary): Promise<void> {
    const stored: { d: Digest; st: StoredDigest }[] = [];
    for (const st of await readChain(a.store, cluster)) {
        let d: Digest;
        try {
            d = JSON.parse(st.text) as Digest;
        } catch {
            return fail(a, s, `${st.name}: not JSON; the chain cannot be extended past it (akko-audit verify reports it)`);
        }
        stored.push({ d, st });
    }
    stored.sort((x, y) => x.d.seq - y.d.seq);
    const tip = stored.at(-1);
    if (tip) {
        // The job signs on top of the tip only when it is sound: a digest someone else added (the bucket takes
        // new objects) must not be endorsed by the next honest one.
        const copies = stored.filter((x) => x.d.seq === tip.d.seq).map((x) => x.st.name);
        if (copies.length > 1)
            return fail(
                a,
                s,
                `the chain's last sequence number ${tip.d.seq} appears ${copies.length} times (${copies.join(", ")}); not extending it`,
            );
        if (tip.d.cluster !== cluster || !signatureValid(tip.d))
            return fail(
                a,
                s,
                `${tip.st.name}: the chain's last digest does not verify (cluster ${tip.d.cluster}, key ${tip.d.key?.id}); not extending it`,
            );
    }
    let previous = tip?.d;

    /** Writes `body` under `name` once. False (and a failure) when the name exists: another run got there. */
    const putOnce = async (name: string, body: string, sameIsFine: boolean): Promise<boolean> => {
        try {
            await a.store.putOnce(name, body);
            return true;
        } catch (e) {
            const existing = await a.store.get(name).catch(() => undefined);
            if (existing === undefined) throw e;
            if (sameIsFine && existing === body) {
                // A run stopped between the leaves file and its digest: the same leaves, so finish its work.
                a.log({ level: "warn", event: "resumed", cluster, object: name });
                return true;
            }
            fail(a, s, `${name} exists already: another run wrote it; stopping cluster ${cluster} for this run`);
            return false;
        }
    };

    const write = async (kind: Digest["kind"], window: { start: number; end: number }, leaves: Leaf[]): Promise<boolean> => {
        const next = nextDigest({ cluster, kind, window, computedAt: a.now, leaves, previous, key: a.key, previousKey: a.previousKey });
        const name = digestObjectName(next.digest);
        if (!(await putOnce(leavesObjectName(name), next.leaves, true))) return false;
        if (!(await putOnce(name, next.text, false))) return false;
        previous = next.digest;
        a.log({
            level: "info",
            event: kind === "window" ? "digest" : "backfill",
            cluster,
            seq: next.digest.seq,
            window: next.digest.window,
            entries: leaves.length,
            object: name,
            ...(next.digest.rotation ? { rotatedFrom: next.digest.rotation.fromKeyId, keyId: next.digest.key.id } : {}),
        });
        return true;
    };

    // Backfill: closed windows within the lookback that have digests, read again.
    const recorded = new Map<number, { leaves: Leaf[]; broken?: string; hasWindow: boolean }>();
    for (const { d, st } of stored) {
        const start = Date.parse(d.window.start);
        const r = recorded.get(start) ?? { leaves: [], hasWindow: false };
        if (d.kind === "window") r.hasWindow = true;
        if (st.leaves === undefined) r.broken ??= `${st.name}: its leaves file is missing`;
        else if (sha256Hex(st.leaves) !== d.entries.leavesSha256) r.broken ??= `${st.name}: its leaves file does not match the digest`;
        else r.leaves.push(...parseLeaves(st.leaves));
        recorded.set(start, r);
    }
    const lookbackStart = a.now - a.backfillLookbackMs;
    for (const [start, r] of [...recorded].sort(([x], [y]) => x - y)) {
        const end = start + a.windowMs;
        if (!r.hasWindow || end <= lookbackStart) continue;
        const w = iso(start);
        if (r.broken) {
            fail(a, s, `window ${w}: ${r.broken}; not backfilling it (akko-audit verify reports it)`);
            continue;
        }
        const current = leavesOf(await a.reader.entries(cluster, start, end));
        const gone = minus(r.leaves, current);
        if (gone.length > 0) {
            // Recorded entries Loki no longer holds: deleted or altered. A backfill would sign the altered ones
            // as late arrivals; leave the window as it is so verify shows what changed.
            fail(
                a,
                s,
                `window ${w}: ${gone.length} recorded entries are no longer in Loki (first at ${nsToIso(gone[0].ts)}); ` +
                    `not backfilling it, akko-audit verify shows the difference`,
            );
            continue;
        }
        const late = minus(current, r.leaves);
        if (late.length === 0) continue;
        if (!(await write("backfill", { start, end }, sortLeaves(late)))) return;
        s.backfills++;
    }

    // New windows: every window closed since the chain's last one.
    const windowDigests = stored.filter((x) => x.d.kind === "window");
    let from: number;
    if (windowDigests.length > 0) {
        from = Math.max(...windowDigests.map((x) => Date.parse(x.d.window.end)));
        if (from % a.windowMs !== 0)
            return fail(
                a,
                s,
                `the chain's last window ends at ${iso(from)}, not on a boundary of the window length ${a.windowMs / 1000}s (was WINDOW changed?)`,
            );
    } else {
        from = a.firstWindowStart ?? a.now - a.backfillLookbackMs;
        a.log({ level: "info", event: "chain-start", cluster, from: iso(Math.floor(from / a.windowMs) * a.windowMs) });
    }
    let due = closedWindows(from, a.now, a.windowMs, a.latenessMs);
    if (due.length > a.maxWindowsPerRun) {
        s.behind = due.length - a.maxWindowsPerRun;
        a.log({ level: "warn", event: "behind", cluster, windowsLeft: s.behind });
        due = due.slice(0, a.maxWindowsPerRun);
    }
    for (const w of due) {
        if (!(await write("window", w, leavesOf(await a.reader.entries(cluster, w.start, w.end))))) return;
        s.windows++;
    }
}

/** The job's settings, read from its environment. */
export interface JobSettings {
    loki: { url: string; username: string; password: string; pageLimit: number };
    clusters: string[];
    windowMs: number;
    latenessMs: number;
    backfillLookbackMs: number;
    maxWindowsPerRun: number;
    firstWindowStart?: number;
    key: SigningKey;
    previousKey?: SigningKey;
    store: EvidenceStoreConfig;
}

/** Bad settings: one line per problem, each naming the variable. */
export class JobConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
    }
}

/** Reads and checks the environment (see the top of this file); throws JobConfigError listing every problem. */
export function jobSettingsFromEnv(env: Record<string, string | undefined>): JobSettings {
    const problems: string[] = [];
    const val = (name: string) => (env[name] === undefined || env[name]!.trim() === "" ? undefined : env[name]!.trim());
    const required = (name: string, allowed: string, secret = false): string => {
        const v = secret ? env[name] : val(name);
        if (v === undefined || v === "") problems.push(`${name}: not set; allowed: ${allowed}`);
        return v ?? "";
    };
    const duration = (name: string, dflt: string, min: number): number => {
        const v = val(name) ?? dflt;
        const ms = parseDuration(v, ["s", "m", "h", "d"]) ?? NaN;
        if (!(ms >= min)) {
            problems.push(`${name}: ${JSON.stringify(v)}; allowed: a duration such as ${dflt} (a number and s, m, h or d), at least ${min / 1000}s`);
            return 0;
        }
        return ms;
    };
    const positiveInt = (name: string, dflt: number | undefined): number => {
        const v = val(name);
        if (v === undefined && dflt !== undefined) return dflt;
        if (v === undefined || !/^[1-9]\d*$/.test(v)) {
            problems.push(`${name}: ${v === undefined ? "not set" : JSON.stringify(v)}; allowed: a whole number above 0`);
            return 0;
        }
        return Number(v);
    };
    const key = (name: string): SigningKey | undefined => {
        const pem = env[name];
        if (!pem) return undefined;
        try {
            return signingKey(pem.replace(/\\n/g, "\n"));
        } catch (e) {
            problems.push(`${name}: (secret, not shown) ${(e as Error).message}`);
            return undefined;
        }
    };

    const url = required("LOKI_URL", "the Loki gateway's URL, http(s)://host[:port]");
    if (url && !/^https?:\/\/[^/\s]+/.test(url)) problems.push(`LOKI_URL: ${JSON.stringify(url)}; allowed: an http(s):// URL`);
    const username = required("LOKI_USERNAME", "the gateway's read-only user");
    const password = required("LOKI_PASSWORD", "that user's password", true);
    const pageLimit = positiveInt("LOKI_PAGE_LIMIT", 5000);
    const clustersText = required("CLUSTERS", "cluster names, comma-separated");
    const clusters = clustersText
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean);
    for (const c of clusters)
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c))
            problems.push(`CLUSTERS: ${JSON.stringify(c)}; allowed: cluster names (lowercase letters, digits and -), comma-separated`);
    const windowMs = duration("WINDOW", "1h", 60_000);
    const latenessMs = duration("LATENESS", "5m", 0);
    const backfillLookbackMs = duration("BACKFILL_LOOKBACK", "24h", 0);
    const maxWindowsPerRun = positiveInt("MAX_WINDOWS_PER_RUN", 168);
    const first = val("FIRST_WINDOW_START");
    const firstWindowStart = first === undefined ? undefined : Date.parse(first);
    if (first !== undefined && (Number.isNaN(firstWindowStart) || !/^\d{4}-\d\d-\d\dT/.test(first)))
        problems.push(`FIRST_WINDOW_START: ${JSON.stringify(first)}; allowed: an RFC 3339 time such as 2026-01-01T00:00:00Z`);
    const signing = required("SIGNING_KEY", "an Ed25519 private key, PKCS#8 PEM (openssl genpkey -algorithm ed25519)", true)
        ? key("SIGNING_KEY")
        : undefined;
    const previousKey = key("PREVIOUS_SIGNING_KEY");

    const type = val("STORE_TYPE");
    const prefix = val("STORE_PREFIX");
    let store: EvidenceStoreConfig | undefined;
    if (!type || !(STORE_TYPES as readonly string[]).includes(type))
        problems.push(`STORE_TYPE: ${type === undefined ? "not set" : JSON.stringify(type)}; allowed: ${STORE_TYPES.join(", ")}`);
    else if (type === "s3") {
        const pathStyle = val("STORE_PATH_STYLE");
        if (pathStyle !== undefined && pathStyle !== "true" && pathStyle !== "false")
            problems.push(`STORE_PATH_STYLE: ${JSON.stringify(pathStyle)}; allowed: true, false`);
        const endpoint = val("STORE_ENDPOINT");
        if (endpoint && !/^https?:\/\/[^/\s]+/.test(endpoint))
            problems.push(`STORE_ENDPOINT: ${JSON.stringify(endpoint)}; allowed: an http(s):// URL`);
        store = {
            type,
            bucket: required("STORE_BUCKET", "the digest bucket's name"),
            region: required("STORE_REGION", "the bucket's region, such as eu-west-1"),
            retentionDays: positiveInt("STORE_RETENTION_DAYS", undefined),
            ...(endpoint ? { endpoint } : {}),
            ...(pathStyle !== undefined ? { pathStyle: pathStyle === "true" } : {}),
            ...(prefix ? { prefix } : {}),
            credentials: {
                accessKeyId: required("AWS_ACCESS_KEY_ID", "the digest writer's access key id"),
                secretAccessKey: required("AWS_SECRET_ACCESS_KEY", "the digest writer's secret access key", true),
                ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
        };
    } else if (type === "gcs") {
        let serviceAccountKey;
        const keyJson = env.GCS_SERVICE_ACCOUNT_KEY;
        if (keyJson) {
            try {
                serviceAccountKey = JSON.parse(keyJson);
                if (typeof serviceAccountKey?.client_email !== "string" || typeof serviceAccountKey?.private_key !== "string") throw new Error();
            } catch {
                problems.push(
                    "GCS_SERVICE_ACCOUNT_KEY: (secret, not shown) not a service-account key file; allowed: its JSON, with client_email and private_key",
                );
            }
        }
        const endpoint = val("STORE_ENDPOINT");
        store = {
            type,
            bucket: required("STORE_BUCKET", "the digest bucket's name"),
            ...(prefix ? { prefix } : {}),
            ...(endpoint ? { endpoint } : {}),
            ...(serviceAccountKey ? { serviceAccountKey } : {}),
        };
    } else if (type === "azure") {
        const endpoint = val("STORE_ENDPOINT");
        store = {
            type,
            account: required("STORE_ACCOUNT", "the storage account's name"),
            container: required("STORE_CONTAINER", "the digest container's name"),
            sasToken: required("AZURE_SAS_TOKEN", "a SAS token for the container (read, list, create, write)", true),
            ...(prefix ? { prefix } : {}),
            ...(endpoint ? { endpoint } : {}),
        };
    } else store = { type: "dir", dir: required("STORE_DIR", "a directory") };

    if (problems.length > 0 || !signing || !store) throw new JobConfigError(problems);
    return {
        loki: { url, username, password, pageLimit },
        clusters,
        windowMs,
        latenessMs,
        backfillLookbackMs,
        maxWindowsPerRun,
        ...(firstWindowStart !== undefined ? { firstWindowStart } : {}),
        key: signing,
        ...(previousKey ? { previousKey } : {}),
        store,
    };
}

/** The CronJob's entry point: settings from the environment, one JSON line per event; the exit code. */
export async function main(
    env: Record<string, string | undefined> = process.env,
    writeLine: (line: string) => void = (l) => process.stdout.write(l + "\n"),
    now: () => number = Date.now,
): Promise<number> {
    const log = (e: JobEvent) => writeLine(JSON.stringify({ time: new Date(now()).toISOString(), ...e }));
    let settings: JobSettings;
    try {
        settings = jobSettingsFromEnv(env);
    } catch (e) {
        const problems = e instanceof JobConfigError ? e.problems : [(e as Error).message];
        for (const message of problems) log({ level: "error", event: "config", message });
        return 2;
    }
    const start = now();
    log({
        level: "info",
        event: "start",
        clusters: settings.clusters,
        store: storeLocation(settings.store),
        keyId: settings.key.id,
        ...(settings.previousKey ? { previousKeyId: settings.previousKey.id } : {}),
    });
    const summaries = await runEvidenceJob({
        clusters: settings.clusters,
        reader: lokiHttpReader({
            url: settings.loki.url,
            username: settings.loki.username,
            password: settings.loki.password,
            pageLimit: settings.loki.pageLimit,
        }),
        store: storeFromConfig(settings.store),
        key: settings.key,
        ...(settings.previousKey ? { previousKey: settings.previousKey } : {}),
        windowMs: settings.windowMs,
        latenessMs: settings.latenessMs,
        backfillLookbackMs: settings.backfillLookbackMs,
        now: start,
        maxWindowsPerRun: settings.maxWindowsPerRun,
        ...(settings.firstWindowStart !== undefined ? { firstWindowStart: settings.firstWindowStart } : {}),
        log,
    });
    const failed = summaries.filter((s) => s.failures.length > 0).map((s) => s.cluster);
    log({ level: failed.length ? "error" : "info", event: "done", ok: failed.length === 0, failedClusters: failed });
    const pushed = await pushStatus(env, { event: "run", status: failed.length ? "failed" : "ok", failedClusters: failed }, now(), log);
    return failed.length || !pushed ? 1 : 0;
}

/**
 * One status line per run into the job's own tenant (Loki's push API, JSON body), which its alerts read: no
 * "ok" line for two periods, or any "failed" one. Without STATUS_PUSH_URL nothing is pushed. A push that
 * fails is logged and makes the run fail (the alert would otherwise see silence without a reason).
 */
export async function pushStatus(
    env: Record<string, string | undefined>,
    status: Record<string, unknown>,
    at: number,
    log: (e: JobEvent) => void,
    doFetch: typeof fetch = fetch,
): Promise<boolean> {
    const url = env.STATUS_PUSH_URL;
    if (!url) return true;
    const body = {
        streams: [
            {
                stream: { job: env.STATUS_JOB_LABEL || "akko-audit-evidence" },
                values: [[(BigInt(at) * 1_000_000n).toString(), JSON.stringify(status)]],
            },
        ],
    };
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (env.STATUS_USERNAME) headers.authorization = "Basic " + Buffer.from(`${env.STATUS_USERNAME}:${env.STATUS_PASSWORD ?? ""}`).toString("base64");
    try {
        const res = await doFetch(url, { method: "POST", headers, body: JSON.stringify(body) });
        if (res.status >= 200 && res.status < 300) return true;
        log({ level: "error", event: "status", message: `status push to ${url} answered HTTP ${res.status}` });
    } catch (e) {
        log({ level: "error", event: "status", message: `status push to ${url} failed: ${(e as Error).message}` });
    }
    return false;
}
