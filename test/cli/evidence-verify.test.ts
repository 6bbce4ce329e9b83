/**
 * `akko-audit verify` for tamper evidence, end to end: real chains built with the job's own nextDigest over real
 * normalised events (test/fixtures/audit-formats, and ../shared/samples when present), signed with Node's
 * real Ed25519, written into a directory store; verified online (--stack, --store-url dir:..., Loki re-read
 * over HTTP) and offline (--digests DIR --events FILE), for every case of the tamper matrix.
 * Stubbed: Loki itself (no binary installable here). A small HTTP server on 127.0.0.1 answers
 * GET /loki/api/v1/query_range in the response shape Loki documents ("Query logs within a range of time":
 * {"status":"success","data":{"resultType":"streams","result":[{"stream":{...},"values":[["<ns>","<line>"]]}]}}),
 * honouring start, end (ns, end exclusive), limit and direction=forward, behind the gateway's basic auth.
 * The object store: a directory (dir: URL), as an auditor's copy of the bucket is.
 */
import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { CliError } from "../../cli/errors";
import { verifyCommand } from "../../cli/verify-command";
import {
    closedWindows,
    Digest,
    digestObjectName,
    digestText,
    isoToNs,
    leavesObjectName,
    leavesOf,
    LokiEntry,
    nextDigest,
    signDigest,
    signingKey,
    SigningKey,
} from "../../components/logs/evidence";
import { normalizeLine } from "../../components/logs/normalize/normalize";

const ROOT = path.resolve(__dirname, "../..");
const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-01T10:00:00Z");
/** Four closed windows (10:00..14:00) and an open one (14:00..15:00): now is 14:20, the default lateness 15 minutes. */
const NOW = T0 + 4 * HOUR + 20 * 60_000;
const FROM = "2026-12-01T10:00:00Z";
const TO = "2026-12-01T15:00:00Z";
const CLUSTER = "dev";
const LABELS = { job: "k3s-audit", cluster: CLUSTER, source: "k3s" };
const PASSWORD = "read-secret-äöü";
const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const KEY = signingKey(pem());
const OTHER = signingKey(pem());

const SHARED = path.join(ROOT, "../shared/samples/audit2rbac-demo-v1.jsonl");
if (!existsSync(SHARED)) console.log(`evidence verify: ${SHARED} not found; using the repo's fixtures only`);

/** Real audit events, normalised as Alloy stores them. */
function realLines(): string[] {
    return [path.join(ROOT, "test/fixtures/audit-formats/falco-secret-events.jsonl"), SHARED].filter(existsSync).flatMap((f) =>
        readFileSync(f, "utf8")
            .split("\n")
            .filter(Boolean)
            .flatMap((l) => normalizeLine(l).map((n) => n.line)),
    );
}

/** 3 entries seconds apart in windows 0, 1 and 3 (window 2 stays empty: a signed empty digest). */
function baseEntries(): LokiEntry[] {
    const lines = realLines();
    const out: LokiEntry[] = [];
    for (const w of [0, 1, 3])
        for (let i = 0; i < 3; i++)
            out.push({ ts: isoToNs(new Date(T0 + w * HOUR + i * 1000).toISOString()), labels: LABELS, line: lines[(w * 3 + i) % lines.length] });
    return out;
}
const ALL = baseEntries();

const inWindow = (es: LokiEntry[], w: { start: number; end: number }) =>
    es.filter((e) => BigInt(e.ts) >= BigInt(w.start) * 1_000_000n && BigInt(e.ts) < BigInt(w.end) * 1_000_000n);
const W = (i: number) => ({ start: T0 + i * HOUR, end: T0 + (i + 1) * HOUR });

/** The job's side: the chain of the four closed windows, one digest and leaves file each, in a fresh directory. */
function buildStore(opts: { keyFor?: (i: number) => { key: SigningKey; previousKey?: SigningKey } } = {}): { dir: string; digests: Digest[] } {
    const dir = mkdtempSync(path.join(tmpdir(), "akko-evidence-"));
    const digests: Digest[] = [];
    let previous: Digest | undefined;
    for (const [i, w] of closedWindows(T0, T0 + 4 * HOUR + 5 * 60_000, HOUR, 5 * 60_000).entries()) {
        const k = opts.keyFor?.(i) ?? { key: KEY };
        const r = nextDigest({
            cluster: CLUSTER,
            kind: "window",
            window: w,
            computedAt: w.end + 300_000,
            leaves: leavesOf(inWindow(ALL, w)),
            previous,
            ...k,
        });
        put(dir, r.digest, r.text, r.leaves);
        digests.push(r.digest);
        previous = r.digest;
    }
    return { dir, digests };
}

