import { createHash } from "node:crypto";
import { STREAM_LABELS } from "../labels";

/** One stored line as Loki returns it: its time in nanoseconds since the epoch (decimal text), labels, line. */
export interface LokiEntry {
    ts: string;
    labels: Record<string, string>;
    line: string;
}

/**
 * The canonical form of an entry: [time, the labels that identify its source, line] as JSON with sorted keys.
 * Only the stream labels are kept (job, cluster, source): Loki's query answer also lists structured metadata
 * among a stream's labels, which the evidence need not depend on (it is derived from the line).
 */
export function canonicalEntry(e: LokiEntry): string {
    const labels: Record<string, string> = {};
    for (const l of [...STREAM_LABELS].sort()) if (e.labels[l] !== undefined) labels[l] = e.labels[l];
    return JSON.stringify([e.ts, labels, e.line]);
}

/** The entry's leaf: SHA-256 of its canonical form, hex. */
export function leafHash(e: LokiEntry): string {
    return createHash("sha256").update(canonicalEntry(e), "utf8").digest("hex");
}

export interface Leaf {
    ts: string;
    hash: string;
}

/** Orders two times in nanoseconds (decimal text, no leading zeros) as numbers, without BigInt. */
export function compareTs(a: string, b: string): number {
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** The stable order of a window's leaves: by time, then by hash (Loki's order of same-instant lines is not stable). */
export function sortLeaves(leaves: Leaf[]): Leaf[] {
    return leaves.sort((a, b) => compareTs(a.ts, b.ts) || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
}

export function leavesOf(entries: readonly LokiEntry[]): Leaf[] {
    return sortLeaves(entries.map((e) => ({ ts: e.ts, hash: leafHash(e) })));
}

/** The leaves file stored beside a digest: one "<ts> <hash>" line per entry, in the stable order. */
export function leavesText(leaves: readonly Leaf[]): string {
    return leaves.map((l) => `${l.ts} ${l.hash}\n`).join("");
}

export function parseLeaves(text: string): Leaf[] {
    const out: Leaf[] = [];
    for (const [i, line] of text.split("\n").entries()) {
        if (line === "") continue;
        const m = /^(\d{1,20}) ([0-9a-f]{64})$/.exec(line);
        if (!m) throw new Error(`leaves line ${i + 1}: not "<ts> <sha256>"`);
        out.push({ ts: m[1], hash: m[2] });
    }
    return out;
}

export const sha256Hex = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** Nanoseconds since the epoch (decimal text) of an ISO time. */
export function isoToNs(iso: string): string {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new Error(`not a time: ${iso}`);
    return (BigInt(ms) * 1_000_000n).toString();
}

export function nsToIso(ns: string): string {
    const big = BigInt(ns);
    const ms = Number(big / 1_000_000n);
    const frac = (big % 1_000_000_000n).toString().padStart(9, "0");
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}
