import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { normalizeLine } from "../../../../components/logs/normalize/normalize";
import { ReadItem, readAuditEvents } from "../../../../components/logs/normalize/reader";
import { GKE_DENIED_SECRET_GET, OTLP_RECORD } from "./samples";

/** Fixtures: two copied from public repositories, the rest written here around real Events (see SOURCES.md there). */
const FIXTURES = path.resolve(__dirname, "../../../fixtures/audit-formats");
const fixture = (f: string) => readFileSync(path.join(FIXTURES, f), "utf8");
/** The two real Events (falco, Apache-2.0) every written wrapper carries, as kube-apiserver wrote them. */
const [EV0, EV1] = fixture("falco-secret-events.jsonl").split("\n").filter(Boolean);

async function read(text: string | Buffer): Promise<ReadItem[]> {
    const items: ReadItem[] = [];
    // Small chunks: a document or a line split across chunks must still be read whole.
    const buf = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 97) chunks.push(buf.subarray(i, i + 97));
    await readAuditEvents(Readable.from(chunks), (i) => items.push(i));
    return items;
}

function lines(items: ReadItem[]): string[] {
    return items.map((i) => ("error" in i ? `ERROR line ${i.lineNo}: ${i.error}` : i.line));
}

function carriers(items: ReadItem[]): string[] {
    return items.map((i) => ("error" in i ? "error" : i.carrier));
}

