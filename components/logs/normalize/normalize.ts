import { gunzipSync } from "node:zlib";
import * as jmespath from "jmespath";
import {
    AKS_EVENT_PATH,
    DERIVED_FIELDS,
    derivedExpression,
    OTLP_EVENT_PATH,
    Extract,
    FieldMapping,
    GKE_EXTRACTS,
    GKE_FIELDS,
    GKE_SPLITS,
    GRPC_TO_HTTP,
    GRPC_UNKNOWN_HTTP,
    HOT_FIELDS,
    SourceFormat,
    Split,
} from "./table";

type Obj = Record<string, unknown>;

/** A line that is none of the three formats, or a wrapper whose content is not an Event. */
export class NormalizeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NormalizeError";
    }
}

function isObject(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a field path, or undefined (JMESPath semantics for plain field paths). */
export function valueAt(record: unknown, path: readonly string[]): unknown {
    let v: unknown = record;
    for (const key of path) {
        if (!isObject(v)) return undefined;
        v = v[key];
    }
    return v === null ? undefined : v;
}

/** Which format a parsed record is in, from its shape. */
export function detectFormat(record: unknown): SourceFormat | undefined {
    if (!isObject(record)) return undefined;
    if (typeof valueAt(record, AKS_EVENT_PATH) === "string") return "aks";
    if (typeof record.body === "string" && ("resources" in record || "attributes" in record)) return "otlp";
    const payload = record.protoPayload;
    if (isObject(payload) && (payload.serviceName === "k8s.io" || String(payload.methodName ?? "").startsWith("io.k8s."))) return "gke";
    if (record.kind === "Event" || (typeof record.verb === "string" && ("auditID" in record || "objectRef" in record || "requestURI" in record)))
        return "native";
    return undefined;
}

/** An extracted value as Alloy's json stage keeps it: strings as is, objects as JSON, numbers and booleans. */
function extract(record: Obj, e: Extract): unknown {
    for (const path of e.paths) {
        const v = valueAt(record, path);
        if (v !== undefined) return v;
    }
    return undefined;
}

function runSplit(vars: Map<string, unknown>, s: Split): void {
    const value = vars.get(s.source);
    if (typeof value !== "string") return;
    const m = new RegExp(s.pattern).exec(value);
    if (!m?.groups) return;
    for (const g of s.groups) if (m.groups[g] !== undefined) vars.set(g, m.groups[g]);
}

/**
 * A variable as Alloy's template stage sees it: every extracted value is turned into a string (numbers
 * without exponent, objects as JSON); null is left out. Go templates then treat "" as false.
 */
function templateString(v: unknown): string {
    if (v === undefined || v === null) return "";
    if (typeof v === "string") return v;
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
}

function convert(m: FieldMapping, v: unknown): unknown {
    const s = templateString(v);
    switch (m.conversion) {
        case "string":
            return s !== "" ? s : undefined;
        case "grpcToHttp":
            return GRPC_TO_HTTP[s === "" ? "0" : s] ?? GRPC_UNKNOWN_HTTP;
        case "coreGroup":
            return s !== "" && s !== "core" ? s : undefined;
        case "list":
            return s !== "" ? [s] : undefined;
        case "object":
            // Alloy's json stage hands objects on as JSON text, and the template parses it back (fromJson).
            return isObject(v) ? v : undefined;
    }
}

function setPath(target: Obj, path: readonly string[], value: unknown): void {
    let o = target;
    for (const key of path.slice(0, -1)) {
        if (!isObject(o[key])) o[key] = {};
        o = o[key] as Obj;
    }
    o[path[path.length - 1]] = value;
}

/** A GKE LogEntry as a native Event, by the table (the same mapping Alloy's template stage applies). */
export function eventFromGke(entry: Obj): Obj {
    const vars = new Map<string, unknown>();
    for (const e of GKE_EXTRACTS) {
        const v = extract(entry, e);
        if (v !== undefined) vars.set(e.name, v);
    }
    for (const s of GKE_SPLITS) runSplit(vars, s);
    const event: Obj = {};
    for (const m of GKE_FIELDS) {
        const value = m.constant !== undefined ? m.constant : convert(m, vars.get(m.from!));
        if (value !== undefined) setPath(event, m.target, value);
    }
    if (typeof event.verb !== "string")
        throw new NormalizeError(
            `GKE entry: protoPayload.methodName ${JSON.stringify(vars.get("gke_method") ?? null)} is not a Kubernetes method (io.k8s.<group>.<version>.<resource>.<verb>)`,
        );
    return event;
}

/**
 * JSON as Go's encoding/json writes it (what Alloy's `toJson` emits): object keys sorted, and <, >, &,
 * U+2028 and U+2029 escaped. The normaliser's GKE output is byte-identical to Alloy's.
 */
export function goJson(value: unknown): string {
    return JSON.stringify(sortKeys(value))
        .replace(/</g, "\\u003c")
        .replace(/>/g, "\\u003e")
        .replace(/&/g, "\\u0026")
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029");
}

function sortKeys(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (isObject(v))
        return Object.fromEntries(
            Object.keys(v)
                .sort()
                .map((k) => [k, sortKeys(v[k])]),
        );
    return v;
}

export interface NormalizedLine {
    format: SourceFormat;
    /** The line as stored in Loki: a native Event as JSON. */
    line: string;
    event: Obj;
}

/** What carried an Event: the four formats Alloy takes, plus the export formats only the CLI reads. */
export const CARRIERS = ["native", "aks", "gke", "otlp", "cloudwatch", "viaq"] as const;
export type Carrier = (typeof CARRIERS)[number];

/**
 * One Event found in an input record, or why one part of the record is not an Event (with its path).
 * `cluster`: the cluster the carrier names, when it names one (see clusterOf).
 */
export type Expanded = { carrier: Carrier; format: SourceFormat; line: string; event: Obj; cluster?: string } | { error: string };

/** The last path segment of an AKS resourceId: .../providers/Microsoft.ContainerService/managedClusters/<name>. */
const AKS_CLUSTER_ID = /\/managedClusters\/([^/]+)$/i;
/** The log group EKS writes control-plane logs to: /aws/eks/<cluster>/cluster. */
const EKS_LOG_GROUP = /^\/aws\/eks\/([^/]+)\/cluster$/;

function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * The cluster a carrier names, where it names one: a CloudWatch subscription message's logGroup
 * (/aws/eks/<name>/cluster), a GKE LogEntry's resource.labels.cluster_name, an Azure record's resourceId
 * (.../managedClusters/<name>, also _ResourceId in Log Analytics rows), an OTLP resource's k8s.cluster.name
 * (else openshift.cluster.uid, the ClusterLogForwarder's), a ViaQ record's openshift.cluster_id. A native
 * Event names none.
 */
function clusterOf(record: Obj): string | undefined {
    const group = str(record.logGroup);
    if (group) return EKS_LOG_GROUP.exec(group)?.[1];
    const gke = str(valueAt(record, ["resource", "labels", "cluster_name"]));
    if (gke) return gke;
    const azure = str(record.resourceId) ?? str(record._ResourceId) ?? str(record.ResourceId);
    if (azure) return AKS_CLUSTER_ID.exec(azure)?.[1];
    // Alloy's OTLP record (otelcol.exporter.loki): resource attributes as one flat object.
    const resources = record.resources;
    if (isObject(resources)) return str(resources["k8s.cluster.name"]) ?? str(resources["openshift.cluster.uid"]);
    if (isViaq(record)) return str(valueAt(record, ["openshift", "cluster_id"]));
    return undefined;
}

/** Items pushed since `from` that have no cluster yet get the one their enclosing carrier names. */
function tagCluster(out: Expanded[], from: number, cluster: string | undefined): void {
    if (cluster === undefined) return;
    for (let i = from; i < out.length; i++) {
        const x = out[i];
        if (!("error" in x) && x.cluster === undefined) x.cluster = cluster;
    }
}

/** The audit.k8s.io/v1 Event fields, in the order kube-apiserver writes them. */
const EVENT_FIELDS = [
    "kind",
    "apiVersion",
    "level",
    "auditID",
    "stage",
    "requestURI",
    "verb",
    "user",
    "impersonatedUser",
    "sourceIPs",
    "userAgent",
    "objectRef",
    "responseStatus",
    "requestObject",
    "responseObject",
    "requestReceivedTimestamp",
    "stageTimestamp",
    "annotations",
] as const;

/**
 * The AKS resource-specific tables (AKSAudit, AKSAuditAdmin; Azure Monitor table reference) to Event fields.
 * Dynamic columns come as objects, or as JSON text from exports that flatten them.
 */
const AKS_TABLE_COLUMNS: readonly [string, (typeof EVENT_FIELDS)[number]][] = [
    ["Level", "level"],
    ["AuditId", "auditID"],
    ["Stage", "stage"],
    ["RequestUri", "requestURI"],
    ["Verb", "verb"],
    ["User", "user"],
    ["ImpersonatedUser", "impersonatedUser"],
    ["SourceIps", "sourceIPs"],
    ["UserAgent", "userAgent"],
    ["ObjectRef", "objectRef"],
    ["ResponseStatus", "responseStatus"],
    ["RequestObject", "requestObject"],
    ["ResponseObject", "responseObject"],
    ["RequestReceivedTime", "requestReceivedTimestamp"],
    ["StageReceivedTime", "stageTimestamp"],
    ["Annotations", "annotations"],
];

const NOT_AN_EVENT =
    "not an audit Event, an AKS record (properties.log, log_s, AKSAudit row), a GKE LogEntry (protoPayload, serviceName k8s.io), " +
    "an OTLP record (body, resourceLogs), a CloudWatch export (logEvents, events, results, @message, Firehose records) or a ViaQ record";

/**
 * Turns one input line (native Event, AKS resource-log record, or GKE LogEntry) into the line Loki stores.
 * Native lines are kept byte for byte; AKS lines become the embedded Event string as is; GKE lines become
 * Go-style JSON of the mapped Event. Envelopes and exports yield one line per Event (see expandRecord).
 * Throws NormalizeError for the first part that is not an Event.
 */
export function normalizeLine(text: string): NormalizedLine[] {
    let record: unknown;
    try {
        record = JSON.parse(text);
    } catch {
        throw new NormalizeError("not JSON");
    }
    return expandRecord(record, text).map((x) => {
        if ("error" in x) throw new NormalizeError(x.error);
        return { format: x.format, line: x.line, event: x.event };
    });
}

/**
 * Every Event in a parsed record, whatever carries it: a native Event; an AKS resource-log record
 * (properties.log as a string or an object), an AzureDiagnostics row (log_s), an AKSAudit/AKSAuditAdmin row;
 * a GKE LogEntry; an Alloy OTLP record (body) or an OTLP/JSON export request (resourceLogs); a CloudWatch
 * Logs subscription message, a Firehose HTTP request body (gzip'd subscription messages), `aws logs
 * filter-log-events`/`get-log-events` output, Logs Insights results; a ClusterLogForwarder ViaQ record;
 * and the envelopes around them ({"records": [...]}, a JSON array). `text` is the record's source text
 * when it was a line of its own (a native line is then kept byte for byte).
 */
export function expandRecord(record: unknown, text?: string): Expanded[] {
    const out: Expanded[] = [];
    expand(record, text, "", undefined, out);
    return out;
}

function at(path: string, key: string | number): string {
    return typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
}

function fail(out: Expanded[], path: string, message: string): void {
    out.push({ error: path === "" ? message : `${path}: ${message}` });
}

/** A string that carries an Event (or another wrapper) as JSON; kept as is (trailing newline trimmed) when native. */
function expandText(text: string, path: string, carrier: Carrier, out: Expanded[]): void {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return fail(out, path, "not JSON");
    }
    if (!isObject(parsed) && !Array.isArray(parsed)) return fail(out, path, "not an audit Event");
    expand(parsed, text.trimEnd(), path, carrier, out);
}

function expand(record: unknown, text: string | undefined, path: string, carrier: Carrier | undefined, out: Expanded[]): void {
    const from = out.length;
    expandOne(record, text, path, carrier, out);
    if (isObject(record)) tagCluster(out, from, clusterOf(record));
}

function expandOne(record: unknown, text: string | undefined, path: string, carrier: Carrier | undefined, out: Expanded[]): void {
    if (Array.isArray(record)) {
        record.forEach((r, i) => expand(r, undefined, at(path, i), carrier, out));
        return;
    }
    if (!isObject(record)) return fail(out, path, NOT_AN_EVENT);
    const c = (own: Carrier): Carrier => carrier ?? own;

    // Envelopes: Azure Event Hubs / storage {"records": [...]}, Firehose HTTP endpoint {requestId, records: [{data}]}.
    if (Array.isArray(record.records)) {
        const firehose = typeof record.requestId === "string" || record.records.some((r) => isObject(r) && typeof r.data === "string");
        record.records.forEach((r, i) => {
            const p = at(path, `records[${i}]`);
            if (firehose) return expandFirehoseData(r, p, c("cloudwatch"), out);
            expand(r, undefined, p, carrier, out);
        });
        return;
    }
    // CloudWatch Logs subscription message (decoded): control messages carry no events.
    if (typeof record.messageType === "string" && Array.isArray(record.logEvents)) {
        if (record.messageType !== "DATA_MESSAGE") return;
        record.logEvents.forEach((e, i) => expandMessage(e, "message", at(path, `logEvents[${i}]`), c("cloudwatch"), out));
        return;
    }
    // `aws logs filter-log-events` / `get-log-events` output.
    if (Array.isArray(record.events) && record.events.every((e) => isObject(e) && "message" in e)) {
        record.events.forEach((e, i) => expandMessage(e, "message", at(path, `events[${i}]`), c("cloudwatch"), out));
        return;
    }
    // Logs Insights: `aws logs get-query-results` ({results: [[{field, value}]]}) and console exports ({"@message"}).
    if (Array.isArray(record.results) && record.results.every(Array.isArray)) {
        (record.results as unknown[][]).forEach((row, i) => {
            const cell = row.find((f) => isObject(f) && f.field === "@message");
            if (!isObject(cell)) return fail(out, at(path, `results[${i}]`), "no @message field (add @message to the query's fields)");
            expandMessage(cell, "value", at(path, `results[${i}]`), c("cloudwatch"), out);
        });
        return;
    }
    if (typeof record["@message"] === "string") return expandMessage(record, "@message", path, c("cloudwatch"), out);
    // OTLP/JSON export request (ExportLogsServiceRequest).
    if (Array.isArray(record.resourceLogs)) return expandOtlpExport(record.resourceLogs, at(path, "resourceLogs"), c("otlp"), out);

    const format = detectFormat(record);
    switch (format) {
        case "native":
            if (isViaq(record)) return push(out, c("viaq"), eventFromViaq(record));
            return push(out, c("native"), record, text);
        case "aks": {
            const log = valueAt(record, AKS_EVENT_PATH) as string;
            return expandInner(log, at(path, "properties.log"), c("aks"), out);
        }
        case "otlp":
            return expandInner(valueAt(record, OTLP_EVENT_PATH) as string, at(path, "body"), c("otlp"), out);
        case "gke": {
            try {
                const event = eventFromGke(record);
                return push(out, c("gke"), event, goJson(event));
            } catch (e) {
                if (e instanceof NormalizeError) return fail(out, path, e.message);
                throw e;
            }
        }
    }
    const props = record.properties;
    // An AKS record whose properties.log is already an object (some exports parse it).
    if (isObject(props) && isObject(props.log)) return expand(props.log, undefined, at(path, "properties.log"), c("aks"), out);
    // AzureDiagnostics (the legacy shared table): the Event is the log_s column.
    if (typeof record.log_s === "string") return expandInner(record.log_s, at(path, "log_s"), c("aks"), out);
    // AKSAudit / AKSAuditAdmin (resource-specific tables).
    if (typeof record.Verb === "string" && ("AuditId" in record || "RequestUri" in record)) return push(out, c("aks"), eventFromAksTable(record));
    fail(out, path, NOT_AN_EVENT);
}

/** The format Alloy would see: exports only the CLI reads hold lines Alloy takes as native. */
const FORMAT_OF: Record<Carrier, SourceFormat> = { native: "native", aks: "aks", gke: "gke", otlp: "otlp", cloudwatch: "native", viaq: "native" };

function push(out: Expanded[], carrier: Carrier, event: Obj, line?: string): void {
    out.push({ carrier, format: FORMAT_OF[carrier], event, line: line ?? JSON.stringify(event) });
}

/** A wrapper's embedded Event string: it must be an audit Event (or a ViaQ record), kept as is bar a trailing newline. */
function expandInner(inner: string, path: string, carrier: Carrier, out: Expanded[]): void {
    let event: unknown;
    try {
        event = JSON.parse(inner);
    } catch {
        return fail(out, path, "not JSON");
    }
    if (detectFormat(event) !== "native") return fail(out, path, "not an audit Event");
    expand(event, inner.trimEnd(), path, carrier, out);
}

/** A log event's message (CloudWatch, Logs Insights): the line the apiserver (or the collector) wrote. */
function expandMessage(entry: unknown, key: string, path: string, carrier: Carrier, out: Expanded[]): void {
    const message = isObject(entry) ? entry[key] : undefined;
    if (typeof message !== "string") return fail(out, at(path, key), "not a string");
    expandText(message, at(path, key), carrier, out);
}

/** A Firehose record's data: base64 of a gzip'd subscription message, or (with decompression on) of the message or its lines. */
function expandFirehoseData(record: unknown, path: string, carrier: Carrier, out: Expanded[]): void {
    const data = isObject(record) ? record.data : undefined;
    if (typeof data !== "string") return fail(out, at(path, "data"), "not a base64 string");
    let bytes = Buffer.from(data, "base64");
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
            bytes = gunzipSync(bytes);
        } catch {
            return fail(out, at(path, "data"), "gzip data is corrupt");
        }
    }
    const text = bytes.toString("utf8");
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    // CloudWatch concatenates subscription messages without separators in one record only when decompression is on:
    // each line is then one message or one event.
    if (lines.length > 1) return lines.forEach((l, i) => expandText(l, at(at(path, "data"), `lines[${i}]`), carrier, out));
    expandText(text, at(path, "data"), carrier, out);
}

