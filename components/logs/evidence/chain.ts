import { diffLeaves, LeafDiff } from "./diff";
import {
    Digest,
    DIGEST_VERSION,
    digestHash,
    digestText,
    endorse,
    endorsementValid,
    keyIdOf,
    signatureValid,
    signDigest,
    SigningKey,
    UnsignedDigest,
} from "./digest";
import { Leaf, leavesText, parseLeaves, sha256Hex } from "./entries";

/** A digest as stored: its object name, its bytes, and the bytes of its leaves file (absent when missing). */
export interface StoredDigest {
    name: string;
    text: string;
    leaves?: string;
}

/** The windows [start, end) of `windowMs` (aligned to the epoch) that are closed at `now`: ended at least `latenessMs` ago. */
export function closedWindows(fromMs: number, now: number, windowMs: number, latenessMs: number): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    for (let s = Math.floor(fromMs / windowMs) * windowMs; s + windowMs + latenessMs <= now; s += windowMs) out.push({ start: s, end: s + windowMs });
    return out;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/**
 * The next digest of a chain, signed. A new key continues the chain only with the outgoing key's endorsement
 * (`previousKey`, the key the chain was signed with), recorded in the digest.
 */
export function nextDigest(args: {
    cluster: string;
    kind: Digest["kind"];
    window: { start: number; end: number };
    computedAt: number;
    leaves: Leaf[];
    previous?: Digest;
    key: SigningKey;
    previousKey?: SigningKey;
}): { digest: Digest; text: string; leaves: string } {
    const leaves = leavesText(args.leaves);
    const seq = args.previous ? args.previous.seq + 1 : 0;
    const unsigned: UnsignedDigest = {
        version: DIGEST_VERSION,
        kind: args.kind,
        cluster: args.cluster,
        seq,
        window: { start: iso(args.window.start), end: iso(args.window.end) },
        computedAt: new Date(args.computedAt).toISOString(),
        entries: { count: args.leaves.length, leavesSha256: sha256Hex(leaves) },
        ...(args.previous ? { previous: { sha256: digestHash(args.previous), signature: args.previous.signature } } : {}),
        key: { id: args.key.id, publicKey: args.key.publicKey },
    };
    if (args.previous && args.previous.key.id !== args.key.id) {
        const old = args.previousKey;
        if (!old || old.id !== args.previous.key.id)
            throw new Error(
                `cluster ${args.cluster}: the chain is signed with key ${args.previous.key.id}, the signing key is ${args.key.id}; ` +
                    `a rotation needs the outgoing key as the previous signing key`,
            );
        unsigned.rotation = { fromKeyId: old.id, endorsement: endorse(args.cluster, seq, unsigned.key, old) };
    }
    const digest = signDigest(unsigned, args.key);
    return { digest, text: digestText(digest), leaves };
}

export type WindowStatus =
    "valid" | "open" | "modified" | "entries-deleted" | "entries-inserted" | "missing-digest" | "chain-break" | "bad-signature" | "gap";

export interface WindowReport {
    start: string;
    end: string;
    status: WindowStatus;
    /** Every finding, one line each. */
    findings: string[];
    diff?: LeafDiff;
    /** Sequence numbers of the digests that cover the window. */
    digests: number[];
}

export interface ChainReport {
    cluster: string;
    ok: boolean;
    /** Findings about the chain itself (not tied to one window). */
    chain: string[];
    windows: WindowReport[];
}

const SEVERITY: WindowStatus[] = [
    "bad-signature",
    "chain-break",
    "missing-digest",
    "gap",
    "modified",
    "entries-deleted",
    "entries-inserted",
    "open",
    "valid",
];

function parse(d: StoredDigest): Digest | string {
    try {
        const v = JSON.parse(d.text) as Digest;
        if (v.version !== DIGEST_VERSION)
            return `${d.name}: digest version ${JSON.stringify(v.version)}; this verifier reads version ${DIGEST_VERSION}`;
        if (typeof v.seq !== "number" || typeof v.signature !== "string" || !v.window || !v.key || !v.entries) return `${d.name}: not a digest`;
        return v;
    } catch {
        return `${d.name}: not JSON`;
    }
}

/**
 * Verifies one cluster's chain and, for every closed window in [from, to), that what Loki holds now (`current`)
 * is exactly what the window's digests recorded. Trust starts at `trustedKeys` (raw Ed25519 public keys,
 * base64): the first digest must be signed by one; later keys only through an endorsed rotation.
 */
