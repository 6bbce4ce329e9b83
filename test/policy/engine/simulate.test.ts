import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { forEachLine, parsePolicy, simulate } from "../../../policy/engine";
import { withoutManagedFields } from "../../../policy/engine/simulate";

const SHIPPED = parsePolicy(readFileSync(path.join(__dirname, "../../../policy/audit-policy.yaml"), "utf8"));
const SAMPLES = path.resolve(__dirname, "../../../../shared/samples");

const lines = (...events: unknown[]) => events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n") + "\n";
const stream = (text: string, chunk = 7) =>
    Readable.from(
        (function* () {
            const buf = Buffer.from(text);
            for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
        })(),
    );

const alice = { username: "alice", groups: ["system:authenticated"] };
const pod = {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name: "p", managedFields: [{ manager: "kubectl", operation: "Apply" }] },
    spec: { containers: [] },
};

describe("policy simulate", () => {
    it("splits lines across chunk boundaries, CRLF and a missing final newline", async () => {
        const seen: [string, number][] = [];
        const total = await forEachLine(stream("ab\r\nc\n\nd€é", 2), (l, b) => seen.push([l, b]));
        assert.deepEqual(seen, [
            ["ab", 3],
            ["c", 1],
            ["", 0],
            ["d€é", 6],
        ]);
        assert.equal(total, 13);
    });

    it("counts decisions, kept events, rule hits, stages, bytes and invalid lines exactly", async () => {
        const secretWrite = {
            kind: "Event",
            apiVersion: "audit.k8s.io/v1",
            level: "RequestResponse",
            stage: "ResponseComplete",
            verb: "create",
            user: alice,
            objectRef: { resource: "secrets", namespace: "a", name: "s" },
            requestURI: "/api/v1/namespaces/a/secrets",
            requestObject: { data: { k: "c2VjcmV0" } },
            responseObject: { data: { k: "c2VjcmV0" } },
        };
        const podCreate = {
            kind: "Event",
            apiVersion: "audit.k8s.io/v1",
            level: "RequestResponse",
            stage: "ResponseComplete",
            verb: "create",
            user: alice,
            objectRef: { resource: "pods", namespace: "a", name: "p" },
            requestURI: "/api/v1/namespaces/a/pods",
            requestObject: pod,
            responseObject: pod,
        };
        const received = { ...podCreate, stage: "RequestReceived", responseObject: undefined };
        const probe = {
            kind: "Event",
            level: "Metadata",
            stage: "ResponseComplete",
            verb: "get",
            requestURI: "/readyz?verbose",
            user: { username: "system:anonymous", groups: ["system:unauthenticated"] },
        };
        const podGet = {
            kind: "Event",
            level: "Metadata",
            stage: "ResponseComplete",
            verb: "get",
            user: alice,
            objectRef: { resource: "pods", namespace: "a", name: "p" },
            requestURI: "/api/v1/namespaces/a/pods/p",
        };
        const text = lines(secretWrite, podCreate, received, probe, podGet, "{not json", "[1,2]", { verb: "get" }, "");
        const r = await simulate(SHIPPED, stream(text, 64));

        assert.equal(r.events, 5);
        assert.deepEqual(r.levels, { None: 1, Metadata: 2, Request: 0, RequestResponse: 2 });
        assert.deepEqual(r.kept, { Metadata: 2, Request: 0, RequestResponse: 1, total: 3 });
        assert.equal(r.omittedByStage, 1);
        const hits = Object.fromEntries(r.ruleHits.map((h, i) => [i, h]).filter(([, h]) => h > 0));
        assert.deepEqual(hits, { 3: 1, 8: 1, 11: 2, 12: 1 });
        assert.equal(r.noMatch, 0);
        assert.deepEqual(r.invalid, {
            count: 3,
            examples: [
                { line: 6, reason: "not JSON" },
                { line: 7, reason: "an audit Event must be a JSON object" },
                { line: 8, reason: "a non-resource request needs requestURI (and a resource request objectRef.resource)" },
            ],
        });
        assert.equal(r.bytes.input, Buffer.byteLength(text));

        // What kube-apiserver would write: the Secret event without bodies at Metadata, the pod create with
        // managedFields stripped, the pod get unchanged; the probe and the RequestReceived stage not at all.
        const expected =
            JSON.stringify({ ...secretWrite, level: "Metadata", requestObject: undefined, responseObject: undefined }).length +
            1 +
            JSON.stringify({ ...podCreate, requestObject: withoutManagedFields(pod), responseObject: withoutManagedFields(pod) }).length +
            1 +
            JSON.stringify(podGet).length +
            1;
        assert.equal(r.bytes.output, expected);
        assert.equal(r.moreDetailThanRecorded, 0);
    });

    it("counts events the policy would log in more detail than was recorded", async () => {
        const metaWrite = {
            level: "Metadata",
            stage: "ResponseComplete",
            verb: "delete",
            user: alice,
            objectRef: { apiGroup: "apps", resource: "deployments", namespace: "a", name: "d" },
            requestURI: "/apis/apps/v1/namespaces/a/deployments/d",
        };
        const r = await simulate(SHIPPED, stream(lines(metaWrite)));
        assert.equal(r.moreDetailThanRecorded, 1);
        // Only the level string changes: "Metadata" -> "RequestResponse".
        assert.equal(r.bytes.output, JSON.stringify(metaWrite).length + 1 + "RequestResponse".length - "Metadata".length);
    });

    it("strips managedFields from each item of a list", () => {
        assert.deepEqual(withoutManagedFields({ kind: "PodList", items: [pod, { metadata: { name: "q" } }] }), {
            kind: "PodList",
            items: [{ ...pod, metadata: { name: "p" } }, { metadata: { name: "q" } }],
        });
    });

    describe("on real audit logs (../shared/samples)", function () {
        before(function () {
            if (!existsSync(SAMPLES)) {
                console.log(`      skipped: ${SAMPLES} is absent (the shared samples live beside the repo)`);
                this.skip();
            }
        });

        it("audit2rbac demo: 37 events, all matched as the authenticated system:admin", async () => {
            const file = path.join(SAMPLES, "audit2rbac-demo-v1.jsonl");
            const r = await simulate(SHIPPED, Readable.from(readFileSync(file)));
            assert.equal(r.events, 37);
            assert.equal(r.invalid.count, 0);
            // 2 secrets lists hit the sensitive rule; everything else (discovery, other lists) the catch-all.
            assert.equal(r.ruleHits[8], 2);
            assert.equal(r.ruleHits[12], 35);
            assert.deepEqual(r.kept, { Metadata: 37, Request: 0, RequestResponse: 0, total: 37 });
            assert.equal(r.bytes.input, readFileSync(file).length);
            assert.equal(r.bytes.output, r.bytes.input); // already Metadata, one event per line
        });

        it("falco secret events: Metadata, never a body", async () => {
            const r = await simulate(SHIPPED, Readable.from(readFileSync(path.join(SAMPLES, "falco-k8s-audit-v1-secret-events.jsonl"))));
            assert.equal(r.events, 4);
            assert.deepEqual(r.kept, { Metadata: 4, Request: 0, RequestResponse: 0, total: 4 });
            assert.equal(r.ruleHits[8], 4);
        });

        it("falco legacy exec/attach (create over SPDY, no apiVersion): RequestResponse via the exec rule", async () => {
            const r = await simulate(SHIPPED, Readable.from(readFileSync(path.join(SAMPLES, "falco-k8s-audit-legacy-exec-attach.jsonl"))));
            assert.equal(r.events, 2);
            assert.equal(r.ruleHits[0], 2);
            assert.deepEqual(r.kept, { Metadata: 0, Request: 0, RequestResponse: 2, total: 2 });
        });
    });
});
