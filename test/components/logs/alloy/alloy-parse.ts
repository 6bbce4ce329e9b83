/**
 * A reader for the subset of Alloy's configuration syntax our renderer writes (blocks with an optional label,
 * attributes, strings, raw strings, numbers, booleans, lists, objects, and references or calls kept as text),
 * so tests can run the rendered stages themselves rather than re-assemble them. Anything else throws.
 */
export type AlloyValue = string | number | boolean | AlloyValue[] | { [k: string]: AlloyValue } | { ref: string };

export interface AlloyBlock {
    name: string;
    label?: string;
    attrs: Record<string, AlloyValue>;
    blocks: AlloyBlock[];
}

export function parseAlloy(text: string): AlloyBlock[] {
    let i = 0;
    const fail = (what: string): never => {
        throw new Error(`alloy-parse: ${what} at ${JSON.stringify(text.slice(i, i + 40))}`);
    };
    const skip = () => {
        for (;;) {
            while (i < text.length && /\s/.test(text[i])) i++;
            if (text.startsWith("//", i)) while (i < text.length && text[i] !== "\n") i++;
            else return;
        }
    };
    const name = (): string => {
        const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i));
        if (!m) return fail("expected a name");
        i += m[0].length;
        return m[0];
    };
    const quoted = (): string => {
        const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
        if (!m) return fail("expected a string");
        i += m[0].length;
        return JSON.parse(m[0]) as string;
    };
    const value = (): AlloyValue => {
        skip();
        const c = text[i];
        if (c === '"') return quoted();
        if (c === "`") {
            const end = text.indexOf("`", i + 1);
            const s = text.slice(i + 1, end);
            i = end + 1;
            return s;
        }
        if (c === "[") {
            i++;
            const out: AlloyValue[] = [];
            for (;;) {
                skip();
                if (text[i] === "]") return (i++, out);
                out.push(value());
                skip();
                if (text[i] === ",") i++;
            }
        }
        if (c === "{") {
            i++;
            const out: Record<string, AlloyValue> = {};
            for (;;) {
                skip();
                if (text[i] === "}") return (i++, out);
                const k = text[i] === '"' ? quoted() : name();
                skip();
                if (text[i] !== "=") fail("expected =");
                i++;
                out[k] = value();
                skip();
                if (text[i] === ",") i++;
            }
        }
        const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
        if (num) return ((i += num[0].length), Number(num[0]));
        const start = i;
        const n = name();
        if (n === "true" || n === "false") return n === "true";
        if (text[i] === "(") {
            let depth = 0;
            do {
                if (text[i] === "(") depth++;
                else if (text[i] === ")") depth--;
                i++;
            } while (depth > 0);
        }
        return { ref: text.slice(start, i) };
    };
    const body = (close: boolean): { attrs: Record<string, AlloyValue>; blocks: AlloyBlock[] } => {
        const attrs: Record<string, AlloyValue> = {};
        const blocks: AlloyBlock[] = [];
        for (;;) {
            skip();
            if (i >= text.length) return close ? fail("unclosed block") : { attrs, blocks };
            if (text[i] === "}") {
                if (!close) fail("unexpected }");
                i++;
                return { attrs, blocks };
            }
            const n = name();
            skip();
            if (text[i] === "=") {
                i++;
                attrs[n] = value();
                continue;
            }
            const label = text[i] === '"' ? quoted() : undefined;
            skip();
            if (text[i] !== "{") fail("expected {");
            i++;
            blocks.push({ name: n, ...(label !== undefined ? { label } : {}), ...body(true) });
        }
    };
    return body(false).blocks;
}

/** The one block of that name and label. */
export function findBlock(blocks: AlloyBlock[], name: string, label: string): AlloyBlock {
    const found = blocks.filter((b) => b.name === name && b.label === label);
    if (found.length !== 1) throw new Error(`${name} "${label}": ${found.length} blocks`);
    return found[0];
}

/** The node name the harness stands in for the DaemonSet pod's HOSTNAME (the Alloy chart sets it to spec.nodeName). */
export const HARNESS_NODE = "k3s-server-1";

/**
 * The stages of a loki.process block, in order, as the Go harness takes them ({kind, ...attributes});
 * `sys.env("HOSTNAME")` (the node agents' audit_node) evaluated as Alloy would on node HARNESS_NODE.
 */
export function harnessStages(process: AlloyBlock): Record<string, unknown>[] {
    return process.blocks.map((b) => {
        if (!b.name.startsWith("stage.")) throw new Error(`loki.process: unexpected block ${b.name}`);
        const attrs = Object.fromEntries(
            Object.entries(b.attrs).map(([k, v]) => [
                k,
                typeof v === "object" && v !== null && "ref" in v && v.ref === 'sys.env("HOSTNAME")' ? HARNESS_NODE : v,
            ]),
        );
        return { kind: b.name.slice("stage.".length), ...attrs };
    });
}
