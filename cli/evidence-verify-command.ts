import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createPublicKey } from "node:crypto";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { StackConfig } from "../components/config/stack";
import {
    ChainReport,
    DirStore,
    DigestStore,
    Digest,
    keyIdOf,
    leafHash,
    leavesOf,
    LokiEntry,
    lokiHttpReader,
    LokiReader,
    nsToIso,
    readChain,
    verifyChain,
    WindowReport,
    storeFromConfig,
    storeLocation,
} from "../components/logs/evidence";
import type { EvidenceStoreConfig } from "../components/logs/evidence";
import { durationMs, parseDuration } from "../components/config";
import { STREAM_LABELS } from "../components/logs/labels";
import { CliError } from "./errors";
import { PROJECT_ROOT } from "./io";
import { Output } from "./output";
import { loadStackForCli } from "./stack";

export const EVIDENCE_VERIFY_HELP = `Usage: akko-audit verify --stack NAME --from T --to T [--cluster C] [--json] [--public-key FILE...]
                         [--store-url URL] [--loki-url URL] [--loki-password-file FILE] [--lateness DURATION] [--project-dir DIR]
       akko-audit verify --digests DIR --events FILE --from T --to T [--cluster C] [--json] [--public-key FILE...] [--lateness DURATION]

Tamper evidence: checks the signed, chained hourly digests of each cluster's audit events and that what is
stored now is exactly what they recorded. Chosen by --from/--to or --digests (without them, 'verify --stack'
checks k3s nodes over SSH instead; the two option sets do not mix).

Online (--stack): the digests from the stack's digest store (logs.evidence, or --store-url dir:PATH | s3://BUCKET/PREFIX),
the events re-read from Loki for each window (query_range through the gateway at https://<logs.ingress.lokiHost>,
or --loki-url) as the read user logs.gatewayUser; its password from --loki-password-file FILE or the environment
variable AKKO_LOKI_PASSWORD (never on the command line). Clusters: the stack's, or --cluster.
Offline (--digests DIR --events FILE): DIR is a copy of the bucket (DIR/<cluster>/<seq>-<kind>-<start>.json and
.leaves); FILE an export of the events, in any of these shapes (mixed freely, one JSON document per line or one
document for the whole file):
  - Loki's query_range answer ({"status":"success","data":{"resultType":"streams","result":[{"stream":{...},
    "values":[["<ns>","<line>"],...]}]}}), as curl gets it from /loki/api/v1/query_range;
  - logcli's JSON lines ({"labels":{...},"line":"...","timestamp":"<RFC 3339>"}): export with
    logcli query --output=jsonl --include-common-labels --forward --limit=0 (without --include-common-labels
    logcli drops the labels every line shares, and the entries no longer match);
  - JSON lines {"ts":"<ns since the epoch>","labels":{...},"line":"..."}.
Every entry needs the labels job, cluster and source. Clusters: the directories of DIR, or --cluster.

--from, --to: RFC 3339 times (2026-12-01T10:00:00Z); windows that overlap [from, to) are checked.
--public-key FILE: a trusted Ed25519 public key (raw 32 bytes base64, or PEM SPKI as 'openssl pkey -pubout'
  writes it); repeat for several; required (the stack output logs.evidencePublicKeys lists them). The keys inside the
  digests are never trusted on their own; later keys only through a rotation the previous key signed.
--lateness: how long after its end a window gets its digest (default: the stack's, else 15m); later windows are "open".

Per window: valid, open (not closed yet), modified, entries-deleted, entries-inserted, missing-digest,
chain-break, bad-signature, gap; then a summary. Progress (N/M windows) on stderr on long ranges.
--json: one JSON document for evidence packs (stack, clusters, range, per-window reports, trusted key ids,
tool version, generated-at).
Exit: 0 every closed window valid (open windows do not fail), 1 any finding, 2 bad usage or unreadable input.`;

