/** What the store clients share: one-line errors that name the store and the object, never a credential. */
export class StoreError extends Error {}

export async function failure(what: string, res: Response): Promise<StoreError> {
    const body = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 200);
    return new StoreError(`${what}: HTTP ${res.status}${body ? ` ${body}` : ""}`);
}

/** Marks an object that already exists: putOnce's refusal, which the job tells apart from other errors. */
export class ObjectExistsError extends StoreError {}

/** The text of one XML element's occurrences (S3's and Azure's listings are flat enough for this). */
export function xmlValues(xml: string, tag: string): string[] {
    return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => xmlDecode(m[1]));
}

function xmlDecode(s: string): string {
    return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
        e[0] === "#"
            ? String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
            : ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[e],
    );
}

/** A prefix joined to a name: `prefix/name`, or the name when there is no prefix. */
export function withPrefix(prefix: string | undefined, name: string): string {
    const p = (prefix ?? "").replace(/^\/+|\/+$/g, "");
    return p ? `${p}/${name}` : name;
}

export function withoutPrefix(prefix: string | undefined, key: string): string {
    const p = (prefix ?? "").replace(/^\/+|\/+$/g, "");
    return p && key.startsWith(`${p}/`) ? key.slice(p.length + 1) : key;
}