describe("readAuditEvents: every export format, one reader for normalize and policy simulate", () => {
    it("native JSON lines stay byte for byte", async () => {
        const items = await read(fixture("falco-secret-events.jsonl"));
        assert.deepEqual(lines(items), [EV0, EV1]);
        assert.deepEqual(carriers(items), ["native", "native"]);
    });

    it("AKS: properties.log ending in a newline gives no blank line; properties.log as an object is taken", async () => {
        const items = await read(fixture("aks-records-newline-and-object.json"));
        assert.deepEqual(lines(items), [EV0, EV1]);
        assert.deepEqual(carriers(items), ["aks", "aks"]);
        assert.ok(JSON.parse(fixture("aks-records-newline-and-object.json")).records[0].properties.log.endsWith("}\n"));
    });

    it("AzureDiagnostics row: the Event in log_s, trailing newline dropped", async () => {
        assert.deepEqual(lines(await read(fixture("azure-diagnostics-rows.jsonl"))), [EV0]);
    });

    it("AKSAuditAdmin row: columns back to the Event kube-apiserver wrote, field for field and in its order", async () => {
        const items = await read(fixture("aks-audit-admin-rows.jsonl"));
        assert.deepEqual(lines(items), [EV0]);
        assert.deepEqual(carriers(items), ["aks"]);
    });

    it("AKSAudit row with dynamic columns as objects and a body too big for AKS (dropped, not kept as a string)", async () => {
        const e = JSON.parse(EV0);
        const row = {
            Type: "AKSAudit",
            Level: e.level,
            AuditId: e.auditID,
            Stage: e.stage,
            RequestUri: e.requestURI,
            Verb: e.verb,
            User: e.user,
            SourceIps: e.sourceIPs,
            UserAgent: e.userAgent,
            ObjectRef: e.objectRef,
            ResponseStatus: e.responseStatus,
            RequestObject: "skipped-too-big-size-object",
            RequestReceivedTime: e.requestReceivedTimestamp,
            StageReceivedTime: e.stageTimestamp,
            Annotations: e.annotations,
        };
        assert.deepEqual(lines(await read(JSON.stringify(row))), [EV0]);
    });

    it("CloudWatch subscription message: one Event per logEvents[].message, as the apiserver wrote it", async () => {
        const items = await read(fixture("cloudwatch-subscription-message.json"));
        assert.deepEqual(lines(items), [EV0, EV1]);
        assert.deepEqual(carriers(items), ["cloudwatch", "cloudwatch"]);
    });

    it("CloudWatch control message: nothing, and nothing invalid", async () => {
        assert.deepEqual(await read(fixture("cloudwatch-control-message.json")), []);
    });

    it("Firehose HTTP endpoint request body: records[].data gzip'd subscription messages, control messages skipped", async () => {
        const data = (f: string) => gzipSync(Buffer.from(fixture(f))).toString("base64");
        const body = {
            requestId: "ed4acda5-034f-9f42-bba1-f29aea6d7d8f",
            timestamp: 1585076030000,
            records: [{ data: data("cloudwatch-control-message.json") }, { data: data("cloudwatch-subscription-message.json") }],
        };
        const items = await read(JSON.stringify(body));
        assert.deepEqual(lines(items), [EV0, EV1]);
        assert.deepEqual(carriers(items), ["cloudwatch", "cloudwatch"]);
        // Firehose with CloudWatch decompression on: data is the message text itself.
        const plain = { requestId: "x", timestamp: 1, records: [{ data: Buffer.from(EV1 + "\n").toString("base64") }] };
        assert.deepEqual(lines(await read(JSON.stringify(plain))), [EV1]);
        assert.deepEqual(lines(await read(JSON.stringify({ requestId: "x", records: [{ data: "bm90IGpzb24=" }] }))), [
            "ERROR line 1: records[0].data: not JSON",
        ]);
    });

    it("aws logs filter-log-events output, pretty-printed: read as one document", async () => {
        const items = await read(fixture("filter-log-events.json"));
        assert.deepEqual(lines(items), [EV0, EV1]);
        assert.deepEqual(
            items.map((i) => i.lineNo),
            [1, 1],
        );
    });

    it("Logs Insights: get-query-results output and the console's JSON export (@message)", async () => {
        assert.deepEqual(lines(await read(fixture("insights-get-query-results.json"))), [EV0]);
        assert.deepEqual(lines(await read(fixture("insights-export.json"))), [EV1]);
        const noMessage = { results: [[{ field: "@timestamp", value: "2020-03-24 18:53:49.023" }]], status: "Complete" };
        assert.deepEqual(lines(await read(JSON.stringify(noMessage))), [
            "ERROR line 1: results[0]: no @message field (add @message to the query's fields)",
        ]);
    });

    it("OTLP/JSON export request: bodies as stringValue and as kvlistValue", async () => {
        const items = await read(fixture("otlp-export-audit.json"));
        assert.deepEqual(lines(items), [EV0, EV1]);
        assert.deepEqual(carriers(items), ["otlp", "otlp"]);
    });

    it("OTLP/JSON spec example (real, opentelemetry-proto examples/logs.json): its body is no Event, said with its path", async () => {
        assert.deepEqual(lines(await read(fixture("otlp-proto-examples-logs.json"))), [
            "ERROR line 1: resourceLogs[0].scopeLogs[0].logRecords[0].body: not JSON",
        ]);
    });

    it("ViaQ record: level from k8s_audit_level (not the collector's level), collector fields dropped", async () => {
        const items = await read(fixture("viaq-audit-records.jsonl"));
        assert.deepEqual(lines(items), [EV0]);
        assert.deepEqual(carriers(items), ["viaq"]);
        const viaq = JSON.parse(fixture("viaq-audit-records.jsonl"));
        assert.equal(viaq.level, "default");
        const openshiftApi = { ...viaq, k8s_audit_level: undefined, openshift_audit_level: "RequestResponse", log_source: "openshiftAPI" };
        const [item] = await read(JSON.stringify(openshiftApi));
        assert.ok(!("error" in item));
        assert.equal(item.event.level, "RequestResponse");
        assert.equal(item.event.hostname, undefined);
    });

    it("mixed JSON lines, blank lines and bad lines: each Event once, each bad line reported with its number", async () => {
        const text = [
            EV0,
            "",
            fixture("cloudwatch-subscription-message.json").trim(),
            "{oops",
            '{"hello":1}',
            fixture("viaq-audit-records.jsonl").trim(),
        ].join("\r\n");
        const items = await read(text);
        assert.deepEqual(lines(items), [
            EV0,
            EV0,
            EV1,
            "ERROR line 4: not JSON",
            "ERROR line 5: not an audit Event, an AKS record (properties.log, log_s, AKSAudit row), a GKE LogEntry (protoPayload, serviceName k8s.io), " +
                "an OTLP record (body, resourceLogs), a CloudWatch export (logEvents, events, results, @message, Firehose records) or a ViaQ record",
            EV0,
        ]);
    });

    it("a first line that opens a document which never parses: every line is reported on its own", async () => {
        assert.deepEqual(lines(await read(`{\n${EV1}\n`)), ["ERROR line 1: not JSON", EV1]);
    });
});

