import { compareTs, Leaf } from "./entries";

/** How the entries Loki holds now differ from what a window's digests recorded. */
export interface LeafDiff {
    /** Entries whose content changed (a recorded entry at an instant replaced by a different one there). */
    modified: number;
    /** Recorded entries no longer in Loki. */
    deleted: number;
    /** Entries in Loki that no digest recorded. */
    inserted: number;
    /** The earliest difference: its time and the recorded and current leaf there (either may be absent). */
    first?: { ts: string; recorded?: string; current?: string };
}

function byTs(leaves: readonly Leaf[]): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const l of leaves) {
        const list = m.get(l.ts);
        if (list) list.push(l.hash);
        else m.set(l.ts, [l.hash]);
    }
    return m;
}

/**
 * Compares recorded and current leaves instant by instant: at each instant, hashes present on both sides
 * match; of the rest, as many as pair up are modifications, the others deletions or insertions. Moving a
 * line to another entry's time (reordering) changes both entries: two modifications.
 */
export function diffLeaves(recorded: readonly Leaf[], current: readonly Leaf[]): LeafDiff {
    const r = byTs(recorded);
    const c = byTs(current);
    const instants = [...new Set([...r.keys(), ...c.keys()])].sort(compareTs);
    const diff: LeafDiff = { modified: 0, deleted: 0, inserted: 0 };
    for (const ts of instants) {
        const rest = [...(c.get(ts) ?? [])];
        const gone: string[] = [];
        for (const h of r.get(ts) ?? []) {
            const i = rest.indexOf(h);
            if (i >= 0) rest.splice(i, 1);
            else gone.push(h);
        }
        if (gone.length === 0 && rest.length === 0) continue;
        const paired = Math.min(gone.length, rest.length);
        diff.modified += paired;
        diff.deleted += gone.length - paired;
        diff.inserted += rest.length - paired;
        diff.first ??= { ts, ...(gone[0] ? { recorded: gone[0] } : {}), ...(rest[0] ? { current: rest[0] } : {}) };
    }
    return diff;
}
