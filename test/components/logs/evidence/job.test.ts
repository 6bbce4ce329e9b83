import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { bundleEvidenceJob } from "../../../../components/logs/evidence/bundle";
import { verifyChain } from "../../../../components/logs/evidence/chain";
import { signingKey } from "../../../../components/logs/evidence/digest";
import { isoToNs, leavesOf, LokiEntry } from "../../../../components/logs/evidence/entries";
import { JobEvent, jobSettingsFromEnv, runEvidenceJob } from "../../../../components/logs/evidence/job";
import { DirStore, readChain } from "../../../../components/logs/evidence/store";
import { loopback, lokiQueryRange } from "./loopback";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-01T10:00:00Z");
const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const KEY_PEM = pem();
const KEY = signingKey(KEY_PEM);
const NEW = signingKey(pem());
const LABELS = { job: "k3s-audit", cluster: "edge", source: "k3s" };
const at = (ms: number, line: string): LokiEntry => ({ ts: isoToNs(new Date(ms).toISOString()), labels: LABELS, line });
const inWindow = (all: LokiEntry[], s: number, e: number) =>
    all.filter((x) => BigInt(x.ts) >= BigInt(s) * 1_000_000n && BigInt(x.ts) < BigInt(e) * 1_000_000n);

/** Loki stands in as a list of entries (the reader's HTTP side has its own test); the store is a real directory. */
function setup() {
    const dir = mkdtempSync(path.join(tmpdir(), "evidence-job-"));
    const loki: LokiEntry[] = [at(T0 + 1000, '{"a":1}'), at(T0 + 2000, '{"a":2}'), at(T0 + 2 * HOUR + 5, '{"c":1}')];
    const events: JobEvent[] = [];
    const run = (now: number, extra: Partial<Parameters<typeof runEvidenceJob>[0]> = {}) =>
        runEvidenceJob({
            clusters: ["edge"],
            reader: { entries: async (_c, s, e) => inWindow(loki, s, e) },
            store: new DirStore(dir),
            key: KEY,
            windowMs: HOUR,
            latenessMs: 5 * 60_000,
            backfillLookbackMs: 6 * HOUR,
            now,
            maxWindowsPerRun: 100,
            firstWindowStart: T0,
            log: (e) => events.push(e),
            ...extra,
        });
    const verify = async (now: number, trusted = [KEY.publicKey]) =>
        verifyChain({
            cluster: "edge",
            stored: await readChain(new DirStore(dir), "edge"),
            trustedKeys: trusted,
            from: T0,
            to: Math.floor(now / HOUR) * HOUR,
            now,
            windowMs: HOUR,
            latenessMs: 5 * 60_000,
            current: async (w) => leavesOf(inWindow(loki, w.start, w.end)),
        });
    return { dir, loki, events, run, verify, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("evidence job", () => {
    it("signs every closed window from the first start, an empty one included, and the next run only the new ones", async () => {
        const t = setup();
        try {
            const [s] = await t.run(T0 + 3 * HOUR + 6 * 60_000);
            assert.deepEqual(s, { cluster: "edge", windows: 3, backfills: 0, behind: 0, failures: [] });
            assert.deepEqual(readdirSync(path.join(t.dir, "edge")), [
                "0000000000-window-20261201T100000Z.json",
                "0000000000-window-20261201T100000Z.leaves",
                "0000000001-window-20261201T110000Z.json",
                "0000000001-window-20261201T110000Z.leaves",
                "0000000002-window-20261201T120000Z.json",
                "0000000002-window-20261201T120000Z.leaves",
            ]);
            const [again] = await t.run(T0 + 4 * HOUR + 6 * 60_000);
            assert.equal(again.windows, 1);
            const r = await t.verify(T0 + 4 * HOUR + 6 * 60_000);
            assert.equal(r.ok, true, JSON.stringify(r, null, 1));
            assert.deepEqual(
                r.windows.map((w) => w.status),
                ["valid", "valid", "valid", "valid"],
            );
            assert.deepEqual(
                t.events.filter((e) => e.event === "digest").map((e) => [e.seq, e.entries]),
                [
                    [0, 2],
                    [1, 0],
                    [2, 1],
                    [3, 0],
                ],
            );
        } finally {
            t.cleanup();
        }
    });

    it("late entries go into a backfill digest; deleted ones are reported, never covered", async () => {
        const t = setup();
        try {
            await t.run(T0 + 3 * HOUR + 6 * 60_000);
            t.loki.push(at(T0 + 1500, '{"late":1}'));
            const [s] = await t.run(T0 + 3 * HOUR + 10 * 60_000);
            assert.deepEqual(s, { cluster: "edge", windows: 0, backfills: 1, behind: 0, failures: [] });
            assert.equal((await t.verify(T0 + 3 * HOUR + 10 * 60_000)).ok, true);
            assert.deepEqual((await t.verify(T0 + 3 * HOUR + 10 * 60_000)).windows[0].digests, [0, 3]);
            // An administrator deletes an entry: the job says so and does not sign over it.
            t.loki.splice(0, 1);
            const [d] = await t.run(T0 + 3 * HOUR + 20 * 60_000);
            assert.deepEqual(d.failures, [
                `window 2026-12-01T10:00:00Z: 1 recorded entries are no longer in Loki (first at 2026-12-01T10:00:01.000000000Z); not backfilling it, akko-audit verify shows the difference`,
            ]);
            assert.equal(d.backfills, 0);
            assert.equal((await t.verify(T0 + 3 * HOUR + 20 * 60_000)).windows[0].status, "entries-deleted");
        } finally {
            t.cleanup();
        }
    });

    it("key rotation: refused without the outgoing key, recorded and verifiable with it", async () => {
        const t = setup();
        try {
            await t.run(T0 + HOUR + 6 * 60_000);
            const [refused] = await t.run(T0 + 2 * HOUR + 6 * 60_000, { key: NEW });
            assert.deepEqual(refused.failures, [
                `cluster edge: the chain is signed with key ${KEY.id}, the signing key is ${NEW.id}; a rotation needs the outgoing key as the previous signing key`,
            ]);
            const [ok] = await t.run(T0 + 2 * HOUR + 6 * 60_000, { key: NEW, previousKey: KEY });
            assert.deepEqual(ok.failures, []);
            assert.equal(t.events.find((e) => e.event === "digest" && e.rotatedFrom)?.rotatedFrom, KEY.id);
            assert.equal((await t.verify(T0 + 2 * HOUR + 6 * 60_000)).ok, true);
        } finally {
            t.cleanup();
        }
    });

    it("a name another run wrote stops the cluster; a run stopped after its leaves file resumes; catching up is bounded", async () => {
        const t = setup();
        try {
            const store = new DirStore(t.dir);
            await store.putOnce("edge/0000000000-window-20261201T100000Z.leaves", "stale\n");
            const [s] = await t.run(T0 + HOUR + 6 * 60_000);
            assert.deepEqual(s.failures, [
                "edge/0000000000-window-20261201T100000Z.leaves exists already: another run wrote it; stopping cluster edge for this run",
            ]);
            rmSync(path.join(t.dir, "edge"), { recursive: true });
            const leaves = leavesOf(inWindow(t.loki, T0, T0 + HOUR));
            await store.putOnce("edge/0000000000-window-20261201T100000Z.leaves", leaves.map((l) => `${l.ts} ${l.hash}\n`).join(""));
            const [b] = await t.run(T0 + 3 * HOUR + 6 * 60_000, { maxWindowsPerRun: 2 });
            assert.deepEqual(b, { cluster: "edge", windows: 2, backfills: 0, behind: 1, failures: [] });
            assert.deepEqual(
                t.events.filter((e) => e.event === "resumed" || e.event === "behind").map((e) => e.event),
                ["behind", "resumed"],
            );
        } finally {
            t.cleanup();
        }
    });

    it("settings from the environment: one line per problem, naming the variable; secrets not echoed", () => {
        assert.throws(
            () =>
                jobSettingsFromEnv({
                    LOKI_URL: "loki:3100",
                    LOKI_USERNAME: "reader",
                    LOKI_PASSWORD: "pw",
                    CLUSTERS: "edge,Bad_Name",
                    WINDOW: "1 hour",
                    SIGNING_KEY: "-----BEGIN PRIVATE KEY-----\nsecret-material\n-----END PRIVATE KEY-----",
                    STORE_TYPE: "s3",
                    STORE_BUCKET: "b",
                    STORE_REGION: "eu-west-1",
                    STORE_RETENTION_DAYS: "0",
                    AWS_ACCESS_KEY_ID: "AKID",
                }),
            (e: Error) => {
                assert.deepEqual(e.message.split("\n"), [
                    'LOKI_URL: "loki:3100"; allowed: an http(s):// URL',
                    'CLUSTERS: "Bad_Name"; allowed: cluster names (lowercase letters, digits and -), comma-separated',
                    'WINDOW: "1 hour"; allowed: a duration such as 1h (a number and s, m, h or d), at least 60s',
                    "SIGNING_KEY: (secret, not shown) not a PKCS#8 PEM private key (openssl genpkey -algorithm ed25519)",
                    'STORE_RETENTION_DAYS: "0"; allowed: a whole number above 0',
                    "AWS_SECRET_ACCESS_KEY: not set; allowed: the digest writer's secret access key",
                ]);
                assert.ok(!e.message.includes("secret-material"));
                return true;
            },
        );
        const ok = jobSettingsFromEnv({
            LOKI_URL: "http://loki-gateway",
            LOKI_USERNAME: "reader",
            LOKI_PASSWORD: "pw",
            CLUSTERS: "edge, core",
            SIGNING_KEY: KEY_PEM,
            STORE_TYPE: "dir",
            STORE_DIR: "/tmp/x",
        });
        assert.deepEqual(
            [ok.clusters, ok.windowMs, ok.latenessMs, ok.backfillLookbackMs, ok.maxWindowsPerRun, ok.key.id, ok.store],
            [["edge", "core"], HOUR, 300_000, 24 * HOUR, 168, KEY.id, { type: "dir", dir: "/tmp/x" }],
        );
    });

    it("bundles into one deterministic file that runs with node against a loopback Loki and a directory store; the chain it writes verifies", async () => {
        const code = bundleEvidenceJob();
        assert.equal(bundleEvidenceJob(), code, "same source, same bytes");
        assert.doesNotMatch(code, /require\("(esbuild|zod|@pulumi\/[^"]+)"\)/);
        const dir = mkdtempSync(path.join(tmpdir(), "evidence-bundle-"));
        const hourNow = Math.floor(Date.now() / HOUR) * HOUR;
        const first = hourNow - 3 * HOUR;
        const entries = [
            at(first + 10, '{"x":1}'),
            at(first + HOUR + 20, '{"x":2}'),
            { ...at(first + 30, '{"x":3}'), labels: { ...LABELS, cluster: "core" } },
        ];
        // Loki stands in as the loopback query_range server (its documented response shape, loopback.ts).
        const loki = await loopback(lokiQueryRange(() => entries, { username: "reader", password: "pw" }));
        try {
            writeFileSync(path.join(dir, "job.js"), code);
            const run = await promisify(execFile)(process.execPath, [path.join(dir, "job.js")], {
                env: {
                    PATH: process.env.PATH,
                    LOKI_URL: loki.url,
                    LOKI_USERNAME: "reader",
                    LOKI_PASSWORD: "pw",
                    CLUSTERS: "edge,core",
                    WINDOW: "1h",
                    LATENESS: "0s",
                    FIRST_WINDOW_START: new Date(first).toISOString(),
                    SIGNING_KEY: KEY_PEM,
                    STORE_TYPE: "dir",
                    STORE_DIR: path.join(dir, "store"),
                },
            });
            const lines = run.stdout
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l));
            assert.deepEqual(lines.at(-1), { time: lines.at(-1).time, level: "info", event: "done", ok: true, failedClusters: [] });
            assert.ok(!run.stdout.includes("PRIVATE KEY") && !run.stdout.includes('"pw"'));
            for (const cluster of ["edge", "core"]) {
                const r = await verifyChain({
                    cluster,
                    stored: await readChain(new DirStore(path.join(dir, "store")), cluster),
                    trustedKeys: [KEY.publicKey],
                    from: first,
                    to: hourNow,
                    now: hourNow + 1,
                    windowMs: HOUR,
                    latenessMs: 0,
                    current: async (w) =>
                        leavesOf(
                            inWindow(
                                entries.filter((e) => e.labels.cluster === cluster),
                                w.start,
                                w.end,
                            ),
                        ),
                });
                assert.equal(r.ok, true, JSON.stringify(r, null, 1));
                assert.deepEqual(
                    r.windows.map((w) => w.status),
                    ["valid", "valid", "valid"],
                );
            }
        } finally {
            await loki.close();
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
