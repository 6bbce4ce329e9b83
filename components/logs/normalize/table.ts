/**
 * The one normalisation table. Every line stored in Loki is a native `audit.k8s.io/v1` Event; this table
 * says how each source format becomes one. It is used twice: rendered into Alloy `loki.process` stages
 * (../alloy/stages.ts) and run by the TypeScript normaliser (./normalize.ts) behind `akko-audit normalize`
 * and `policy simulate` — so the two cannot drift.
 *
 * Paths are JMESPath field paths (segments, with `||` alternatives); patterns are regular expressions in
 * the common subset of RE2 (Alloy) and JavaScript, named groups written `(?<name>...)`.
 */

/** Formats an audit line arrives in. */
export const SOURCE_FORMATS = ["native", "aks", "gke", "otlp"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** One value read from the source record: the first alternative path that has a value wins. */
export interface Extract {
    /** Name in Alloy's extracted map (and the normaliser's variables). */
    name: string;
    /** Alternatives, each a list of field names from the record's root. */
    paths: string[][];
    /** Where the field is documented. */
    origin: string;
}

/** A regular expression over an extracted value; its named groups become variables. */
export interface Split {
    source: string;
    pattern: string;
    groups: string[];
    why: string;
}

/**
 * How a variable becomes an Event field:
 * - string: copied when non-empty;
 * - grpcToHttp: gRPC status code to HTTP (absent means OK, 200); unknown codes 500;
 * - coreGroup: API group, with GKE's "core" meaning the core group (omitted, as the apiserver writes it);
 * - list: a one-element list;
 * - object: a JSON object, copied whole.
 */
export type Conversion = "string" | "grpcToHttp" | "coreGroup" | "list" | "object";

export interface FieldMapping {
    /** Path of the Event field (segments; a segment may contain dots, e.g. annotation keys). */
    target: string[];
    /** Variable the value comes from; absent for a constant. */
    from?: string;
    constant?: string;
    conversion: Conversion;
    /** What is lost or approximated, said plainly; absent when the value is exact. */
    lossy?: string;
}

/** gRPC status codes (google.rpc.Code) to the HTTP status the apiserver would have answered. */
export const GRPC_TO_HTTP: Readonly<Record<string, number>> = {
    "0": 200, // OK
    "1": 499, // CANCELLED
    "2": 500, // UNKNOWN
    "3": 400, // INVALID_ARGUMENT
    "4": 504, // DEADLINE_EXCEEDED
    "5": 404, // NOT_FOUND
    "6": 409, // ALREADY_EXISTS
    "7": 403, // PERMISSION_DENIED
    "8": 429, // RESOURCE_EXHAUSTED
    "9": 400, // FAILED_PRECONDITION
    "10": 409, // ABORTED
    "11": 400, // OUT_OF_RANGE
    "12": 501, // UNIMPLEMENTED
    "13": 500, // INTERNAL
    "14": 503, // UNAVAILABLE
    "15": 500, // DATA_LOSS
    "16": 401, // UNAUTHENTICATED
};
export const GRPC_UNKNOWN_HTTP = 500;

/** AKS: the Azure resource-log record carries the Event as a JSON string in properties.log. */
export const AKS_EVENT_PATH = ["properties", "log"];
/**
 * OpenShift through the ClusterLogForwarder's OTLP output: the collector sends the audit line as the log
 * record's body (a string); Alloy's otelcol.exporter.loki writes {"body": ..., "attributes": ..., "resources": ...}.
 */
export const OTLP_EVENT_PATH = ["body"];

/**
 * GKE: Cloud Audit Logs `LogEntry` (protoPayload of type google.cloud.audit.AuditLog, serviceName k8s.io).
 * Sources: cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry,
 * cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog and
 * cloud.google.com/kubernetes-engine/docs/how-to/audit-logging.
 */
export const GKE_EXTRACTS: readonly Extract[] = [
    { name: "gke_method", paths: [["protoPayload", "methodName"]], origin: "AuditLog.methodName, e.g. io.k8s.core.v1.pods.exec.create" },
    { name: "gke_resource_name", paths: [["protoPayload", "resourceName"]], origin: "AuditLog.resourceName, e.g. core/v1/namespaces/NS/pods/P/exec" },
    {
        name: "gke_principal",
        paths: [["protoPayload", "authenticationInfo", "principalEmail"]],
        origin: "AuditLog.authenticationInfo.principalEmail",
    },
    { name: "gke_status_code", paths: [["protoPayload", "status", "code"]], origin: "AuditLog.status.code (google.rpc.Code)" },
    { name: "gke_status_message", paths: [["protoPayload", "status", "message"]], origin: "AuditLog.status.message" },
    { name: "gke_caller_ip", paths: [["protoPayload", "requestMetadata", "callerIp"]], origin: "AuditLog.requestMetadata.callerIp" },
    {
        name: "gke_user_agent",
        paths: [["protoPayload", "requestMetadata", "callerSuppliedUserAgent"]],
        origin: "AuditLog.requestMetadata.callerSuppliedUserAgent",
    },
    {
        name: "gke_audit_id",
        paths: [["operation", "id"], ["insertId"]],
        origin: "LogEntry.operation.id (the apiserver's audit ID), else LogEntry.insertId",
    },
    { name: "gke_timestamp", paths: [["timestamp"]], origin: "LogEntry.timestamp (when the event happened)" },
    { name: "gke_decision", paths: [["labels", "authorization.k8s.io/decision"]], origin: "LogEntry.labels[authorization.k8s.io/decision]" },
    { name: "gke_reason", paths: [["labels", "authorization.k8s.io/reason"]], origin: "LogEntry.labels[authorization.k8s.io/reason]" },
    { name: "gke_request", paths: [["protoPayload", "request"]], origin: "AuditLog.request (the request body, when logged)" },
    { name: "gke_response", paths: [["protoPayload", "response"]], origin: "AuditLog.response (the response body, when logged)" },
];

export const GKE_SPLITS: readonly Split[] = [
    {
        source: "gke_method",
        pattern: "^io\\.k8s\\..*\\.(?<gke_verb>[a-z]+)$",
        groups: ["gke_verb"],
        why: "the verb is the last segment of methodName (io.k8s.core.v1.secrets.get -> get)",
    },
    {
        source: "gke_resource_name",
        pattern:
            "^(?<gke_group>[^/]+)/(?<gke_version>[^/]+)/(?:namespaces/(?<gke_namespace>[^/]+)/)?(?<gke_resource>[^/]+)(?:/(?<gke_name>[^/]+))?(?:/(?<gke_subresource>[^/]+))?$",
        groups: ["gke_group", "gke_version", "gke_namespace", "gke_resource", "gke_name", "gke_subresource"],
        why: "resourceName is GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]], the group spelt core for the core group",
    },
    {
        source: "gke_resource_name",
        pattern: "^core/v1/(?<gke_resource>namespaces)/(?<gke_name>(?<gke_namespace>[^/]+))(?:/(?<gke_subresource>status|finalize))?$",
        groups: ["gke_resource", "gke_name", "gke_namespace", "gke_subresource"],
        why:
            "a Namespace is its own namespace: the apiserver sets objectRef.namespace to its name, and status and finalize are its " +
            "subresources, not resources in it (k8s.io/apiserver requestinfo.go namespaceSubresources); runs after the split above and overrides it",
    },
];

const TS_LOSSY = "GKE records one timestamp per entry: requestReceivedTimestamp and stageTimestamp are both LogEntry.timestamp";

export const GKE_FIELDS: readonly FieldMapping[] = [
    { target: ["kind"], constant: "Event", conversion: "string" },
    { target: ["apiVersion"], constant: "audit.k8s.io/v1", conversion: "string" },
    { target: ["stage"], constant: "ResponseComplete", conversion: "string", lossy: "GKE logs completed requests only; the stage is not recorded" },
    { target: ["auditID"], from: "gke_audit_id", conversion: "string" },
    { target: ["verb"], from: "gke_verb", conversion: "string" },
    {
        target: ["user", "username"],
        from: "gke_principal",
        conversion: "string",
        lossy: "user.groups, user.uid and impersonatedUser are not in the LogEntry: absent",
    },
    { target: ["sourceIPs"], from: "gke_caller_ip", conversion: "list", lossy: "only the caller IP, not the proxy chain" },
    { target: ["userAgent"], from: "gke_user_agent", conversion: "string" },
    { target: ["objectRef", "apiGroup"], from: "gke_group", conversion: "coreGroup" },
    { target: ["objectRef", "apiVersion"], from: "gke_version", conversion: "string" },
    { target: ["objectRef", "namespace"], from: "gke_namespace", conversion: "string" },
    { target: ["objectRef", "resource"], from: "gke_resource", conversion: "string" },
    { target: ["objectRef", "name"], from: "gke_name", conversion: "string", lossy: "objectRef.uid and resourceVersion are not recorded: absent" },
    { target: ["objectRef", "subresource"], from: "gke_subresource", conversion: "string" },
    {
        target: ["responseStatus", "code"],
        from: "gke_status_code",
        conversion: "grpcToHttp",
        lossy: "GKE keeps a gRPC code: mapped back to the usual HTTP status (7 -> 403, 5 -> 404, none -> 200); 201 and 101 read as 200",
    },
    { target: ["responseStatus", "message"], from: "gke_status_message", conversion: "string" },
    { target: ["requestReceivedTimestamp"], from: "gke_timestamp", conversion: "string", lossy: TS_LOSSY },
    { target: ["stageTimestamp"], from: "gke_timestamp", conversion: "string", lossy: TS_LOSSY },
    { target: ["annotations", "authorization.k8s.io/decision"], from: "gke_decision", conversion: "string" },
    { target: ["annotations", "authorization.k8s.io/reason"], from: "gke_reason", conversion: "string" },
    {
        target: ["requestObject"],
        from: "gke_request",
        conversion: "object",
        lossy: "GKE adds an @type key to bodies; requestURI and level are not recorded: absent",
    },
    { target: ["responseObject"], from: "gke_response", conversion: "object" },
];

/**
 * Hot fields, read from the normalised Event and attached as structured metadata (never as labels: they
 * are high-cardinality). Names carry an `audit_` prefix so they never collide with what `| json` extracts.
 */
export const HOT_FIELDS: readonly { key: string; path: string[] }[] = [
    { key: "audit_user", path: ["user", "username"] },
    { key: "audit_verb", path: ["verb"] },
    { key: "audit_resource", path: ["objectRef", "resource"] },
    { key: "audit_subresource", path: ["objectRef", "subresource"] },
    { key: "audit_namespace", path: ["objectRef", "namespace"] },
    { key: "audit_code", path: ["responseStatus", "code"] },
];

/**
 * The pod specs a request body carries: a Pod's (also pods/ephemeralcontainers), a template's, a CronJob's.
 * Any object there counts, not only one with containers: a patch that sets hostIPC alone has none. Another
 * kind's spec (a Deployment's, a Service's) has none of the pod fields read below, so it adds nothing.
 */
const POD_SPECS = "[requestObject.spec, requestObject.spec.template.spec, requestObject.spec.jobTemplate.spec.template.spec][?@]";
/** Every container of those specs: regular, init and ephemeral. */
const CONTAINERS = `${POD_SPECS}[].[containers, initContainers, ephemeralContainers][][]`;
/** Only the strings of a list: join() fails on anything else (false from `a && 'b'`, a number in a malformed body the API server logged). */
const strings = (list: string) => `${list} | [?type(@) == 'string']`;

/**
 * Values computed at ingest, for what Loki's `| json` cannot see: it skips arrays (pkg/logql/log/parser.go
 * parseObject handles strings, numbers, booleans and objects only), so "any container is privileged" or "a
 * group of the user" must be a flat value before the line is stored. Each is a JMESPath expression over the
 * normalised Event, run by Alloy's `stage.json` (go-jmespath) and by the TypeScript normaliser (jmespath.js),
 * and stored as structured metadata when it has a value (empty string, list, false and null are left out).
 * Every expression is total: it yields null, never a type error, on any Event.
 */
export const DERIVED_FIELDS: readonly { key: string; expression: string; why: string }[] = [
    { key: "audit_source_ip", expression: "sourceIPs[0]", why: "the client address (sourceIPs is a list)" },
    { key: "audit_groups", expression: "join(',', user.groups || `[]`)", why: "the user's groups, comma-joined (user.groups is a list)" },
    {
        key: "audit_privileged",
        expression: `join(',', ${strings(`${CONTAINERS} | [?securityContext.privileged == \`true\`].name`)})`,
        why: "names of the privileged containers in a Pod, Pod template or ephemeral container the request writes",
    },
    {
        key: "audit_added_caps",
        expression: `join(',', ${strings(`${CONTAINERS}[].securityContext.capabilities.add[]`)})`,
        why: "capabilities the request's containers add",
    },
    {
        key: "audit_host_namespaces",
        expression: `join(',', ${strings(`${POD_SPECS}[].[hostNetwork == \`true\` && 'hostNetwork', hostPID == \`true\` && 'hostPID', hostIPC == \`true\` && 'hostIPC'][]`)})`,
        why: "host namespaces (network, PID, IPC) the request's pod specs share",
    },
    {
        key: "audit_host_paths",
        expression: `join(',', ${strings(`${POD_SPECS}[].volumes[].hostPath.path`)})`,
        why: "hostPath volumes the request's pod specs mount",
    },
    {
        key: "audit_rbac_wildcard",
        expression:
            "join(',', [contains(requestObject.rules[].verbs[] || `[]`, '*') && 'verbs', contains(requestObject.rules[].resources[] || `[]`, '*') && 'resources'][?@])",
        why: "a Role or ClusterRole the request writes grants every verb or every resource",
    },
];

/** A derived field's expression as it runs: null instead of an empty value, so nothing empty is stored. */
export function derivedExpression(expression: string): string {
    return `(${expression}) || \`null\``;
}

/**
 * The Event fields that carry the event's time (Loki's entry timestamp), first that has a value wins: the
 * stage's time, else when the request was received. With neither, the entry keeps its own time (the record's
 * time where the source gives one, else the ingest time), never a neighbour's.
 */
export const EVENT_TIME_PATHS: readonly string[][] = [["stageTimestamp"], ["requestReceivedTimestamp"]];