/** OTLP AnyValue (JSON encoding) to a plain value: kvlistValue becomes an object. */
function anyValue(v: unknown): unknown {
    if (!isObject(v)) return undefined;
    if ("stringValue" in v) return v.stringValue;
    if ("boolValue" in v) return v.boolValue;
    if ("intValue" in v) return Number(v.intValue);
    if ("doubleValue" in v) return v.doubleValue;
    if ("bytesValue" in v) return v.bytesValue;
    if (isObject(v.arrayValue)) return ((v.arrayValue.values as unknown[]) ?? []).map(anyValue);
    if (isObject(v.kvlistValue))
        return Object.fromEntries(((v.kvlistValue.values as unknown[]) ?? []).filter(isObject).map((kv) => [String(kv.key), anyValue(kv.value)]));
    return undefined;
}

function expandOtlpExport(resourceLogs: unknown[], path: string, carrier: Carrier, out: Expanded[]): void {
    resourceLogs.forEach((rl, i) => {
        const from = out.length;
        const scopeLogs = isObject(rl) && Array.isArray(rl.scopeLogs) ? rl.scopeLogs : [];
        scopeLogs.forEach((sl, j) => {
            const records = isObject(sl) && Array.isArray(sl.logRecords) ? sl.logRecords : [];
            records.forEach((lr, k) => {
                const p = `${path}[${i}].scopeLogs[${j}].logRecords[${k}].body`;
                const body = anyValue(isObject(lr) ? lr.body : undefined);
                if (typeof body === "string") return expandInner(body, p, carrier, out);
                if (isObject(body)) return expand(body, undefined, p, carrier, out);
                fail(out, p, "not a string or kvlist");
            });
        });
        tagCluster(out, from, otlpResourceCluster(isObject(rl) ? rl.resource : undefined));
    });
}

