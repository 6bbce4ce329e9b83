import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../../../cli/main";
import { DetectionsSchema } from "../../../../components/config/detections";
import { missingFields } from "../../../../components/logs/detections/formats";
import { detectionRules } from "../../../../components/logs/detections/rules";
import { FIXTURE_CLUSTER as CLUSTER, FORMATS_DIR, formatFiles, loadFixtures } from "../../../helpers/detection-fixtures";
import { expectedCluster, SOURCE_NAMES, STORED_FORMAT, wrapEvents } from "../../../helpers/source-formats";

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

    it("test/fixtures/detections/formats holds every case in every source format, up to date (AKKO_UPDATE_FIXTURES=1 rewrites it)", () => {
        const want = formatFiles(FIXTURES, (source, events) => wrapEvents(source, events, CLUSTER));
        const listed = (dir: string, rel = ""): string[] =>
            existsSync(dir)
                ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
                      e.isDirectory() ? listed(path.join(dir, e.name), path.join(rel, e.name)) : [path.join(rel, e.name)],
                  )
                : [];
        if (process.env.AKKO_UPDATE_FIXTURES === "1") {
            rmSync(FORMATS_DIR, { recursive: true, force: true });
            for (const [rel, text] of want) {
                mkdirSync(path.dirname(path.join(FORMATS_DIR, rel)), { recursive: true });
                writeFileSync(path.join(FORMATS_DIR, rel), text);
            }
        }
        const have = listed(FORMATS_DIR).sort();
        const fix = "run AKKO_UPDATE_FIXTURES=1 npx mocha test/components/logs/detections/fixtures.test.ts";
        assert.deepEqual(have, [...want.keys()].sort(), `files missing or stale under test/fixtures/detections/formats: ${fix}`);
        for (const [rel, text] of want)
            assert.equal(readFileSync(path.join(FORMATS_DIR, rel), "utf8"), text, `formats/${rel} is out of date: ${fix}`);
    });

    for (const fixture of FIXTURES) {
        const rule = RULES.find((r) => r.id === fixture.rule);
        if (!rule) continue;
        describe(`${rule.id} (${fixture.positive.length} positive, ${fixture.negative.length} negative)`, () => {
            for (const source of SOURCE_NAMES) {
                const format = STORED_FORMAT[source];
                const missing = missingFields(rule, format);
                const blind = new Set(RULES.filter((x) => missingFields(x, format).length > 0).map((x) => x.id));
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
                            const ruleHits: DetectRun["hits"] = r.hits.filter((h) => h.rule === rule.id);
                            if (kind === "negative" || missing.length > 0) {
                                assert.deepEqual(ruleHits, [], `${where}: must not hit ${rule.id}`);
                                continue;
                            }
                            const expected: string[] = [rule.id, ...c.alsoHits.filter((id) => !blind.has(id))];
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
