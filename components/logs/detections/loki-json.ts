/**
 * The labels Loki's `| json` parser extracts from a line, as pkg/logql/log/parser.go (JSONParser) does:
 * strings (unescaped), numbers (their JSON text) and booleans ("true"/"false") become labels; objects are
 * walked with their keys joined by `_`; arrays and nulls are skipped. Every key is sanitised to
 * [a-zA-Z0-9_] (sanitizeLabelKey/appendSanitized: trimmed, any other character becomes `_`; a leading digit
 * gets a `_` prefix at the top level). A key a stream label or structured metadata already has gets the suffix `_extracted`.
 */
export function lokiJsonLabels(line: string | Record<string, unknown>, base: ReadonlySet<string> = new Set()): Map<string, string> {
    const out = new Map<string, string>();
    const record: unknown = typeof line === "string" ? JSON.parse(line) : line;
    if (typeof record !== "object" || record === null || Array.isArray(record)) return out;
    const walk = (obj: Record<string, unknown>, prefix: string) => {
        for (const [key, value] of Object.entries(obj)) {
            const name = prefix === "" ? sanitize(key, true) : `${prefix}_${sanitize(key, false)}`;
            if (value === null || Array.isArray(value)) continue;
            if (typeof value === "object") {
                walk(value as Record<string, unknown>, name);
                continue;
            }
            const label = base.has(name) ? `${name}_extracted` : name;
            out.set(label, typeof value === "string" ? value : typeof value === "number" ? numberText(value) : String(value));
        }
    };
    walk(record as Record<string, unknown>, "");
    return out;
}

function sanitize(key: string, top: boolean): string {
    const s = key.trim().replace(/[^a-zA-Z0-9_]/gu, "_");
    return top && /^[0-9]/.test(s) ? `_${s}` : s;
}

/** Loki keeps a number's JSON text; the Events we read have integers, which JavaScript prints the same way. */
function numberText(n: number): string {
    return Number.isInteger(n) ? String(n) : JSON.stringify(n);
}
