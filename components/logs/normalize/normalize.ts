import {
    AKS_EVENT_PATH,
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

/**
 * Turns one input line (native Event, AKS resource-log record, or GKE LogEntry) into the line Loki stores.
 * Native lines are kept byte for byte; AKS lines become the embedded Event string as is; GKE lines become
 * Go-style JSON of the mapped Event. An Azure `{"records": [...]}` envelope yields one line per record.
 */
export function normalizeLine(text: string): NormalizedLine[] {
    let record: unknown;
    try {
        record = JSON.parse(text);
    } catch {
        throw new NormalizeError("not JSON");
    }
    if (isObject(record) && Array.isArray(record.records)) {
        return record.records.map((r, i) => {
            try {
                return normalizeRecord(r, JSON.stringify(r));
            } catch (e) {
                if (e instanceof NormalizeError) throw new NormalizeError(`records[${i}]: ${e.message}`);
                throw e;
            }
        });
    }
    return [normalizeRecord(record, text)];
}

function normalizeRecord(record: unknown, text: string): NormalizedLine {
    const format = detectFormat(record);
    switch (format) {
        case "native":
            return { format, line: text, event: record as Obj };
        case "aks":
            return unwrap(format, valueAt(record, AKS_EVENT_PATH) as string, "AKS record: properties.log");
        case "otlp":
            return unwrap(format, valueAt(record, OTLP_EVENT_PATH) as string, "OTLP record: body");
        case "gke": {
            const event = eventFromGke(record as Obj);
            return { format, line: goJson(event), event };
        }
        default:
            throw new NormalizeError(
                "not an audit Event, an AKS resource-log record (properties.log), a GKE LogEntry (protoPayload, serviceName k8s.io) or an OTLP record (body)",
            );
    }
}

/** A wrapper's embedded Event string, stored as is. */
function unwrap(format: SourceFormat, inner: string, what: string): NormalizedLine {
    let event: unknown;
    try {
        event = JSON.parse(inner);
    } catch {
        throw new NormalizeError(`${what} is not JSON`);
    }
    if (detectFormat(event) !== "native") throw new NormalizeError(`${what} is not an audit Event`);
    return { format, line: inner, event: event as Obj };
}

/** The structured metadata Alloy attaches to a normalised Event (absent fields are left out). */
export function hotFields(event: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of HOT_FIELDS) {
        const v = valueAt(event, f.path);
        if (v !== undefined && v !== "") out[f.key] = String(v);
    }
    return out;
}

/**
 * A parsed record as a native Event: AKS and GKE records are converted by the table, anything else is
 * returned as is (for the caller to judge). Throws NormalizeError for a wrapper whose content is unusable.
 */
export function toNativeEvent(record: unknown): unknown {
    const format = detectFormat(record);
    return format === "aks" || format === "gke" || format === "otlp" ? normalizeRecord(record, "").event : record;
}
