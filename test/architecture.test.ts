/**
 * The import rule of ARCHITECTURE.md, checked on the source as it is: every relative import and require of
 * components/, cli/, automation/, policy/ and index.ts, resolved to a file.
 */
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
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
});
