/**
 * The import rule of ARCHITECTURE.md, checked on the source as it is: every relative import and require of
 * components/, cli/, automation/, policy/ and index.ts, resolved to a file.
 */
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { CLUSTER_KINDS } from "../components/config/stack";

const ROOT = path.resolve(__dirname, "..");
/** A kind's folder is named after it: a new kind's folder is placed without editing this test. */
const KINDS: readonly string[] = CLUSTER_KINDS;
/** Packages whose import makes a file a component file (it registers resources of a provider). */
const PROVIDER_SDK =
    /from "@pulumi\/(aws|gcp|azure-native|kubernetes|command|random)(\/[^"]*)?"|require\("@pulumi\/(aws|gcp|azure-native|kubernetes|command|random)/;

/** The layer of a source file: a file may import only from its own layer or lower ones. */
function layer(rel: string): number {
    const parts = rel.split("/");
    if (parts[0] === "policy") return 0;
    if (parts[0] !== "components") return 6; // index.ts, cli/, automation/
    const top = parts[1].replace(/\.ts$/, "");
    if (top === "config") return 0;
    if (top === "platform") return 1;
    if (KINDS.includes(top)) return 2;
    if (top === "platforms") return 3;
    if (top === "coverage" || top === "logs" || top === "plan" || top === "deployable") return 4;
    if (top === "rollout") return 5;
    throw new Error(`${rel}: not placed in a layer (add it to ARCHITECTURE.md and to this test)`);
}

function sources(dir: string): string[] {
    const abs = path.join(ROOT, dir);
    if (statSync(abs).isFile()) return [dir];
    return readdirSync(abs).flatMap((e) => {
        const rel = path.join(dir, e);
        if (statSync(path.join(ROOT, rel)).isDirectory()) return sources(rel);
        return /\.(ts|js)$/.test(e) && !e.endsWith(".d.ts") ? [rel] : [];
    });
}

function resolve(from: string, spec: string): string | undefined {
    const base = path.join(path.dirname(path.join(ROOT, from)), spec);
    for (const c of [`${base}.ts`, `${base}.js`, path.join(base, "index.ts"), base])
        if (existsSync(c) && statSync(c).isFile()) return path.relative(ROOT, c);
    return undefined;
}

const FILES = ["index.ts", "components", "cli", "automation", "policy"].flatMap(sources);
const IMPORTS = FILES.flatMap((from) =>
    [...readFileSync(path.join(ROOT, from), "utf8").matchAll(/(?:from|require\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => ({
        from,
        to: resolve(from, m[1]) ?? m[1],
    })),
);
const COMPONENT_FILES = new Set(FILES.filter((f) => PROVIDER_SDK.test(readFileSync(path.join(ROOT, f), "utf8"))));

describe("architecture: the import rule (ARCHITECTURE.md)", () => {
    it("finds the source and its imports", () => {
        assert.ok(FILES.length > 100 && IMPORTS.length > 300, `${FILES.length} files, ${IMPORTS.length} imports`);
        assert.ok(COMPONENT_FILES.has("components/k3s/node.ts") && COMPONENT_FILES.has("components/logs/logs-layer.ts"));
    });

    it("no file imports a higher layer (config <- platform <- kinds <- platforms <- coverage/logs/plan <- rollout <- cli)", () => {
        const upward = IMPORTS.filter(({ from, to }) => layer(from) < layer(to)).map(({ from, to }) => `${from} -> ${to}`);
        assert.deepEqual(upward, []);
    });

    it("component files (provider SDKs) are imported only from their own folder and by the rollout", () => {
        const folder = (f: string) => path.dirname(f).split("/").slice(0, 2).join("/");
        const wrong = IMPORTS.filter(
            ({ from, to }) => COMPONENT_FILES.has(to) && folder(from) !== folder(to) && !from.startsWith("components/rollout/"),
        ).map(({ from, to }) => `${from} -> ${to}`);
        assert.deepEqual(wrong, []);
    });

    it("outside the config's union and the two tables, nothing switches on a cluster's kind", () => {
        const allowed = new Set(["components/config/stack.ts", "components/platforms.ts", "components/rollout/rollout.ts"]);
        const found = FILES.filter((f) => !allowed.has(f)).flatMap((f) =>
            readFileSync(path.join(ROOT, f), "utf8")
                .split("\n")
                .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
                .filter(({ line }) => /switch \((c|cluster)\.kind\)|\.kind (===|!==) "(k3s|eks|gke|aks|openshift)"/.test(line))
                .map(({ at }) => at),
        );
        // GKE's own rules look for the other GKE clusters of a project (Data Access logs are per project).
        assert.deepEqual([...new Set(found.map((at) => at.split(":")[0]))], ["components/config/gke.ts", "components/gke/from-config.ts"]);
    });

    it("no import circles (the four validate.ts <-> component circles are gone)", () => {
        const deps = new Map<string, string[]>();
        for (const { from, to } of IMPORTS) deps.set(from, [...(deps.get(from) ?? []), to]);
        const cycles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const visit = (f: string, trail: string[]): void => {
            if (state.get(f) === "done") return;
            if (state.get(f) === "open") {
                cycles.push([...trail.slice(trail.indexOf(f)), f].join(" -> "));
                return;
            }
            state.set(f, "open");
            for (const d of deps.get(f) ?? []) visit(d, [...trail, f]);
            state.set(f, "done");
        };
        for (const f of FILES) visit(f, []);
        assert.deepEqual(cycles, []);
    });

    it("the layer check can fail: an import from config up to the logs layer is caught", () => {
        assert.ok(layer("components/config/stack.ts") < layer("components/logs/requirements.ts"));
        assert.throws(() => layer("components/newfolder/x.ts"), {
            message: "components/newfolder/x.ts: not placed in a layer (add it to ARCHITECTURE.md and to this test)",
        });
    });

    it("no `export *`: every barrel names what it exports", () => {
        const starred = ALL_FILES.filter((f) => /^export \* from/m.test(readFileSync(path.join(ROOT, f), "utf8")));
        assert.deepEqual(starred, []);
        assert.deepEqual(BARRELS.get("components/eks")?.has("EksAuditLogging"), true);
    });

    it("from outside a folder (its own tests aside), only the names its barrel exports are imported", () => {
        // Deep paths stay allowed (importing eks/index.ts would load @pulumi/aws into the render path), but only
        // for the folder's public surface, which its index.ts lists.
        assert.deepEqual(surfaceViolations(ALL_FILES), []);
    });

    it("the surface check can fail: a test importing another folder's internal is caught", () => {
        const probe = "test/cli/probe.test.ts";
        const source = 'import { eksSummary } from "../../components/eks/summary";\nimport { ConfigError } from "../../components/config/errors";\n';
        assert.deepEqual(
            surfaceViolations([probe], () => source),
            [`${probe}: eksSummary from components/eks (not in components/eks/index.ts)`],
        );
        assert.deepEqual(
            surfaceViolations(["test/components/eks/probe.test.ts"], () => source.replaceAll("../../", "../../../")),
            [],
        );
    });
});

/** Source, tests, benches and tools: everything that imports the folders. */
const ALL_FILES = [...FILES, ...["test", "bench", "tools"].flatMap(sources)].filter((f) => f.endsWith(".ts"));

/** Folder -> the names its index.ts exports (the folder's public surface). */
const BARRELS = new Map(
    ALL_FILES.filter((f) => f.endsWith("/index.ts") && !f.startsWith("test/"))
        .map((f) => {
            const names = new Set<string>();
            const sf = ts.createSourceFile(f, readFileSync(path.join(ROOT, f), "utf8"), ts.ScriptTarget.Latest);
            for (const st of sf.statements)
                if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause))
                    for (const e of st.exportClause.elements) names.add(e.name.text);
            return [path.dirname(f), names] as const;
        })
        // policy/pack/index.ts is the policy pack's entry point (it starts the analyzer), not a barrel.
        .filter(([, names]) => names.size > 0),
);

