import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { StoredDigest } from "./chain";
import type { Digest } from "./digest";

/** Where digests live: write-once objects (object storage under a retention lock; a directory for copies). */
export interface DigestStore {
    /** Object names under `prefix`, sorted. */
    list(prefix: string): Promise<string[]>;
    /** An object's content, or undefined when there is none. */
    get(name: string): Promise<string | undefined>;
    /** Writes an object that must not exist yet; refuses to overwrite one. */
    putOnce(name: string, body: string): Promise<void>;
}

/** A digest's object name: by cluster, then sequence (so a listing is the chain's order), kind and window. */
export function digestObjectName(d: Pick<Digest, "cluster" | "seq" | "kind" | "window">): string {
    return `${d.cluster}/${String(d.seq).padStart(10, "0")}-${d.kind}-${d.window.start.replace(/[-:]/g, "")}.json`;
}

/** The leaves file beside a digest. */
export function leavesObjectName(digestName: string): string {
    return digestName.replace(/\.json$/, ".leaves");
}

/** One cluster's digests as stored, with their leaves files. */
export async function readChain(store: DigestStore, cluster: string): Promise<StoredDigest[]> {
    const names = (await store.list(`${cluster}/`)).filter((n) => n.endsWith(".json"));
    const out: StoredDigest[] = [];
    for (const name of names) {
        const text = await store.get(name);
        if (text === undefined) continue;
        out.push({ name, text, leaves: await store.get(leavesObjectName(name)) });
    }
    return out;
}

/** A directory as a store: an auditor's copy of the bucket (`verify --digests DIR`), and the tests'. */
export class DirStore implements DigestStore {
    constructor(private readonly dir: string) {}

    async list(prefix: string): Promise<string[]> {
        const walk = (rel: string): string[] => {
            const abs = path.join(this.dir, rel);
            if (!existsSync(abs)) return [];
            return readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
                e.isDirectory() ? walk(path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)],
            );
        };
        return walk("")
            .filter((n) => n.startsWith(prefix))
            .sort();
    }

    async get(name: string): Promise<string | undefined> {
        const file = path.join(this.dir, name);
        return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    }

    async putOnce(name: string, body: string): Promise<void> {
        const file = path.join(this.dir, name);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, body, { flag: "wx" });
    }
}