function put(dir: string, d: Digest, text: string, leaves: string): string {
    const name = digestObjectName(d);
    mkdirSync(path.join(dir, CLUSTER), { recursive: true });
    writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, leavesObjectName(name)), leaves);
    return name;
}
const nameOf = (d: Digest) => digestObjectName(d);
function remove(dir: string, d: Digest): void {
    unlinkSync(path.join(dir, nameOf(d)));
    unlinkSync(path.join(dir, leavesObjectName(nameOf(d))));
}

/** The fake Loki: serves `served` (mutable per test) as query_range answers. */
let served: LokiEntry[] = ALL;
let server: Server;
let lokiUrl: string;
let queries = 0;

function startLoki(): Promise<void> {
    server = createServer((req, res) => {
        const url = new URL(req.url!, "http://x");
        const auth = req.headers.authorization;
        if (auth !== "Basic " + Buffer.from(`akko-audit:${PASSWORD}`).toString("base64")) {
            res.writeHead(401).end("unauthorized");
            return;
        }
        if (url.pathname !== "/loki/api/v1/query_range") {
            res.writeHead(404).end("404 page not found");
            return;
        }
        queries++;
        const q = url.searchParams;
        const start = BigInt(q.get("start")!);
        const end = BigInt(q.get("end")!);
        const limit = Number(q.get("limit"));
        const cluster = /cluster="([^"]+)"/.exec(q.get("query")!)![1];
        assert.equal(q.get("direction"), "forward");
        const hits = served
            .filter((e) => e.labels.cluster === cluster && BigInt(e.ts) >= start && BigInt(e.ts) < end)
            .sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0))
            .slice(0, limit);
        // One stream per label set, as Loki groups them; the tenant shows as __tenant_id__ for the multi-tenant read user.
        const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
        for (const e of hits) {
            const stream = { ...e.labels, __tenant_id__: cluster };
            const k = JSON.stringify(stream);
            if (!streams.has(k)) streams.set(k, { stream, values: [] });
            streams.get(k)!.values.push([e.ts, e.line]);
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "success", data: { resultType: "streams", result: [...streams.values()], stats: {} } }));
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            lokiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            resolve();
        }),
    );
}

/** A project with the dev stack (one k3s cluster "dev") and the trusted key file. */
const project = mkdtempSync(path.join(tmpdir(), "akko-evidence-project-"));
const doc = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
writeFileSync(path.join(project, "Pulumi.ev.yaml"), stringify(doc));
const KEY_FILE = path.join(project, "evidence.pub");
writeFileSync(KEY_FILE, KEY.publicKey + "\n");

async function run(args: string[], env: Record<string, string> = { AKKO_LOKI_PASSWORD: PASSWORD }) {
    const out: string[] = [];
    const err: string[] = [];
    // As main() does: an expected failure is one line on stderr and its exit code.
    try {
        const code = await verifyCommand(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) }, { evidence: { now: () => NOW, env } });
        return { code, out, err };
    } catch (e) {
        if (!(e instanceof CliError)) throw e;
        err.push(`akko-audit: ${e.message}`);
        return { code: e.exitCode, out, err };
    }
}

const online = (dir: string, extra: string[] = []) =>
    run([
        "--stack",
        "ev",
        "--project-dir",
        project,
        "--store-url",
        `dir:${dir}`,
        "--loki-url",
        lokiUrl,
        "--from",
        FROM,
        "--to",
        TO,
        "--public-key",
        KEY_FILE,
        "--json",
        ...extra,
    ]);

/** The export an auditor got: logcli's JSON lines (labels included), or Loki's query_range answers, one per line. */
function exportFile(entries: LokiEntry[], shape: "logcli" | "query_range" | "ts"): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "akko-events-")), "events.jsonl");
    const lines =
        shape === "logcli"
            ? entries.map((e) => JSON.stringify({ labels: e.labels, line: e.line, timestamp: nsIso(e.ts) }))
            : shape === "ts"
              ? entries.map((e) => JSON.stringify(e))
              : entries.map((e) =>
                    JSON.stringify({ status: "success", data: { resultType: "streams", result: [{ stream: e.labels, values: [[e.ts, e.line]] }] } }),
                );
    writeFileSync(file, lines.join("\n") + "\n");
    return file;
}
/** Go's RFC3339Nano as logcli prints it, in a +02:00 zone (logcli --timezone), to exercise the offset. */
function nsIso(ns: string): string {
    const ms = Number(BigInt(ns) / 1_000_000n) + 2 * HOUR;
    const frac = (BigInt(ns) % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `${frac ? "." + frac : ""}+02:00`);
}