/** The innermost folder with a barrel that holds a file; a test belongs to the folder it mirrors. */
function folderOf(f: string): string | undefined {
    const mirrored = f.startsWith("test/") ? f.slice("test/".length) : f;
    return [...BARRELS.keys()].filter((d) => mirrored.startsWith(`${d}/`)).sort((a, b) => b.length - a.length)[0];
}

/** Imports (static, `export ... from`, destructured `await import()` / `require()`) that reach past a folder's surface. */
function surfaceViolations(files: string[], read = (f: string) => readFileSync(path.join(ROOT, f), "utf8")): string[] {
    const found: string[] = [];
    for (const f of files) {
        const sf = ts.createSourceFile(f, read(f), ts.ScriptTarget.Latest, true);
        const check = (spec: string, names: string[]) => {
            if (!spec.startsWith(".")) return;
            const to = resolve(f, spec.replace(/\.js$/, ""));
            // A test's own fixtures and helpers are test code, not a folder's surface.
            const folder = to && !to.startsWith("test/") ? folderOf(to) : undefined;
            if (!folder || folderOf(f) === folder) return;
            for (const n of names) if (!BARRELS.get(folder)!.has(n)) found.push(`${f}: ${n} from ${folder} (not in ${folder}/index.ts)`);
        };
        const visit = (n: ts.Node): void => {
            if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
                const b = n.importClause?.namedBindings;
                check(n.moduleSpecifier.text, b && ts.isNamedImports(b) ? b.elements.map((e) => (e.propertyName ?? e.name).text) : []);
            } else if (
                ts.isExportDeclaration(n) &&
                n.moduleSpecifier &&
                ts.isStringLiteral(n.moduleSpecifier) &&
                n.exportClause &&
                ts.isNamedExports(n.exportClause)
            ) {
                check(
                    n.moduleSpecifier.text,
                    n.exportClause.elements.map((e) => (e.propertyName ?? e.name).text),
                );
            } else if (ts.isVariableDeclaration(n) && n.initializer && ts.isObjectBindingPattern(n.name)) {
                let init: ts.Expression = n.initializer;
                while (ts.isAwaitExpression(init) || ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
                const isLoad =
                    ts.isCallExpression(init) &&
                    (init.expression.kind === ts.SyntaxKind.ImportKeyword ||
                        (ts.isIdentifier(init.expression) && init.expression.text === "require"));
                if (isLoad && ts.isCallExpression(init) && ts.isStringLiteral(init.arguments[0]))
                    check(
                        init.arguments[0].text,
                        n.name.elements.map((e) => ((e.propertyName ?? e.name) as ts.Identifier).text),
                    );
            }
            ts.forEachChild(n, visit);
        };
        visit(sf);
    }
    return found;
}