/** Options of the SSH mode: their presence with evidence options is a mix. */
export const SSH_ONLY_OPTIONS = ["identity-file", "bastion-identity-file", "parallel", "timeout", "max-event-age"] as const;
/** Options that choose the evidence mode. */
export const EVIDENCE_MODE_OPTIONS = ["from", "to", "digests", "events"] as const;

const DEFAULT_LATENESS_MS = 15 * 60_000;
const DEFAULT_WINDOW_MS = 3_600_000;
const PROGRESS_INTERVAL_MS = 1000;
const LINE_EXCERPT = 200;

export interface EvidenceVerifyDeps {
    now?: () => number;
    env?: NodeJS.ProcessEnv;
    fetch?: typeof fetch;
}

/** What this command reads of the stack's logs.evidence block: its window, lateness and store. */
interface StackEvidence {
    latenessMs?: number;
    windowMs?: number;
    /** The stack's store with the auditor's own read credentials (from the environment), and where it is. */
    store?: () => { store: DigestStore; url: string };
}

/**
 * The stack's digest store, read with the auditor's own credentials from the environment (never the job's):
 * S3 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY [/ AWS_SESSION_TOKEN]; GCS GOOGLE_APPLICATION_CREDENTIALS (a key
 * file) or the metadata server; Azure AZURE_SAS_TOKEN (read and list).
 */
function stackEvidence(config: StackConfig, env: Record<string, string | undefined>): StackEvidence {
    const e = config.logs.evidence;
    if (!e.enabled) return {};
    const out: StackEvidence = { latenessMs: durationMs(e.lateness), windowMs: durationMs(e.window) };
    const s = e.store;
    if (!s) return out;
    const need = (name: string) => {
        const v = env[name];
        if (!v)
            throw new CliError(
                `verify: the ${s.type} digest store of stack ${config.stack} needs ${name} in the environment (your read credentials)`,
            );
        return v;
    };
    out.store = () => {
        switch (s.type) {
            case "s3": {
                const c: EvidenceStoreConfig = {
                    type: "s3",
                    bucket: s.bucket,
                    region: s.region ?? "us-east-1",
                    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
                    ...(s.pathStyle !== undefined ? { pathStyle: s.pathStyle } : {}),
                    // Reads only: the retention is the writer's.
                    retentionDays: 1,
                    credentials: {
                        accessKeyId: need("AWS_ACCESS_KEY_ID"),
                        secretAccessKey: need("AWS_SECRET_ACCESS_KEY"),
                        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
                    },
                };
                return { store: storeFromConfig(c), url: storeLocation(c) };
            }
            case "gcs": {
                const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
                const c: EvidenceStoreConfig = {
                    type: "gcs",
                    bucket: s.bucket,
                    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
                    ...(keyFile ? { serviceAccountKey: JSON.parse(readText("GOOGLE_APPLICATION_CREDENTIALS", keyFile)) } : {}),
                };
                return { store: storeFromConfig(c), url: storeLocation(c) };
            }
            case "azure": {
                const c: EvidenceStoreConfig = {
                    type: "azure",
                    account: s.account ?? "",
                    container: s.bucket,
                    sasToken: need("AZURE_SAS_TOKEN"),
                    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
                };
                return { store: storeFromConfig(c), url: storeLocation(c) };
            }
        }
    };
    return out;
}

function time(option: string, text: string | undefined): number {
    if (text === undefined) throw new CliError(`verify: --${option} is required with --from/--to or --digests (see verify --help)`);
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(ms)) throw new CliError(`verify: --${option} ${JSON.stringify(text)}; allowed: an RFC 3339 time such as 2026-12-01T10:00:00Z`);
    return ms;
}

function duration(option: string, text: string): number {
    const ms = parseDuration(text, ["s", "m", "h"]);
    if (ms === undefined) throw new CliError(`verify: --${option} ${JSON.stringify(text)}; allowed: a duration such as 90s, 15m or 1h`);
    return ms;
}