export async function verifyChain(args: {
    cluster: string;
    stored: StoredDigest[];
    trustedKeys: string[];
    from: number;
    to: number;
    now: number;
    windowMs: number;
    latenessMs: number;
    current: (window: { start: number; end: number }) => Promise<Leaf[]>;
    progress?: (done: number, total: number) => void;
}): Promise<ChainReport> {
    const chain: string[] = [];
    const trusted = new Set(args.trustedKeys.map(keyIdOf));
    const bySeq = new Map<number, { d: Digest; s: StoredDigest }[]>();
    for (const s of args.stored) {
        const d = parse(s);
        if (typeof d === "string") {
            chain.push(d);
            continue;
        }
        if (d.cluster !== args.cluster) {
            chain.push(`${s.name}: a digest of cluster ${d.cluster} among ${args.cluster}'s`);
            continue;
        }
        bySeq.set(d.seq, [...(bySeq.get(d.seq) ?? []), { d, s }]);
    }
    /** Findings per window start (ms). */
    const windowFindings = new Map<number, { status: WindowStatus; text: string }[]>();
    const note = (start: string, status: WindowStatus, text: string) => {
        const k = Date.parse(start);
        windowFindings.set(k, [...(windowFindings.get(k) ?? []), { status, text }]);
    };
    const covering = new Map<number, { d: Digest; leaves?: Leaf[] }[]>();
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    let prev: Digest | undefined;
    let chainKey: Digest["key"] | undefined;
    let prevWindowEnd: string | undefined;
    let expected = 0;
    for (const seq of seqs) {
        const copies = bySeq.get(seq)!;
        if (copies.length > 1) {
            chain.push(`seq ${seq} appears ${copies.length} times (${copies.map((c) => c.s.name).join(", ")}): a digest was replayed`);
            for (const c of copies) note(c.d.window.start, "chain-break", `digest seq ${seq} appears ${copies.length} times (replayed)`);
        }
        const { d, s } = copies[0];
        if (seq !== expected) {
            const text = seq > expected ? `digests seq ${expected}..${seq - 1} are missing before ${s.name}` : `seq ${seq} out of order`;
            chain.push(text);
            note(d.window.start, "chain-break", text);
        }
        if (!signatureValid(d)) note(d.window.start, "bad-signature", `${s.name}: the signature does not verify with the key it names (${d.key.id})`);
        // The chain's key moves on only through an accepted digest: a forged one does not hand it over.
        if (!chainKey) {
            if (trusted.has(keyIdOf(d.key.publicKey))) chainKey = d.key;
            else note(d.window.start, "bad-signature", `${s.name}: signed with key ${d.key.id}, which is not a trusted key`);
        } else if (d.key.publicKey !== chainKey.publicKey) {
            if (d.rotation && d.rotation.fromKeyId === chainKey.id && endorsementValid(d, chainKey.publicKey) && signatureValid(d)) chainKey = d.key;
            else
                note(
                    d.window.start,
                    "bad-signature",
                    `${s.name}: signed with key ${d.key.id}, not the chain's key ${chainKey.id} and not endorsed by it`,
                );
        }
        if (prev && seq === prev.seq + 1) {
            if (!d.previous || d.previous.sha256 !== digestHash(prev) || d.previous.signature !== prev.signature)
                note(d.window.start, "chain-break", `${s.name}: does not carry the hash and signature of digest seq ${prev.seq}`);
        }
        if (d.kind === "window" && prevWindowEnd !== undefined && d.window.start !== prevWindowEnd) {
            const gap = Date.parse(d.window.start) > Date.parse(prevWindowEnd);
            note(
                d.window.start,
                gap ? "gap" : "chain-break",
                gap
                    ? `no digest for [${prevWindowEnd}, ${d.window.start})`
                    : `window ${d.window.start} overlaps the previous one (ends ${prevWindowEnd})`,
            );
        }
        let leaves: Leaf[] | undefined;
        if (s.leaves === undefined) note(d.window.start, "chain-break", `${s.name}: its leaves file is missing`);
        else if (sha256Hex(s.leaves) !== d.entries.leavesSha256) note(d.window.start, "chain-break", `${s.name}: its leaves file was altered`);
        else {
            leaves = parseLeaves(s.leaves);
            if (leaves.length !== d.entries.count)
                note(d.window.start, "chain-break", `${s.name}: ${leaves.length} leaves for a count of ${d.entries.count}`);
        }
        const k = Date.parse(d.window.start);
        covering.set(k, [...(covering.get(k) ?? []), { d, leaves }]);
        if (d.kind === "window") prevWindowEnd = d.window.end;
        prev = d;
        expected = seq + 1;
    }
    const windows: WindowReport[] = [];
    const all: { start: number; end: number }[] = [];
    for (let st = Math.floor(args.from / args.windowMs) * args.windowMs; st < args.to; st += args.windowMs)
        all.push({ start: st, end: st + args.windowMs });
    const inRange = new Set(all.map((w) => w.start));
    // Chain findings on digests outside the range still fail the verification.
    for (const [start, fs] of windowFindings) if (!inRange.has(start)) for (const f of fs) chain.push(`${iso(start)}: ${f.text}`);
    let done = 0;
    for (const w of all) {
        const findings = [...(windowFindings.get(w.start) ?? [])];
        const cover = covering.get(w.start) ?? [];
        const report: WindowReport = { start: iso(w.start), end: iso(w.end), status: "valid", findings: [], digests: cover.map((c) => c.d.seq) };
        if (w.end + args.latenessMs > args.now) {
            report.status = "open";
            report.findings.push("not closed yet: no digest expected");
        } else if (!cover.some((c) => c.d.kind === "window")) {
            findings.push({ status: "missing-digest", text: `no digest for window ${report.start}` });
        } else if (cover.every((c) => c.leaves)) {
            const recorded = cover.flatMap((c) => c.leaves!);
            const diff = diffLeaves(recorded, await args.current(w));
            if (diff.modified + diff.deleted + diff.inserted > 0) {
                report.diff = diff;
                const first = diff.first ? `; first difference at ${diff.first.ts}` : "";
                if (diff.modified) findings.push({ status: "modified", text: `${diff.modified} entries modified${first}` });
                if (diff.deleted) findings.push({ status: "entries-deleted", text: `${diff.deleted} entries deleted${first}` });
                if (diff.inserted) findings.push({ status: "entries-inserted", text: `${diff.inserted} entries inserted${first}` });
            }
        }
        if (findings.length > 0) {
            report.findings = findings.map((f) => f.text);
            report.status = SEVERITY.find((s) => findings.some((f) => f.status === s))!;
        }
        windows.push(report);
        args.progress?.(++done, all.length);
    }
    const ok = chain.length === 0 && windows.every((w) => w.status === "valid" || w.status === "open");
    return { cluster: args.cluster, ok, chain, windows };
}
