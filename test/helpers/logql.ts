// @grafana/lezer-logql ships one index.d.ts for its ESM and CommonJS builds ("type": "module"), so under
// node16 resolution its types are read as ESM: require it (its CommonJS build) with the import-mode types.
const { parser } = require("@grafana/lezer-logql") as typeof import("@grafana/lezer-logql", { with: { "resolution-mode": "import" } });

/** Parses with Grafana's LogQL grammar; returns the error nodes' positions (none = valid). */
export function logqlErrors(expr: string): number[] {
    const errors: number[] = [];
    parser.parse(expr).iterate({
        enter: (n) => {
            if (n.type.isError) errors.push(n.from);
        },
    });
    return errors;
}

/** The names of the grammar's nodes, in document order (to assert what an expression parsed as). */
export function logqlNodes(expr: string): string[] {
    const names: string[] = [];
    parser.parse(expr).iterate({ enter: (n) => void names.push(n.type.name) });
    return names;
}