function readText(option: string, file: string): string {
    try {
        if (statSync(file).isDirectory()) throw new CliError(`verify: --${option} ${file}: is a directory, expected a file`);
        return readFileSync(file, "utf8");
    } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`verify: --${option} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
}

/** A trusted key file: the raw Ed25519 key in base64 (what digests carry), or a PEM SPKI public key. Returns the raw key, base64. */
export function publicKeyFromText(where: string, text: string): string {
    const t = text.trim();
    if (t.startsWith("-----BEGIN")) {
        try {
            const k = createPublicKey(t);
            if (k.asymmetricKeyType !== "ed25519") throw new Error(`a ${k.asymmetricKeyType} key`);
            const der = k.export({ format: "der", type: "spki" });
            return der.subarray(der.length - 32).toString("base64");
        } catch (e) {
            throw new CliError(`verify: ${where}: ${(e as Error).message}; allowed: an Ed25519 public key, PEM SPKI or raw base64`);
        }
    }
    if (/^[A-Za-z0-9+/]{43}=$/.test(t) && Buffer.from(t, "base64").length === 32) return t;
    throw new CliError(`verify: ${where}: not a key; allowed: an Ed25519 public key, PEM SPKI or raw 32 bytes base64`);
}

/** The digest store a URL names. dir:PATH is a directory (a copy of the bucket); object stores need their client. */
export function storeFromUrl(url: string): DigestStore {
    if (url.startsWith("dir:")) {
        const dir = url.slice("dir:".length);
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`verify: --store-url ${url}: no such directory`);
        return new DirStore(dir);
    }
    if (/^(s3|gs|azure):\/\//.test(url))
        throw new CliError(
            `verify: --store-url ${url}: only a copy is named here; allowed: dir:PATH (a copy of the bucket), or no --store-url to read the stack's logs.evidence.store`,
        );
    throw new CliError(`verify: --store-url ${JSON.stringify(url)}; allowed: dir:PATH or s3://BUCKET/PREFIX`);
}

// ---------- offline events export ----------

interface ParsedEvents {
    entries: LokiEntry[];
}

