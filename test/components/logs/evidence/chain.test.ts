import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { closedWindows, nextDigest, StoredDigest, verifyChain } from "../../../../components/logs/evidence/chain";
import { signingKey } from "../../../../components/logs/evidence/digest";
import { isoToNs, leavesOf, LokiEntry } from "../../../../components/logs/evidence/entries";
import { normalizeLine } from "../../../../components/logs/normalize/normalize";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-01T10:00:00Z");
const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const KEY = signingKey(pem());
const OTHER = signingKey(pem());
const LABELS = { job: "k3s-audit", cluster: "edge", source: "k3s" };

/** Real events (falco's, and the audit2rbac demo when ../shared is here), normalised as Alloy stores them, one hour apart. */
function realLines(): string[] {
    const files = [
        path.join(__dirname, "../../../fixtures/audit-formats/falco-secret-events.jsonl"),
        path.join(__dirname, "../../../../../shared/samples/audit2rbac-demo-v1.jsonl"),
    ];
    return files.filter(existsSync).flatMap((f) =>
        readFileSync(f, "utf8")
            .split("\n")
            .filter(Boolean)
            .flatMap((l) => normalizeLine(l).map((n) => n.line)),
    );
}

/** Entries in windows 0..3 (window 2 empty): 3 entries per non-empty window, seconds apart. */
function entries(): LokiEntry[] {
    const lines = realLines();
    const out: LokiEntry[] = [];
    for (const w of [0, 1, 3])
        for (let i = 0; i < 3; i++)
            out.push({
                ts: isoToNs(new Date(T0 + w * HOUR + i * 1000).toISOString()),
                labels: { ...LABELS, audit_verb: "x" },
                line: lines[(w * 3 + i) % lines.length],
            });
    return out;
}

function inWindow(all: LokiEntry[], w: { start: number; end: number }) {
    return all.filter((e) => BigInt(e.ts) >= BigInt(w.start) * 1_000_000n && BigInt(e.ts) < BigInt(w.end) * 1_000_000n);
}

/** The job's side: one signed window digest per closed window, in order. */
function chainFor(all: LokiEntry[], windows = 4, key = KEY): StoredDigest[] {
    const stored: StoredDigest[] = [];
    let previous;
    for (const w of closedWindows(T0, T0 + windows * HOUR + 5 * 60_000, HOUR, 5 * 60_000)) {
        const { digest, text, leaves } = nextDigest({
            cluster: "edge",
            kind: "window",
            window: w,
            computedAt: w.end + 300_000,
            leaves: leavesOf(inWindow(all, w)),
            previous,
            key,
        });
        stored.push({ name: `edge/${digest.window.start}-window-${digest.seq}.json`, text, leaves });
        previous = digest;
    }
    return stored;
}

async function verify(stored: StoredDigest[], now: LokiEntry[], trusted = [KEY.publicKey]) {
    return verifyChain({
        cluster: "edge",
        stored,
        trustedKeys: trusted,
        from: T0,
        to: T0 + 4 * HOUR,
        now: T0 + 4 * HOUR + 10 * 60_000,
        windowMs: HOUR,
        latenessMs: 5 * 60_000,
        current: async (w) => leavesOf(inWindow(now, w)),
    });
}

const statuses = (r: Awaited<ReturnType<typeof verify>>) => r.windows.map((w) => w.status);

