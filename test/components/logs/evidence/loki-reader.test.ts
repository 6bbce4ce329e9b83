import { strict as assert } from "node:assert";
import { LokiEntry } from "../../../../components/logs/evidence/entries";
import { lokiHttpReader } from "../../../../components/logs/evidence/loki-reader";
import { loopback, lokiQueryRange } from "./loopback";

// No Loki binary can be installed here: a loopback server answers query_range in Loki's documented shape (loopback.ts).
const T = (s: number) => (BigInt(Date.parse("2026-12-01T10:00:00Z") + s * 1000) * 1_000_000n).toString();
const edge = { job: "k3s-audit", cluster: "edge", source: "k3s", __tenant_id__: "edge" };
const ENTRIES: LokiEntry[] = [
    { ts: T(1), labels: edge, line: '{"a":1}' },
    { ts: T(1), labels: { ...edge, source: "other" }, line: '{"a":2}' },
    { ts: T(2), labels: edge, line: '{"b":1}' },
    { ts: T(2), labels: { ...edge, source: "other" }, line: '{"b":2}' },
    // Another tenant's stream labelled with the same cluster: never edge's evidence, but it fills a page.
    { ts: T(3), labels: { ...edge, __tenant_id__: "intruder" }, line: '{"x":1}' },
    { ts: T(3), labels: edge, line: '{"c":1}' },
    { ts: T(3600), labels: edge, line: '{"after":1}' },
];

describe("evidence: lokiHttpReader against a loopback query_range", () => {
    it("reads one cluster's window through pages of 3, an instant split across pages read once, another tenant's entry ignored", async () => {
        const loki = await loopback(lokiQueryRange(() => ENTRIES, { username: "reader", password: "s3cret" }));
        try {
            const reader = lokiHttpReader({ url: loki.url + "/", username: "reader", password: "s3cret", pageLimit: 3 });
            const got = await reader.entries("edge", Date.parse("2026-12-01T10:00:00Z"), Date.parse("2026-12-01T11:00:00Z"));
            assert.deepEqual(
                got.map((e) => [e.ts, e.line]),
                [
                    [T(1), '{"a":1}'],
                    [T(1), '{"a":2}'],
                    [T(2), '{"b":1}'],
                    [T(2), '{"b":2}'],
                    [T(3), '{"c":1}'],
                ],
            );
            // Page 1 ends inside instant T(2): page 2 starts there again. Page 2 is full only with the intruder's
            // entry at T(3), which still counts: page 3 starts at T(3) and finds edge's entry there.
            assert.deepEqual(
                loki.seen.map((r) => r.query.get("start")),
                [T(0), T(2), T(3)],
            );
            const q = loki.seen[0].query;
            assert.equal(q.get("query"), '{cluster="edge", __tenant_id__="edge"}');
            assert.equal(q.get("end"), T(3600));
            assert.equal(q.get("limit"), "3");
            assert.equal(q.get("direction"), "forward");
        } finally {
            await loki.close();
        }
    });

    it("a refused query fails with one line naming Loki, the cluster and the answer (and not the password)", async () => {
        const loki = await loopback(lokiQueryRange(() => ENTRIES, { username: "reader", password: "right" }));
        try {
            const reader = lokiHttpReader({ url: loki.url, username: "reader", password: "wrong" });
            await assert.rejects(
                reader.entries("edge", 0, 1000),
                new Error(`Loki ${loki.url}: query_range for cluster edge answered HTTP 401 authentication failed`),
            );
        } finally {
            await loki.close();
        }
    });
});
