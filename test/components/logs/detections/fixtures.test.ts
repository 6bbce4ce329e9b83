import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { main } from "../../../../cli/main";
import { DetectionsSchema } from "../../../../components/config/detections";
import { missingFields } from "../../../../components/logs/detections/formats";
import { detectionRules } from "../../../../components/logs/detections/rules";
import { expectedCluster, SOURCE_NAMES, SourceName, STORED_FORMAT, wrapEvents } from "../../../helpers/source-formats";

/** test/fixtures/detections: one <rule id>.yaml per rule (layout in its README.md). */
export const FIXTURES_DIR = path.resolve(__dirname, "../../../fixtures/detections");
const CLUSTER = "fixture-prod";

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

interface DetectRun {
    code: number;
    hits: { rule: string; cluster?: string; auditID?: string }[];
    err: string[];
}

/** The real CLI, in process: `akko-audit detect --in FILE --json`. */
async function detect(file: string): Promise<DetectRun> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["detect", "--in", file, "--json"], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, hits: out.map((l) => JSON.parse(l)), err };
}

const RULES = detectionRules(DetectionsSchema.parse({}));
const FIXTURES = loadFixtures();

describe("detections: every rule on its fixtures, in all five source formats, through akko-audit detect", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(path.join(tmpdir(), "akko-detect-fixtures-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("every rule has a fixture file with at least one positive and one negative; every file names a rule", () => {
        const ids = RULES.map((r) => r.id);
        assert.deepEqual(
            ids.filter((id) => !FIXTURES.some((f) => f.rule === id)),
            [],
            "rules without test/fixtures/detections/<id>.yaml",
        );
        assert.deepEqual(
            FIXTURES.filter((f) => !ids.includes(f.rule)).map((f) => f.file),
            [],
            "fixture files naming no rule",
        );
        for (const f of FIXTURES)
            for (const c of f.positive)
                for (const other of c.alsoHits) assert.ok(ids.includes(other), `${f.file}: ${c.name}: alsoHits: ${other} is not a rule`);
    });

    for (const fixture of FIXTURES) {
        const rule = RULES.find((r) => r.id === fixture.rule);
        if (!rule) continue;
        describe(`${rule.id} (${fixture.positive.length} positive, ${fixture.negative.length} negative)`, () => {
            for (const source of SOURCE_NAMES) {
                const format = STORED_FORMAT[source];
                const missing = missingFields(rule, format);
                const title =
                    missing.length > 0
                        ? `${source}: blind (${format} events never carry ${missing.join(", ")}): no positive hits, no negative hits`
                        : `${source}: each positive hits the rule (and only its alsoHits), no negative hits`;
                // Cases the source cannot carry at all, named in the title so the skip is explicit.
                const notCarried = fixture.negative.flatMap((c, i) => {
                    const w = wrapEvents(source, c.events, CLUSTER);
                    return "unrepresentable" in w ? [`negative[${i}] not carried: ${w.unrepresentable}`] : [];
                });
                const full = notCarried.length > 0 ? `${title} (${notCarried.join("; ")})` : title;
                it(full, async () => {
                    for (const [kind, cases] of [
                        ["positive", fixture.positive],
                        ["negative", fixture.negative],
                    ] as const) {
                        for (const [i, c] of cases.entries()) {
                            const where = `${fixture.file} ${kind}[${i}] (${c.name}) as ${source}`;
                            const wrapped = wrapEvents(source, c.events, CLUSTER);
                            if ("unrepresentable" in wrapped) {
                                // A negative the source cannot even carry cannot hit; a positive must be representable unless blind.
                                assert.ok(kind === "negative" || missing.length > 0, `${where}: ${wrapped.unrepresentable}`);
                                continue;
                            }
                            const file = path.join(dir, `${rule.id}.${kind}-${i}.${source}.json`);
                            writeFileSync(file, wrapped.text);
                            const r = await detect(file);
                            assert.match(
                                r.err.at(-1) ?? "",
                                new RegExp(`^detect: ${c.events.length} events, ${RULES.length} rules, \\d+ hit\\(s\\), 0 invalid line\\(s\\)$`),
                                where,
                            );
                            const ruleHits = r.hits.filter((h) => h.rule === rule.id);
                            if (kind === "negative" || missing.length > 0) {
                                assert.deepEqual(ruleHits, [], `${where}: must not hit ${rule.id}`);
                                continue;
                            }
                            const expected = [
                                rule.id,
                                ...c.alsoHits.filter(
                                    (id) =>
                                        missingFields(
                                            RULES.find((x) => x.id === id)!,
                                            format,
                                        ).length === 0,
                                ),
                            ];
                            assert.deepEqual(
                                [...new Set(r.hits.map((h) => h.rule))].sort(),
                                [...new Set(expected)].sort(),
                                `${where}: the rules hit`,
                            );
                            assert.equal(r.code, 1, `${where}: exit code`);
                            for (const h of ruleHits) {
                                assert.equal(h.cluster, expectedCluster(source, CLUSTER), `${where}: cluster`);
                                assert.ok(
                                    c.events.some((e) => e.auditID === h.auditID),
                                    `${where}: the hit names an auditID of the case (${h.auditID})`,
                                );
                            }
                        }
                    }
                });
            }
        });
    }
});