/** The cluster an OTLP resource names: k8s.cluster.name (semantic conventions), else the ClusterLogForwarder's openshift.cluster.uid. */
function otlpResourceCluster(resource: unknown): string | undefined {
    const attrs = isObject(resource) && Array.isArray(resource.attributes) ? resource.attributes.filter(isObject) : [];
    const attr = (key: string) => str(anyValue(attrs.find((a) => a.key === key)?.value));
    return attr("k8s.cluster.name") ?? attr("openshift.cluster.uid");
}

/**
 * A ClusterLogForwarder ViaQ audit record: the apiserver's Event merged with the collector's fields. There
 * `level` is the collector's log level; the audit level is k8s_audit_level (kube-apiserver) or
 * openshift_audit_level (openshift-apiserver).
 */
function isViaq(record: Obj): boolean {
    return "k8s_audit_level" in record || "openshift_audit_level" in record || (record.log_type === "audit" && "log_source" in record);
}

function eventFromViaq(record: Obj): Obj {
    const level = record.k8s_audit_level ?? record.openshift_audit_level;
    return pickEventFields({ ...record, level: typeof level === "string" ? level : undefined });
}

function pickEventFields(record: Obj): Obj {
    const event: Obj = {};
    for (const f of EVENT_FIELDS) if (record[f] !== undefined && record[f] !== null) event[f] = record[f];
    return event;
}

