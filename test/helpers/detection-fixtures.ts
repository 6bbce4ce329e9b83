import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SOURCE_NAMES, SourceName, Wrapped } from "./source-formats";

/** test/fixtures/detections: one <rule id>.yaml per rule (layout in its README.md). */
export const FIXTURES_DIR = path.resolve(__dirname, "../fixtures/detections");

type Obj = Record<string, unknown>;

export interface FixtureCase {
    name: string;
    /** The Events of the case, in order (`event`, or `events`, each copied `repeat` times). */
    events: Obj[];
    /** Other rules a positive also hits (every rule that hits must be listed). */
    alsoHits: string[];
}

export interface Fixture {
    file: string;
    rule: string;
    positive: FixtureCase[];
    negative: FixtureCase[];
}

function isObject(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * One case's Events: `event` or `events`; `repeat: n` makes n copies of them (auditID suffixed -1..-n, so each is
 * a request of its own) for counted rules.
 */
function caseOf(file: string, kind: string, raw: unknown, i: number): FixtureCase {
    const where = `${file}: ${kind}[${i}]`;
    if (!isObject(raw)) throw new Error(`${where}: not a mapping`);
    const allowed = ["name", "event", "events", "repeat", "alsoHits"];
    const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw new Error(`${where}: unknown key(s) ${extra.join(", ")}; allowed: ${allowed.join(", ")}`);
    if (typeof raw.name !== "string" || raw.name === "") throw new Error(`${where}: name: required, a sentence saying what the case is`);
    const base = raw.event !== undefined ? [raw.event] : raw.events;
    if (!Array.isArray(base) || base.length === 0 || !base.every(isObject) || (raw.event !== undefined && raw.events !== undefined))
        throw new Error(`${where} (${raw.name}): give event (one Event) or events (a list of Events), not both`);
    const repeat = raw.repeat ?? 1;
    if (typeof repeat !== "number" || !Number.isInteger(repeat) || repeat < 1 || repeat > 1000)
        throw new Error(`${where} (${raw.name}): repeat: ${JSON.stringify(repeat)}; allowed: an integer from 1 to 1000`);
    const alsoHits = raw.alsoHits ?? [];
    if (!Array.isArray(alsoHits) || !alsoHits.every((x) => typeof x === "string"))
        throw new Error(`${where} (${raw.name}): alsoHits: a list of rule ids`);
    if (kind === "negative" && alsoHits.length > 0) throw new Error(`${where} (${raw.name}): alsoHits: only positives list the other rules they hit`);
    const events =
        repeat === 1
            ? (base as Obj[])
            : Array.from({ length: repeat }, (_, n) => (base as Obj[]).map((e) => ({ ...e, auditID: `${String(e.auditID)}-${n + 1}` }))).flat();
    return { name: raw.name, events, alsoHits: alsoHits as string[] };
}

/** Every fixture file, parsed and checked for shape. */
export function loadFixtures(dir = FIXTURES_DIR): Fixture[] {
    return readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((file) => {
            const doc: unknown = parse(readFileSync(path.join(dir, file), "utf8"));
            if (!isObject(doc)) throw new Error(`${file}: not a mapping`);
            if (doc.rule !== file.replace(/\.yaml$/, ""))
                throw new Error(`${file}: rule: ${JSON.stringify(doc.rule)}; allowed: the file's name without .yaml`);
            const list = (kind: "positive" | "negative") => {
                const v = doc[kind];
                if (!Array.isArray(v) || v.length === 0) throw new Error(`${file}: ${kind}: required, a list of at least one case`);
                return v.map((c, i) => caseOf(file, kind, c, i));
            };
            return { file, rule: doc.rule as string, positive: list("positive"), negative: list("negative") };
        });
}

/** The cluster name the fixture files are wrapped with. */
export const FIXTURE_CLUSTER = "fixture-prod";

/**
 * Where the fixtures are kept in every source format, for an auditor to open: formats/<rule>/<kind>-<n>.<source>.json,
 * .jsonl for the sources that ship one JSON per line (native k3s files, GKE entries).
 */
export const FORMATS_DIR = path.join(FIXTURES_DIR, "formats");

/** Every fixture case in every source format that can carry it: relative path -> file text. */
export function formatFiles(fixtures: Fixture[], wrap: (source: SourceName, events: Obj[]) => Wrapped): Map<string, string> {
    const files = new Map<string, string>();
    for (const f of fixtures)
        for (const kind of ["positive", "negative"] as const)
            f[kind].forEach((c, i) => {
                for (const source of SOURCE_NAMES) {
                    const w = wrap(source, c.events);
                    if ("text" in w)
                        files.set(
                            path.join(f.rule, `${kind}-${i + 1}.${source}.${source === "native" || source === "gke" ? "jsonl" : "json"}`),
                            w.text,
                        );
                }
            });
    return files;
}