describe("evidence: signed digest chain and the tamper matrix (offline)", () => {
    const all = entries();

    it("an untouched chain verifies, empty window included (signed empty digest)", async () => {
        const r = await verify(chainFor(all), all);
        assert.equal(r.ok, true, JSON.stringify(r, null, 1));
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "valid"]);
        assert.deepEqual(r.windows[2].digests, [2]);
    });

    it("one byte edited in a line: modified, naming the entry's time", async () => {
        const now = all.map((e, i) => (i === 4 ? { ...e, line: e.line.replace("Event", "Evenu") } : e));
        const r = await verify(chainFor(all), now);
        assert.equal(r.ok, false);
        assert.deepEqual(statuses(r), ["valid", "modified", "valid", "valid"]);
        assert.deepEqual(r.windows[1].findings, [`1 entries modified; first difference at ${all[4].ts}`]);
    });

    it("one line deleted / one inserted / timestamps swapped between two lines", async () => {
        const del = await verify(
            chainFor(all),
            all.filter((_, i) => i !== 0),
        );
        assert.deepEqual(statuses(del), ["entries-deleted", "valid", "valid", "valid"]);
        const ins = await verify(chainFor(all), [...all, { ...all[0], ts: (BigInt(all[0].ts) + 1n).toString() }]);
        assert.deepEqual(statuses(ins), ["entries-inserted", "valid", "valid", "valid"]);
        const swapped = all.map((e, i) => (i === 0 ? { ...e, line: all[1].line } : i === 1 ? { ...e, line: all[0].line } : e));
        const sw = await verify(chainFor(all), swapped);
        assert.deepEqual(statuses(sw), ["modified", "valid", "valid", "valid"]);
        assert.equal(sw.windows[0].diff?.modified, 2);
    });

    it("a whole window deleted (its events and its digest): missing digest and a chain break", async () => {
        const stored = chainFor(all).filter((_, i) => i !== 1);
        const r = await verify(
            stored,
            all.filter((e) => !inWindow(all, { start: T0 + HOUR, end: T0 + 2 * HOUR }).includes(e)),
        );
        assert.equal(r.ok, false);
        assert.deepEqual(statuses(r), ["valid", "missing-digest", "chain-break", "valid"]);
        assert.deepEqual(r.chain, ["digests seq 1..1 are missing before edge/2026-12-01T12:00:00Z-window-2.json"]);
    });

    it("the newest window deleted (tail truncation): its closed window has no digest", async () => {
        const r = await verify(
            chainFor(all).slice(0, 3),
            all.filter((e) => !inWindow(all, { start: T0 + 3 * HOUR, end: T0 + 4 * HOUR }).includes(e)),
        );
        assert.deepEqual(statuses(r), ["valid", "valid", "valid", "missing-digest"]);
    });

    it("a digest replaced by one signed with another key; a replayed old digest", async () => {
        const stored = chainFor(all);
        const forged = chainFor(all, 4, OTHER);
        const r = await verify([...stored.slice(0, 2), forged[2], stored[3]], all);
        assert.deepEqual(statuses(r), ["valid", "valid", "bad-signature", "chain-break"]);
        const replay = await verify([...stored, { ...stored[1], name: "edge/replayed.json" }], all);
        assert.equal(replay.ok, false);
        assert.match(replay.chain[0], /^seq 1 appears 2 times .*a digest was replayed$/);
    });

    it("key rotation done right passes; a rotation without the old key's endorsement fails", async () => {
        const stored = chainFor(all).slice(0, 2);
        const first = JSON.parse(stored[1].text);
        const w = { start: T0 + 2 * HOUR, end: T0 + 3 * HOUR };
        const rotated = nextDigest({
            cluster: "edge",
            kind: "window",
            window: w,
            computedAt: w.end,
            leaves: [],
            previous: first,
            key: OTHER,
            previousKey: KEY,
        });
        const w3 = { start: T0 + 3 * HOUR, end: T0 + 4 * HOUR };
        const after = nextDigest({
            cluster: "edge",
            kind: "window",
            window: w3,
            computedAt: w3.end,
            leaves: leavesOf(inWindow(all, w3)),
            previous: rotated.digest,
            key: OTHER,
        });
        const ok = await verify(
            [...stored, { name: "r", text: rotated.text, leaves: rotated.leaves }, { name: "a", text: after.text, leaves: after.leaves }],
            all,
        );
        assert.equal(ok.ok, true, JSON.stringify(ok, null, 1));
        assert.throws(
            () => nextDigest({ cluster: "edge", kind: "window", window: w, computedAt: w.end, leaves: [], previous: first, key: OTHER }),
            new Error(
                `cluster edge: the chain is signed with key ${KEY.id}, the signing key is ${OTHER.id}; a rotation needs the outgoing key as the previous signing key`,
            ),
        );
    });

    it("late data: a backfill digest records it and the window stays valid; without one it shows as inserted", async () => {
        const stored = chainFor(all);
        const late = { ts: (BigInt(all[0].ts) + 500n).toString(), labels: LABELS, line: all[5].line };
        const now = [...all, late];
        assert.deepEqual(statuses(await verify(stored, now)), ["entries-inserted", "valid", "valid", "valid"]);
        const last = JSON.parse(stored[3].text);
        const w = { start: T0, end: T0 + HOUR };
        const backfill = nextDigest({
            cluster: "edge",
            kind: "backfill",
            window: w,
            computedAt: T0 + 4 * HOUR,
            leaves: leavesOf([late]),
            previous: last,
            key: KEY,
        });
        const r = await verify([...stored, { name: "b", text: backfill.text, leaves: backfill.leaves }], now);
        assert.equal(r.ok, true, JSON.stringify(r, null, 1));
        assert.deepEqual(r.windows[0].digests, [0, 4]);
    });
});