const offline = (dir: string, events: LokiEntry[], shape: "logcli" | "query_range" | "ts" = "logcli", extra: string[] = []) =>
    run(["--digests", dir, "--events", exportFile(events, shape), "--from", FROM, "--to", TO, "--public-key", KEY_FILE, "--json", ...extra], {});

interface Json {
    ok: boolean;
    trustedKeyIds: string[];
    clusters: {
        cluster: string;
        chain: string[];
        windows: { start: string; status: string; findings: string[]; firstDifference?: { time: string; line?: string } }[];
    }[];
}
const parsed = (r: { out: string[] }) => JSON.parse(r.out.join("\n")) as Json;
const statuses = (r: { out: string[] }) => parsed(r).clusters[0].windows.map((w) => w.status);

/** Runs a case both ways: online (Loki serving `now`) and offline (an export of `now`), expecting the same report. */
async function both(dir: string, now: LokiEntry[]) {
    served = now;
    const on = await online(dir);
    const off = await offline(dir, now);
    assert.deepEqual(parsed(off).clusters, parsed(on).clusters, "offline and online reports differ");
    assert.equal(off.code, on.code);
    return on;
}

describe("akko-audit verify: tamper evidence end to end (online through a loopback Loki, offline from an export)", function () {
    before(startLoki);
    after(() => {
        server.close();
        rmSync(project, { recursive: true, force: true });
    });
    beforeEach(() => (served = ALL));

    it("an untouched chain: every closed window valid, the open one open, exit 0; text report and summary", async () => {
        const { dir } = buildStore();
        const r = await both(dir, ALL);
        assert.equal(r.code, 0, r.out.join("\n"));
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "valid", "open"]);
        const j = parsed(r) as Json & { tool: { version: string }; range: unknown; stack: string; generatedAt: string };
        assert.deepEqual(j.trustedKeyIds, [KEY.id]);
        assert.equal(j.stack, "ev");
        assert.deepEqual(j.range, { from: "2026-12-01T10:00:00.000Z", to: "2026-12-01T15:00:00.000Z" });
        assert.equal(j.generatedAt, new Date(NOW).toISOString());
        assert.equal(j.tool.version, JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
        const text = await run(["--digests", dir, "--events", exportFile(ALL, "ts"), "--from", FROM, "--to", TO, "--public-key", KEY_FILE], {});
        assert.deepEqual(text.out, [
            "cluster dev: [2026-12-01T10:00:00.000Z, 2026-12-01T15:00:00.000Z), 5 window(s)",
            "  2026-12-01T10:00:00Z valid (digest 0)",
            "  2026-12-01T11:00:00Z valid (digest 1)",
            "  2026-12-01T12:00:00Z valid (digest 2)",
            "  2026-12-01T13:00:00Z valid (digest 3)",
            "  2026-12-01T14:00:00Z open",
            "    not closed yet: no digest expected",
            "cluster dev: VERIFIED (4 valid, 1 open)",
            "1 cluster(s) verified: every closed window matches its signed digests",
        ]);
        assert.equal(text.code, 0);
    });

    it("Loki's query_range answers as the export verify the same", async () => {
        const { dir } = buildStore();
        const r = await offline(dir, ALL, "query_range");
        assert.equal(r.code, 0, r.out.join("\n"));
    });

    it("one byte edited: modified, the first differing entry's time and line; exit 1", async () => {
        const { dir } = buildStore();
        const now = ALL.map((e, i) => (i === 4 ? { ...e, line: e.line.replace("Event", "Evenu") } : e));
        assert.notEqual(now[4].line, ALL[4].line);
        const r = await both(dir, now);
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "modified", "valid", "valid", "open"]);
        const w = parsed(r).clusters[0].windows[1];
        assert.deepEqual(w.findings, [`1 entries modified; first difference at ${ALL[4].ts}`]);
        assert.deepEqual(w.firstDifference, { time: "2026-12-01T11:00:01.000000000Z", line: now[4].line.slice(0, 200) });
    });

    it("one line deleted: entries-deleted (no entry there now)", async () => {
        const { dir } = buildStore();
        const r = await both(
            dir,
            ALL.filter((_, i) => i !== 0),
        );
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["entries-deleted", "valid", "valid", "valid", "open"]);
        assert.deepEqual(parsed(r).clusters[0].windows[0].firstDifference, { time: "2026-12-01T10:00:00.000000000Z" });
    });

    it("one line inserted: entries-inserted, quoting it", async () => {
        const { dir } = buildStore();
        const extra = { ts: (BigInt(ALL[6].ts) + 7n).toString(), labels: LABELS, line: ALL[0].line };
        const r = await both(dir, [...ALL, extra]);
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "entries-inserted", "open"]);
        assert.deepEqual(parsed(r).clusters[0].windows[3].findings, [`1 entries inserted; first difference at ${extra.ts}`]);
        assert.equal(parsed(r).clusters[0].windows[3].firstDifference?.line, ALL[0].line.slice(0, 200));
    });

    it("lines reordered within a window (timestamps swapped): two entries modified", async () => {
        const { dir } = buildStore();
        const now = ALL.map((e, i) => (i === 0 ? { ...e, ts: ALL[1].ts } : i === 1 ? { ...e, ts: ALL[0].ts } : e));
        const r = await both(dir, now);
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["modified", "valid", "valid", "valid", "open"]);
        assert.deepEqual(parsed(r).clusters[0].windows[0].findings, [`2 entries modified; first difference at ${ALL[0].ts}`]);
    });

    it("a whole window deleted (its events, digest and leaves): missing digest, then a chain break", async () => {
        const { dir, digests } = buildStore();
        remove(dir, digests[1]);
        const r = await both(
            dir,
            ALL.filter((e) => !inWindow(ALL, W(1)).includes(e)),
        );
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "missing-digest", "chain-break", "valid", "open"]);
        assert.deepEqual(parsed(r).clusters[0].chain, [`digests seq 1..1 are missing before ${nameOf(digests[2])}`]);
    });

    it("the newest window deleted (tail truncation): its closed window has no digest", async () => {
        const { dir, digests } = buildStore();
        remove(dir, digests[3]);
        const r = await both(
            dir,
            ALL.filter((e) => !inWindow(ALL, W(3)).includes(e)),
        );
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "missing-digest", "open"]);
        assert.deepEqual(parsed(r).clusters[0].windows[3].findings, ["no digest for window 2026-12-01T13:00:00Z"]);
    });

    it("a digest deleted (the events kept): missing digest, then a chain break", async () => {
        const { dir, digests } = buildStore();
        remove(dir, digests[2]);
        const r = await both(dir, ALL);
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "valid", "missing-digest", "chain-break", "open"]);
    });

    it("a digest replaced by one signed with another key: bad signature, and the next one no longer chains", async () => {
        const { dir, digests } = buildStore();
        // The same statement, re-signed with a key the attacker holds (the job's own code refuses to do this).
        const { signature: _, ...unsigned } = digests[2];
        const forged = { digest: signDigest({ ...unsigned, key: { id: OTHER.id, publicKey: OTHER.publicKey } }, OTHER) };
        remove(dir, digests[2]);
        put(dir, forged.digest, digestText(forged.digest), "");
        const r = await both(dir, ALL);
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "valid", "bad-signature", "chain-break", "open"]);
        assert.deepEqual(parsed(r).clusters[0].windows[2].findings, [
            `${nameOf(forged.digest)}: signed with key ${OTHER.id}, not the chain's key ${KEY.id} and not endorsed by it`,
        ]);
    });

    it("a replayed old digest (a copy of seq 1 added): chain finding and a chain break on its window", async () => {
        const { dir, digests } = buildStore();
        const name = nameOf(digests[1]);
        const copy = name.replace(/\.json$/, "-copy.json");
        copyFileSync(path.join(dir, name), path.join(dir, copy));
        copyFileSync(path.join(dir, leavesObjectName(name)), path.join(dir, leavesObjectName(copy)));
        const r = await both(dir, ALL);
        assert.equal(r.code, 1);
        assert.deepEqual(statuses(r), ["valid", "chain-break", "valid", "valid", "open"]);
        assert.deepEqual(parsed(r).clusters[0].chain, [`seq 1 appears 2 times (${copy}, ${name}): a digest was replayed`]);
    });

    it("a key rotation done right passes with only the first key trusted", async () => {
        const { dir } = buildStore({ keyFor: (i) => (i < 2 ? { key: KEY } : i === 2 ? { key: OTHER, previousKey: KEY } : { key: OTHER }) });
        const r = await both(dir, ALL);
        assert.equal(r.code, 0, r.out.join("\n"));
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "valid", "open"]);
        // Trusting only the new key does not make the older digests valid.
        const otherFile = path.join(project, "other.pub");
        writeFileSync(otherFile, OTHER.publicKey);
        const onlyNew = await run(
            ["--digests", dir, "--events", exportFile(ALL, "ts"), "--from", FROM, "--to", TO, "--public-key", otherFile, "--json"],
            {},
        );
        assert.equal(onlyNew.code, 1);
        assert.equal(statuses(onlyNew)[0], "bad-signature");
    });

    it("a late entry recorded by its backfill digest passes; without the backfill it is an insertion", async () => {
        const { dir, digests } = buildStore();
        const late = { ts: (BigInt(ALL[0].ts) + 500n).toString(), labels: LABELS, line: ALL[5].line };
        const before = await both(dir, [...ALL, late]);
        assert.deepEqual(statuses(before), ["entries-inserted", "valid", "valid", "valid", "open"]);
        const backfill = nextDigest({
            cluster: CLUSTER,
            kind: "backfill",
            window: W(0),
            computedAt: NOW - 60_000,
            leaves: leavesOf([late]),
            previous: digests[3],
            key: KEY,
        });
        put(dir, backfill.digest, backfill.text, backfill.leaves);
        const r = await both(dir, [...ALL, late]);
        assert.equal(r.code, 0, r.out.join("\n"));
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "valid", "open"]);
    });

    it("a PEM SPKI public key is accepted as the raw key", async () => {
        const { dir } = buildStore();
        const { createPublicKey } = await import("node:crypto");
        const pemFile = path.join(project, "evidence-spki.pem");
        writeFileSync(pemFile, createPublicKey(KEY.privateKey).export({ format: "pem", type: "spki" }).toString());
        const r = await run(["--digests", dir, "--events", exportFile(ALL, "ts"), "--from", FROM, "--to", TO, "--public-key", pemFile, "--json"], {});
        assert.equal(r.code, 0);
        assert.deepEqual(parsed(r).trustedKeyIds, [KEY.id]);
    });

    it("progress on stderr on long ranges, throttled to a line a second", async () => {
        const { dir } = buildStore();
        let t = NOW;
        const err: string[] = [];
        const code = await verifyCommand(
            ["--digests", dir, "--events", exportFile(ALL, "ts"), "--from", FROM, "--to", TO, "--public-key", KEY_FILE],
            { stdout: () => undefined, stderr: (l) => err.push(l) },
            // Each clock read moves 600 ms (start, verifyChain's now, then one per window): windows 1 and 3 are a
            // second or more after the last line, and the last window always prints once progress has shown.
            { evidence: { now: () => (t += 600), env: {} } },
        );
        assert.equal(code, 0);
        assert.deepEqual(err, ["verify: cluster dev: 1/5 windows", "verify: cluster dev: 3/5 windows", "verify: cluster dev: 5/5 windows"]);
    });

    it("usage: mixes, missing parts, bad values and unreadable inputs are one line and exit 2; the password never shows", async () => {
        const { dir } = buildStore();
        const events = exportFile(ALL, "ts");
        const cases: [string[], string][] = [
            [
                ["--stack", "ev", "--from", FROM, "--to", TO, "--identity-file", "k"],
                "verify: --identity-file is an option of the SSH node check, and --from/--to/--digests choose the evidence check; allowed: one or the other (see verify --help)",
            ],
            [
                ["--stack", "ev", "--public-key", KEY_FILE],
                "verify: --public-key is an option of the evidence check; add --from T --to T (or --digests/--events), or drop it for the SSH node check",
            ],
            [["--digests", dir, "--from", FROM, "--to", TO], "verify: --digests needs --events FILE (offline evidence check)"],
            [
                ["--digests", dir, "--events", events, "--stack", "ev", "--from", FROM, "--to", TO],
                "verify: --stack is for the online check; allowed with --digests/--events: --cluster, --from, --to, --public-key, --lateness, --json",
            ],
            [
                ["--digests", dir, "--events", events, "--from", "yesterday", "--to", TO],
                'verify: --from "yesterday"; allowed: an RFC 3339 time such as 2026-12-01T10:00:00Z',
            ],
            [
                ["--digests", dir, "--events", events, "--from", TO, "--to", FROM],
                `verify: --to ${FROM} is not after --from ${TO}; allowed: a range with from < to`,
            ],
            [["--digests", dir, "--events", events, "--from", FROM, "--to", TO], "verify: no trusted public key; pass --public-key FILE"],
            [
                ["--digests", dir, "--events", events, "--from", FROM, "--to", TO, "--public-key", events],
                `verify: --public-key ${events}: not a key; allowed: an Ed25519 public key, PEM SPKI or raw 32 bytes base64`,
            ],
            [
                ["--digests", dir, "--events", events, "--from", FROM, "--to", TO, "--public-key", KEY_FILE, "--cluster", "nope"],
                'verify: --cluster "nope"; allowed: dev',
            ],
            [
                ["--digests", dir, "--events", events, "--from", FROM, "--to", TO, "--public-key", KEY_FILE, "--lateness", "soon"],
                'verify: --lateness "soon"; allowed: a duration such as 90s, 15m or 1h',
            ],
            [
                ["--digests", dir, "--events", path.join(dir, "none.jsonl"), "--from", FROM, "--to", TO],
                `verify: --events ${path.join(dir, "none.jsonl")}: cannot read (ENOENT)`,
            ],
            [
                ["--stack", "ev", "--project-dir", project, "--from", FROM, "--to", TO, "--public-key", KEY_FILE],
                "verify: stack ev has no digest store (logs.evidence.enabled and logs.evidence.store); pass --store-url dir:PATH (a copy of the bucket)",
            ],
            [
                ["--stack", "ev", "--project-dir", project, "--store-url", "s3://b/p", "--from", FROM, "--to", TO, "--public-key", KEY_FILE],
                "verify: --store-url s3://b/p: only a copy is named here; allowed: dir:PATH (a copy of the bucket), or no --store-url to read the stack's logs.evidence.store",
            ],
        ];
        for (const [args, message] of cases) {
            const r = await run(args, {});
            assert.deepEqual([r.code, r.err, r.out], [2, [`akko-audit: ${message}`], []], args.join(" "));
        }
        const noPassword = await run(
            ["--stack", "ev", "--project-dir", project, "--store-url", `dir:${dir}`, "--from", FROM, "--to", TO, "--public-key", KEY_FILE],
            {},
        );
        assert.deepEqual(noPassword.err, [
            "akko-audit: verify: no Loki read password; pass --loki-password-file FILE or set AKKO_LOKI_PASSWORD (the secret named by logs.gatewayPasswordSecret)",
        ]);
        // A wrong password: Loki's 401 is reported, the password is not.
        const pwFile = path.join(project, "pw");
        writeFileSync(pwFile, "wrong-password\n");
        served = ALL;
        const wrong = await run(
            [
                "--stack",
                "ev",
                "--project-dir",
                project,
                "--store-url",
                `dir:${dir}`,
                "--loki-url",
                lokiUrl,
                "--loki-password-file",
                pwFile,
                "--from",
                FROM,
                "--to",
                TO,
                "--public-key",
                KEY_FILE,
            ],
            {},
        );
        assert.equal(wrong.code, 2);
        assert.deepEqual(wrong.err, [`akko-audit: verify: Loki ${lokiUrl}: query_range for cluster dev answered HTTP 401 unauthorized`]);
        assert.ok(!JSON.stringify(wrong).includes("wrong-password"));
    });

    it("an export without the common labels (logcli without --include-common-labels) is refused, naming the fix", async () => {
        const { dir } = buildStore();
        const file = path.join(mkdtempSync(path.join(tmpdir(), "akko-events-")), "e.jsonl");
        writeFileSync(file, JSON.stringify({ labels: {}, line: ALL[0].line, timestamp: "2026-12-01T10:00:00Z" }) + "\n");
        const r = await run(["--digests", dir, "--events", file, "--from", FROM, "--to", TO, "--public-key", KEY_FILE], {});
        assert.equal(r.code, 2);
        assert.deepEqual(r.err, [
            `akko-audit: verify: --events ${file} line 1: no label job, cluster, source; every entry needs job, cluster and source (logcli: add --include-common-labels)`,
        ]);
    });

    it("reads Loki once per closed window, never for the open one, when nothing differs", async () => {
        const { dir } = buildStore();
        queries = 0;
        served = ALL;
        await online(dir);
        assert.equal(queries, 4);
    });
});
