/** Small helpers that write Alloy configuration syntax (Alloy's config language, formerly River). */

/** A double-quoted Alloy string (Go-style escapes, which JSON's are a subset of). */
export function str(value: string): string {
    return JSON.stringify(value);
}

/**
 * A backtick raw string (no escapes; used for regular expressions and templates so they read as written).
 * Falls back to a quoted string when the text contains a backtick.
 */
export function raw(value: string): string {
    return value.includes("`") ? str(value) : `\`${value}\``;
}

/** An identifier from a cluster name (component labels allow letters, digits and '_'). */
export function ident(name: string): string {
    return name.replace(/[^A-Za-z0-9_]/g, "_");
}

/** An environment variable name from a cluster name and a purpose, e.g. EVENTHUB_HDS_SANTE. */
export function envName(prefix: string, name: string): string {
    return `${prefix}_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** `{ a = "x", b = "y" }` with keys in the given order; keys that are not identifiers are quoted. */
export function map(entries: [string, string][], indent: string): string {
    if (entries.length === 0) return "{}";
    const width = Math.max(...entries.map(([k]) => key(k).length));
    const inner = entries.map(([k, v]) => `${indent}  ${key(k).padEnd(width)} = ${v},`).join("\n");
    return `{\n${inner}\n${indent}}`;
}

function key(k: string): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : str(k);
}

/** Indents every non-empty line of a block. */
export function indent(text: string, by: string): string {
    return text
        .split("\n")
        .map((l) => (l === "" ? l : by + l))
        .join("\n");
}