/** An exported dynamic column: an object, or JSON text of one. */
function dynamicColumn(v: unknown): unknown {
    if (typeof v !== "string") return v;
    const t = v.trim();
    if (!(t.startsWith("{") || t.startsWith("["))) return v;
    try {
        return JSON.parse(t);
    } catch {
        return v;
    }
}

function eventFromAksTable(row: Obj): Obj {
    const e: Obj = { kind: "Event", apiVersion: "audit.k8s.io/v1" };
    for (const [column, field] of AKS_TABLE_COLUMNS) {
        const v = dynamicColumn(row[column]);
        // Empty dynamic cells, and "skipped-too-big-size-object" bodies (AKS drops bodies above its size limit).
        if (v === undefined || v === null || v === "" || (typeof v === "string" && (field === "requestObject" || field === "responseObject")))
            continue;
        if (isObject(v) && Object.keys(v).length === 0 && field !== "responseStatus") continue;
        e[field] = v;
    }
    return pickEventFields(e);
}

const DERIVED_COMPILED = DERIVED_FIELDS.map((f) => ({ key: f.key, expression: derivedExpression(f.expression) }));

/**
 * The structured metadata Alloy attaches to a normalised Event: the hot fields and the derived fields
 * (absent and empty values are left out; numbers and booleans as Alloy writes them).
 */
export function hotFields(event: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of HOT_FIELDS) {
        const v = valueAt(event, f.path);
        if (v !== undefined && v !== "") out[f.key] = String(v);
    }
    for (const f of DERIVED_COMPILED) {
        const v: unknown = jmespath.search(event as Obj, f.expression);
        if (v !== null && v !== undefined) out[f.key] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}
