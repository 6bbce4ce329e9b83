import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { ReadItem, readAuditEvents } from "../../../../components/logs/normalize/reader";
import { FIXTURE_CLUSTER, loadFixtures } from "../../../helpers/detection-fixtures";
import { expectedCluster, gkeActual, gkeExpected, grpcCode, SOURCE_NAMES, SourceName, toGke, wrapEvents } from "../../../helpers/source-formats";

type Obj = Record<string, unknown>;

/** Real Events (falco, audit2rbac; ../shared/samples, see its SOURCES.md) besides the fixtures'. */
const SAMPLES = path.resolve(__dirname, "../../../../../shared/samples");
const REAL: Obj[] = ["falco-k8s-audit-v1-secret-events.jsonl", "audit2rbac-demo-v1.jsonl", "falco-k8s-audit-legacy-exec-attach.jsonl"].flatMap(
    (f) => {
        try {
            return readFileSync(path.join(SAMPLES, f), "utf8")
                .split("\n")
                .filter((l) => l.trim() !== "")
                .map((l) => JSON.parse(l) as Obj);
        } catch {
            return [];
        }
    },
);

const CARRIER: Record<SourceName, string> = { native: "native", eks: "cloudwatch", gke: "gke", aks: "aks", openshift: "otlp" };

async function read(text: string): Promise<ReadItem[]> {
    const items: ReadItem[] = [];
    await readAuditEvents(Readable.from([text]), (i) => items.push(i));
    return items;
}

describe("the five source formats: each wrapper round-trips through normalize", () => {
    const fixtureEvents = loadFixtures().flatMap((f) => [...f.positive, ...f.negative].flatMap((c) => c.events));
    const events = [...fixtureEvents, ...REAL];

    it(`also wraps ${REAL.length} real sample Events (../shared/samples; skipped where that checkout is absent)`, function () {
        if (REAL.length === 0) this.skip();
        assert.ok(REAL.every((e) => e.kind === "Event"));
    });

    for (const source of SOURCE_NAMES)
        it(`${source}: the normalised Event equals the original on every field the format carries, and names the cluster`, async () => {
            const representable = events.filter((e) => !("unrepresentable" in wrapEvents(source, [e], FIXTURE_CLUSTER)));
            const wrapped = wrapEvents(source, representable, FIXTURE_CLUSTER);
            assert.ok("text" in wrapped);
            const items = await read(wrapped.text);
            assert.equal(items.length, representable.length);
            items.forEach((item, i) => {
                if ("error" in item) assert.fail(`${source} #${i}: ${item.error}`);
                assert.equal(item.carrier, CARRIER[source]);
                assert.equal(item.cluster, expectedCluster(source, FIXTURE_CLUSTER));
                if (source === "gke") assert.deepEqual(gkeActual(item.event), gkeExpected(representable[i]), `gke #${i}`);
                // The others carry the apiserver's line whole: native, EKS and OpenShift byte for byte, AKS bar its trailing newline.
                else assert.equal(item.line, JSON.stringify(representable[i]), `${source} #${i}`);
            });
        });

    it("gke: only non-resource requests cannot be carried (a LogEntry names a resource)", () => {
        const not = events.filter((e) => "unrepresentable" in toGke(e, FIXTURE_CLUSTER));
        assert.ok(not.every((e) => (e.objectRef as Obj | undefined)?.resource === undefined));
    });

    it("gke: methodName and resourceName as GKE writes them (core group, reversed *.k8s.io groups, Namespaces, subresources)", () => {
        const entry = (objectRef: Obj, verb: string) => {
            const w = toGke({ kind: "Event", auditID: "x", verb, objectRef }, "c");
            assert.ok("text" in w);
            const p = JSON.parse(w.text).protoPayload;
            return [p.methodName, p.resourceName];
        };
        assert.deepEqual(entry({ resource: "pods", namespace: "shop", name: "web-0", apiVersion: "v1", subresource: "exec" }, "get"), [
            "io.k8s.core.v1.pods.exec.get",
            "core/v1/namespaces/shop/pods/web-0/exec",
        ]);
        assert.deepEqual(entry({ resource: "clusterrolebindings", name: "b", apiGroup: "rbac.authorization.k8s.io", apiVersion: "v1" }, "create"), [
            "io.k8s.authorization.rbac.v1.clusterrolebindings.create",
            "rbac.authorization.k8s.io/v1/clusterrolebindings/b",
        ]);
        assert.deepEqual(entry({ resource: "deployments", namespace: "shop", apiGroup: "apps", apiVersion: "v1" }, "list"), [
            "io.k8s.apps.v1.deployments.list",
            "apps/v1/namespaces/shop/deployments",
        ]);
        assert.deepEqual(
            entry({ resource: "namespaces", namespace: "team-a", name: "team-a", apiVersion: "v1", subresource: "finalize" }, "update"),
            ["io.k8s.core.v1.namespaces.finalize.update", "core/v1/namespaces/team-a/finalize"],
        );
    });

    it("gke: HTTP status to the gRPC code GKE keeps (successes OK)", () => {
        assert.deepEqual(
            [101, 200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 503, undefined].map(grpcCode),
            [0, 0, 0, 3, 16, 7, 5, 6, 2, 8, 2, 14, 0],
        );
    });
});