/** RFC 3339 with up to nanoseconds (logcli's timestamps, Go's RFC3339Nano) to nanoseconds since the epoch. */
function rfc3339ToNs(text: string): string | undefined {
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
    if (!m) return undefined;
    const secMs = Date.parse(`${m[1]}${m[3]}`);
    if (Number.isNaN(secMs)) return undefined;
    return (BigInt(secMs) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"))).toString();
}

function addEntry(out: LokiEntry[], where: string, ts: string, labels: Record<string, string>, line: string): void {
    const missing = STREAM_LABELS.filter((l) => typeof labels[l] !== "string");
    if (missing.length > 0)
        throw new CliError(
            `verify: --events ${where}: no label ${missing.join(", ")}; every entry needs job, cluster and source (logcli: add --include-common-labels)`,
        );
    out.push({ ts, labels, line });
}

function addDocument(out: LokiEntry[], where: string, doc: unknown): void {
    if (doc === null || typeof doc !== "object") throw new CliError(`verify: --events ${where}: not an object`);
    const d = doc as Record<string, unknown>;
    if ("data" in d || "status" in d) {
        const data = d.data as { resultType?: string; result?: unknown } | undefined;
        if (d.status !== "success" || data?.resultType !== "streams" || !Array.isArray(data.result))
            throw new CliError(`verify: --events ${where}: a Loki answer, but not a successful streams answer (status ${JSON.stringify(d.status)})`);
        for (const s of data.result as { stream?: Record<string, string>; values?: unknown[] }[]) {
            if (!s.stream || !Array.isArray(s.values)) throw new CliError(`verify: --events ${where}: a stream without stream labels or values`);
            for (const v of s.values) {
                if (!Array.isArray(v) || typeof v[0] !== "string" || !/^\d{1,20}$/.test(v[0]) || typeof v[1] !== "string")
                    throw new CliError(`verify: --events ${where}: a value that is not ["<ns>", "<line>"]`);
                addEntry(out, where, v[0], s.stream, v[1]);
            }
        }
        return;
    }
    const labels = d.labels as Record<string, string> | undefined;
    if (typeof d.line !== "string" || !labels || typeof labels !== "object")
        throw new CliError(`verify: --events ${where}: not an entry ({ts|timestamp, labels, line}) nor a Loki query_range answer`);
    let ts: string | undefined;
    if (typeof d.ts === "string" && /^\d{1,20}$/.test(d.ts)) ts = d.ts;
    else if (typeof d.timestamp === "string") ts = rfc3339ToNs(d.timestamp);
    if (ts === undefined)
        throw new CliError(`verify: --events ${where}: no time; allowed: "ts" (nanoseconds since the epoch, text) or "timestamp" (RFC 3339)`);
    addEntry(out, where, ts, labels, d.line);
}

/** Parses an events export (the shapes in the help). Identical entries (overlapping exports) are kept once, as Loki keeps them. */
export function parseEventsExport(file: string, text: string): ParsedEvents {
    const out: LokiEntry[] = [];
    // JSON lines first (each line names itself in errors); else one document for the whole file (pretty-printed).
    const lines = text
        .split("\n")
        .map((l, i) => ({ l, n: i + 1 }))
        .filter(({ l }) => l.trim() !== "");
    const docs: { where: string; doc: unknown }[] = [];
    let byLine = true;
    for (const { l, n } of lines) {
        try {
            docs.push({ where: `${file} line ${n}`, doc: JSON.parse(l) });
        } catch {
            byLine = false;
            break;
        }
    }
    if (!byLine) {
        let whole: unknown;
        try {
            whole = JSON.parse(text);
        } catch {
            const bad = lines.find(({ l }) => {
                try {
                    JSON.parse(l);
                    return false;
                } catch {
                    return true;
                }
            });
            throw new CliError(`verify: --events ${file}${bad ? ` line ${bad.n}` : ""}: not JSON (allowed shapes: see verify --help)`);
        }
        docs.length = 0;
        if (Array.isArray(whole)) whole.forEach((doc, i) => docs.push({ where: `${file} item ${i + 1}`, doc }));
        else docs.push({ where: file, doc: whole });
    }
    for (const { where, doc } of docs) addDocument(out, where, doc);
    const seen = new Set<string>();
    const entries = out.filter((e) => {
        const k = `${e.ts}\u0000${leafHash(e)}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
    return { entries };
}

/** A reader over an export: the same interface the online path reads Loki through. */
function exportReader(entries: LokiEntry[]): LokiReader {
    return {
        async entries(cluster, startMs, endMs) {
            const lo = BigInt(startMs) * 1_000_000n;
            const hi = BigInt(endMs) * 1_000_000n;
            return entries.filter((e) => e.labels.cluster === cluster && BigInt(e.ts) >= lo && BigInt(e.ts) < hi);
        },
    };
}

// ---------- the run ----------

/** Loki unreachable or refusing (a wrong password): unreadable input, exit 2, one line (the reader's messages never carry the password). */
async function readWindow(reader: LokiReader, cluster: string, startMs: number, endMs: number): Promise<LokiEntry[]> {
    try {
        return await reader.entries(cluster, startMs, endMs);
    } catch (e) {
        throw new CliError(`verify: ${(e as Error).message}`);
    }
}

export interface WindowOut extends WindowReport {
    /** The first differing entry as stored now: its time and the start of its line (the recorded line is only a hash). */
    firstDifference?: { time: string; line?: string };
}

export interface ClusterOut extends Omit<ChainReport, "windows"> {
    windows: WindowOut[];
    counts: Record<string, number>;
}

interface Plan {
    stack?: string;
    source: Record<string, string>;
    clusters: string[];
    store: DigestStore;
    reader: LokiReader;
    trustedKeys: string[];
    latenessMs: number;
    windowMs?: number;
}

function windowMsOf(stored: { text: string }[], fallback: number): number {
    for (const s of stored) {
        try {
            const d = JSON.parse(s.text) as Digest;
            if (d.kind === "window") {
                const ms = Date.parse(d.window.end) - Date.parse(d.window.start);
                if (ms > 0) return ms;
            }
        } catch {
            // verifyChain reports it.
        }
    }
    return fallback;
}

function optionsOf(args: string[]) {
    try {
        return parseArgs({
            args,
            allowPositionals: false,
            strict: true,
            options: {
                stack: { type: "string" },
                cluster: { type: "string" },
                from: { type: "string" },
                to: { type: "string" },
                json: { type: "boolean" },
                "public-key": { type: "string", multiple: true },
                "store-url": { type: "string" },
                "loki-url": { type: "string" },
                "loki-password-file": { type: "string" },
                lateness: { type: "string" },
                digests: { type: "string" },
                events: { type: "string" },
                "project-dir": { type: "string" },
                help: { type: "boolean", short: "h" },
                // The SSH mode's: recognised here only to name the mix.
                ...Object.fromEntries(SSH_ONLY_OPTIONS.map((o) => [o, { type: "string" as const }])),
            },
        }).values;
    } catch (e) {
        throw new CliError(`verify: ${(e as Error).message.split("\n")[0]} (see verify --help)`);
    }
}

export async function evidenceVerifyCommand(args: string[], out: Output, deps: EvidenceVerifyDeps = {}): Promise<number> {
    const opts = optionsOf(args);
    if (opts.help) return (out.stdout(EVIDENCE_VERIFY_HELP), 0);
    const mixed = SSH_ONLY_OPTIONS.filter((o) => (opts as Record<string, unknown>)[o] !== undefined);
    if (mixed.length > 0)
        throw new CliError(
            `verify: --${mixed[0]} is an option of the SSH node check, and --from/--to/--digests choose the evidence check; allowed: one or the other (see verify --help)`,
        );
    const offline = opts.digests !== undefined || opts.events !== undefined;
    if (offline && (opts.digests === undefined || opts.events === undefined))
        throw new CliError(
            `verify: ${opts.digests === undefined ? "--events needs --digests DIR" : "--digests needs --events FILE"} (offline evidence check)`,
        );
    const onlineOnly = (["stack", "store-url", "loki-url", "loki-password-file", "project-dir"] as const).filter((o) => opts[o] !== undefined);
    if (offline && onlineOnly.length > 0)
        throw new CliError(
            `verify: --${onlineOnly[0]} is for the online check; allowed with --digests/--events: --cluster, --from, --to, --public-key, --lateness, --json`,
        );
    const from = time("from", opts.from);
    const to = time("to", opts.to);
    if (to <= from) throw new CliError(`verify: --to ${opts.to} is not after --from ${opts.from}; allowed: a range with from < to`);
    const now = deps.now ?? Date.now;
    const keyFiles = opts["public-key"] ?? [];
    const keysFromFiles = keyFiles.map((f) => publicKeyFromText(`--public-key ${f}`, readText("public-key", f)));

    const plan = offline ? offlinePlan(opts.digests!, opts.events!, opts.cluster) : await onlinePlan(opts, out, deps);
    if (typeof plan === "number") return plan;
    if (keysFromFiles.length > 0) plan.trustedKeys = keysFromFiles;
    if (plan.trustedKeys.length === 0)
        throw new CliError(
            `verify: no trusted public key; pass --public-key FILE${offline ? "" : " (the stack output logs.evidencePublicKeys lists them)"}`,
        );
    if (opts.lateness !== undefined) plan.latenessMs = duration("lateness", opts.lateness);

    const clustersOut: ClusterOut[] = [];
    const startedAt = now();
    let lastProgress = startedAt;
    for (const cluster of plan.clusters) {
        let stored: Awaited<ReturnType<typeof readChain>>;
        try {
            stored = await readChain(plan.store, cluster);
        } catch (e) {
            throw new CliError(`verify: cannot read the digests of cluster ${cluster}: ${(e as Error).message}`);
        }
        const windowMs = plan.windowMs ?? windowMsOf(stored, DEFAULT_WINDOW_MS);
        const report = await verifyChain({
            cluster,
            stored,
            trustedKeys: plan.trustedKeys,
            from,
            to,
            now: now(),
            windowMs,
            latenessMs: plan.latenessMs,
            current: async (w) => leavesOf(await readWindow(plan.reader, cluster, w.start, w.end)),
            progress: (done, total) => {
                const t = now();
                // Quiet on short runs; on long ones a line a second at most, and the last.
                if (t - startedAt >= PROGRESS_INTERVAL_MS && (t - lastProgress >= PROGRESS_INTERVAL_MS || done === total)) {
                    lastProgress = t;
                    out.stderr(`verify: cluster ${cluster}: ${done}/${total} windows`);
                }
            },
        });
        const windows: WindowOut[] = [];
        for (const w of report.windows) {
            const first = w.diff?.first;
            if (!first) {
                windows.push(w);
                continue;
            }
            // Only windows with a difference are read again, to quote the line found there now.
            let line: string | undefined;
            if (first.current) {
                const start = Date.parse(w.start);
                const entries = await readWindow(plan.reader, cluster, start, Date.parse(w.end));
                const e = entries.find((x) => x.ts === first.ts && leafHash(x) === first.current);
                if (e) line = e.line.slice(0, LINE_EXCERPT);
            }
            windows.push({ ...w, firstDifference: { time: nsToIso(first.ts), ...(line !== undefined ? { line } : {}) } });
        }
        const counts: Record<string, number> = {};
        for (const w of windows) counts[w.status] = (counts[w.status] ?? 0) + 1;
        clustersOut.push({ ...report, windows, counts });
    }

    const ok = clustersOut.every((c) => c.ok);
    const iso = (ms: number) => new Date(ms).toISOString();
    if (opts.json) {
        out.stdout(
            JSON.stringify(
                {
                    tool: { name: "akko-audit verify", version: toolVersion() },
                    generatedAt: iso(now()),
                    ...(plan.stack ? { stack: plan.stack } : {}),
                    source: plan.source,
                    range: { from: iso(from), to: iso(to) },
                    latenessMs: plan.latenessMs,
                    trustedKeyIds: plan.trustedKeys.map(keyIdOf),
                    ok,
                    clusters: clustersOut,
                },
                null,
                2,
            ),
        );
    } else for (const line of textReport(clustersOut, from, to)) out.stdout(line);
    return ok ? 0 : 1;
}

function toolVersion(): string {
    try {
        return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
    } catch {
        return "unknown";
    }
}

/** The human report: per cluster, a line per window (findings indented), chain findings, then the summary. */
export function textReport(clusters: ClusterOut[], from: number, to: number): string[] {
    const lines: string[] = [];
    for (const c of clusters) {
        lines.push(`cluster ${c.cluster}: [${new Date(from).toISOString()}, ${new Date(to).toISOString()}), ${c.windows.length} window(s)`);
        for (const w of c.windows) {
            const seqs = w.digests.length > 0 ? ` (digest ${w.digests.join(", ")})` : "";
            lines.push(`  ${w.start} ${w.status}${w.status === "valid" || w.status === "open" ? seqs : ""}`);
            if (w.status !== "valid") for (const f of w.findings) lines.push(`    ${f}`);
            if (w.firstDifference)
                lines.push(
                    `    first differing entry: ${w.firstDifference.time}${w.firstDifference.line !== undefined ? ` ${JSON.stringify(w.firstDifference.line)}` : " (no entry there now)"}`,
                );
        }
        for (const f of c.chain) lines.push(`  chain: ${f}`);
        const counts = Object.entries(c.counts)
            .map(([s, n]) => `${n} ${s}`)
            .join(", ");
        lines.push(
            `cluster ${c.cluster}: ${c.ok ? "VERIFIED" : "FAILED"} (${counts}${c.chain.length > 0 ? `; ${c.chain.length} chain finding(s)` : ""})`,
        );
    }
    const failed = clusters.filter((c) => !c.ok).map((c) => c.cluster);
    lines.push(
        failed.length === 0
            ? `${clusters.length} cluster(s) verified: every closed window matches its signed digests`
            : `${failed.length} of ${clusters.length} cluster(s) failed verification: ${failed.join(", ")}`,
    );
    return lines;
}

function offlinePlan(digests: string, events: string, cluster: string | undefined): Plan {
    if (!existsSync(digests) || !statSync(digests).isDirectory()) throw new CliError(`verify: --digests ${digests}: no such directory`);
    const { entries } = parseEventsExport(events, readText("events", events));
    const dirs = readdirSync(digests, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    if (cluster !== undefined && !dirs.includes(cluster))
        throw new CliError(
            `verify: --cluster ${JSON.stringify(cluster)}; allowed: ${dirs.length > 0 ? dirs.join(", ") : `none (${digests} has no cluster directory)`}`,
        );
    if (dirs.length === 0)
        throw new CliError(`verify: --digests ${digests}: no cluster directory (expected ${digests}/<cluster>/<seq>-window-<start>.json)`);
    return {
        source: { digests: path.resolve(digests), events: path.resolve(events) },
        clusters: cluster !== undefined ? [cluster] : dirs,
        store: new DirStore(digests),
        reader: exportReader(entries),
        trustedKeys: [],
        latenessMs: DEFAULT_LATENESS_MS,
    };
}

async function onlinePlan(opts: ReturnType<typeof optionsOf>, out: Output, deps: EvidenceVerifyDeps): Promise<Plan | number> {
    const config = loadStackForCli(opts.stack, opts["project-dir"], "verify", out);
    if (typeof config === "number") return config;
    const env = deps.env ?? process.env;
    const ev = stackEvidence(config, env);
    const names = config.clusters.map((c) => c.name);
    if (opts.cluster !== undefined && !names.includes(opts.cluster))
        throw new CliError(`verify: --cluster ${JSON.stringify(opts.cluster)}; allowed: ${names.join(", ")}`);
    let storeUrl = opts["store-url"];
    let store: DigestStore;
    if (storeUrl !== undefined) store = storeFromUrl(storeUrl);
    else if (ev.store) ({ store, url: storeUrl } = ev.store());
    else
        throw new CliError(
            `verify: stack ${config.stack} has no digest store (logs.evidence.enabled and logs.evidence.store); pass --store-url dir:PATH (a copy of the bucket)`,
        );
    const host = config.logs.ingress?.lokiHost;
    const lokiUrl = opts["loki-url"] ?? (host ? `https://${host}` : undefined);
    if (lokiUrl === undefined)
        throw new CliError(
            `verify: stack ${config.stack} does not expose Loki (logs.ingress.lokiHost unset); pass --loki-url URL (e.g. a port-forward to the gateway)`,
        );
    if (!/^https?:\/\/[^\s]+$/.test(lokiUrl)) throw new CliError(`verify: --loki-url ${JSON.stringify(lokiUrl)}; allowed: an http(s) URL`);
    let password: string | undefined;
    if (opts["loki-password-file"] !== undefined) password = readText("loki-password-file", opts["loki-password-file"]).replace(/\r?\n$/, "");
    else password = env.AKKO_LOKI_PASSWORD;
    if (!password)
        throw new CliError(
            `verify: no Loki read password; pass --loki-password-file FILE or set AKKO_LOKI_PASSWORD (the secret named by logs.gatewayPasswordSecret)`,
        );
    return {
        stack: config.stack,
        source: { store: storeUrl, loki: lokiUrl, user: config.logs.gatewayUser },
        clusters: opts.cluster !== undefined ? [opts.cluster] : names,
        store,
        reader: lokiHttpReader({ url: lokiUrl, username: config.logs.gatewayUser, password, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
        trustedKeys: [],
        latenessMs: ev.latenessMs ?? DEFAULT_LATENESS_MS,
        ...(ev.windowMs !== undefined ? { windowMs: ev.windowMs } : {}),
    };
}

/** True when the arguments ask for the evidence check (--from, --to, --digests, --events). */
export function isEvidenceMode(args: string[]): boolean {
    return args.some((a) => EVIDENCE_MODE_OPTIONS.some((o) => a === `--${o}` || a.startsWith(`--${o}=`)));
}