describe("GKE: Namespaces are their own namespace; status and finalize are their subresources", () => {
    const entry = (resourceName: string, methodName: string) =>
        JSON.stringify({ ...GKE_DENIED_SECRET_GET, protoPayload: { ...GKE_DENIED_SECRET_GET.protoPayload, resourceName, methodName } });
    const ref = (resourceName: string, methodName: string) => normalizeLine(entry(resourceName, methodName))[0].event.objectRef;

    it("a Namespace get keeps objectRef.namespace (the apiserver sets it to the Namespace's name)", () => {
        assert.deepEqual(ref("core/v1/namespaces/team-a", "io.k8s.core.v1.namespaces.get"), {
            apiVersion: "v1",
            namespace: "team-a",
            name: "team-a",
            resource: "namespaces",
        });
    });

    for (const sub of ["status", "finalize"])
        it(`core/v1/namespaces/NS/${sub} is the ${sub} subresource of Namespace NS, not a resource ${sub} in it`, () => {
            assert.deepEqual(ref(`core/v1/namespaces/team-a/${sub}`, `io.k8s.core.v1.namespaces.${sub}.update`), {
                apiVersion: "v1",
                namespace: "team-a",
                name: "team-a",
                resource: "namespaces",
                subresource: sub,
            });
        });

    it("resources in a namespace and the Namespace list are unchanged", () => {
        assert.deepEqual(ref("core/v1/namespaces/team-a/pods", "io.k8s.core.v1.pods.list"), {
            apiVersion: "v1",
            namespace: "team-a",
            resource: "pods",
        });
        assert.deepEqual(ref("core/v1/namespaces/team-a/pods/web/status", "io.k8s.core.v1.pods.status.patch"), {
            apiVersion: "v1",
            namespace: "team-a",
            resource: "pods",
            name: "web",
            subresource: "status",
        });
        assert.deepEqual(ref("core/v1/namespaces", "io.k8s.core.v1.namespaces.list"), { apiVersion: "v1", resource: "namespaces" });
    });
});

describe("readAuditEvents: the cluster each carrier names (detect's cluster)", () => {
    const clusters = (items: ReadItem[]) => items.map((i) => ("error" in i ? "error" : (i.cluster ?? "none")));

    it("native lines and exports that name no log group carry none (filter-log-events, Logs Insights)", async () => {
        assert.deepEqual(clusters(await read(fixture("falco-secret-events.jsonl"))), ["none", "none"]);
        assert.deepEqual(clusters(await read(fixture("filter-log-events.json"))), ["none", "none"]);
        assert.deepEqual(clusters(await read(fixture("insights-get-query-results.json"))), ["none"]);
    });

    it("EKS: the subscription message's logGroup /aws/eks/<name>/cluster, also inside Firehose records; another log group names none", async () => {
        assert.deepEqual(clusters(await read(fixture("cloudwatch-subscription-message.json"))), ["prod", "prod"]);
        const data = gzipSync(Buffer.from(fixture("cloudwatch-subscription-message.json"))).toString("base64");
        assert.deepEqual(clusters(await read(JSON.stringify({ requestId: "r1", timestamp: 1, records: [{ data }] }))), ["prod", "prod"]);
        const other = { ...JSON.parse(fixture("cloudwatch-subscription-message.json")), logGroup: "/aws/lambda/audit" };
        assert.deepEqual(clusters(await read(JSON.stringify(other))), ["none", "none"]);
    });

    it("GKE: resource.labels.cluster_name", async () => {
        assert.deepEqual(clusters(await read(JSON.stringify(GKE_DENIED_SECRET_GET))), ["analytics-prod"]);
    });

    it("AKS: the resourceId's managedClusters/<name> (records envelope), _ResourceId in Log Analytics rows", async () => {
        const record = (resourceId: string) => ({ resourceId, category: "kube-audit", properties: { log: EV0 } });
        const batch = {
            records: [
                record("/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-HDS"),
                record("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-dev"),
            ],
        };
        assert.deepEqual(clusters(await read(JSON.stringify(batch))), ["AKS-HDS", "aks-dev"]);
        assert.deepEqual(clusters(await read(fixture("aks-audit-admin-rows.jsonl"))), ["aks"]);
    });

    it("OpenShift: OTLP resource k8s.cluster.name, else openshift.cluster.uid (export requests and Alloy's records); ViaQ openshift.cluster_id", async () => {
        const uid = "4f1c7a2e-0b7e-4c59-9d4f-3a3c1e2b5d6f";
        assert.deepEqual(clusters(await read(fixture("otlp-export-audit.json"))), [uid, uid]);
        const named = JSON.parse(fixture("otlp-export-audit.json"));
        named.resourceLogs[0].resource.attributes.push({ key: "k8s.cluster.name", value: { stringValue: "ocp-prod" } });
        assert.deepEqual(clusters(await read(JSON.stringify(named))), ["ocp-prod", "ocp-prod"]);
        assert.deepEqual(clusters(await read(JSON.stringify(OTLP_RECORD))), ["3f6c2d1e-aaaa-bbbb-cccc-123456789abc"]);
        assert.deepEqual(clusters(await read(JSON.stringify({ ...OTLP_RECORD, resources: { "k8s.cluster.name": "ocp-dr" } }))), ["ocp-dr"]);
        assert.deepEqual(clusters(await read(fixture("viaq-audit-records.jsonl"))), [uid]);
    });
});
