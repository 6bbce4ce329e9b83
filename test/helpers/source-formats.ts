import { GKE_FIELDS, GRPC_TO_HTTP } from "../../components/logs/normalize/table";

/**
 * Wraps a native audit.k8s.io/v1 Event into each source format as that source ships it, so one fixture
 * Event can be fed to `akko-audit detect` (and `normalize`) the five ways it reaches Loki. The shapes follow
 * the sources' documentation (links per wrapper) and the export fixtures of test/fixtures/audit-formats.
 */

type Obj = Record<string, unknown>;

export const SOURCE_NAMES = ["native", "eks", "gke", "aks", "openshift"] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** The stored format each source's lines are read as (formats.ts missingFields). */
export const STORED_FORMAT = { native: "native", eks: "native", gke: "gke", aks: "aks", openshift: "otlp" } as const;

/** A wrapped Event: the file's text, or why the source cannot carry this Event at all. */
export type Wrapped = { text: string } | { unrepresentable: string };

function eventTime(event: Obj): string {
    return String(event.stageTimestamp ?? event.requestReceivedTimestamp ?? "2026-12-01T10:00:00Z");
}

function epochMs(event: Obj): number {
    const t = Date.parse(eventTime(event));
    return Number.isNaN(t) ? 0 : t;
}

/** A k3s (kube-apiserver --audit-log-path) file line: the Event as JSON. */
export function toNative(event: Obj): string {
    return JSON.stringify(event);
}

/**
 * EKS: a decoded CloudWatch Logs subscription DATA_MESSAGE from the cluster's log group
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html; EKS writes to /aws/eks/<cluster>/cluster,
 * audit streams kube-apiserver-audit-<id>).
 */
export function toEks(events: Obj[], cluster: string): string {
    return JSON.stringify({
        messageType: "DATA_MESSAGE",
        owner: "123456789012",
        logGroup: `/aws/eks/${cluster}/cluster`,
        logStream: "kube-apiserver-audit-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        subscriptionFilters: ["akko-audit"],
        logEvents: events.map((event, i) => ({
            id: `${epochMs(event)}${String(i).padStart(43, "0")}`,
            timestamp: epochMs(event),
            message: JSON.stringify(event),
        })),
    });
}

/** The gRPC code GKE records for an HTTP status: the first code GRPC_TO_HTTP maps to it; any success is OK (0). */
export function grpcCode(http: number | undefined): number {
    if (http === undefined || http < 300) return 0;
    const hit = Object.entries(GRPC_TO_HTTP).find(([, h]) => h === http);
    return hit ? Number(hit[0]) : 2;
}

/** GKE's methodName group segment: the core group is "core"; *.k8s.io groups reversed without k8s.io (rbac.authorization.k8s.io -> authorization.rbac). */
function methodGroup(group: string): string {
    if (group === "") return "core";
    if (group.endsWith(".k8s.io")) return group.slice(0, -".k8s.io".length).split(".").reverse().join(".");
    return group;
}

/** A body as GKE logs it: with an @type naming the object's kind (group/version.Kind, core.k8s.io for the core group). */
function gkeBody(body: unknown): unknown {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
    const b = body as Obj;
    if (typeof b.kind !== "string" || typeof b.apiVersion !== "string") return b;
    const apiVersion = b.apiVersion.includes("/") ? b.apiVersion : `core.k8s.io/${b.apiVersion}`;
    return { "@type": `${apiVersion}.${b.kind}`, ...b };
}

/**
 * GKE: a Cloud Audit Logs LogEntry (protoPayload google.cloud.audit.AuditLog, serviceName k8s.io), the inverse of
 * GKE_FIELDS (components/logs/normalize/table.ts): methodName io.k8s.<group|core>.<version>.<resource>[.<sub>].<verb>,
 * resourceName <group|core>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<sub>]], principalEmail, callerIp (the first
 * source IP), the HTTP status as a gRPC code, request/response bodies, operation.id (the audit ID), the cluster in
 * resource.labels.cluster_name (cloud.google.com/kubernetes-engine/docs/how-to/audit-logging). A request with no
 * objectRef (a non-resource URL such as /healthz) has no resourceName or methodName GKE could write.
 */
export function toGke(event: Obj, cluster: string): Wrapped {
    const ref = event.objectRef as Obj | undefined;
    if (!ref || typeof ref.resource !== "string")
        return { unrepresentable: "a non-resource request (no objectRef): a GKE LogEntry names resources only (resourceName, methodName)" };
    const group = String(ref.apiGroup ?? "");
    const version = String(ref.apiVersion ?? "v1");
    const resource = ref.resource;
    const sub = typeof ref.subresource === "string" ? ref.subresource : undefined;
    const name = typeof ref.name === "string" ? ref.name : undefined;
    const ns = typeof ref.namespace === "string" ? ref.namespace : undefined;
    const scope = resource === "namespaces" || !ns ? "" : `namespaces/${ns}/`;
    const resourceName = `${group || "core"}/${version}/${scope}${resource}${name ? `/${name}` : ""}${sub ? `/${sub}` : ""}`;
    const verb = String(event.verb);
    const status = event.responseStatus as Obj | undefined;
    const code = grpcCode(typeof status?.code === "number" ? status.code : undefined);
    const user = event.user as Obj | undefined;
    const ips = Array.isArray(event.sourceIPs) ? event.sourceIPs : [];
    const annotations = (event.annotations ?? {}) as Obj;
    const labels: Obj = {};
    for (const key of ["authorization.k8s.io/decision", "authorization.k8s.io/reason"]) if (key in annotations) labels[key] = annotations[key];
    const write = !["get", "list", "watch"].includes(verb);
    const entry: Obj = {
        insertId: `${String(event.auditID ?? "x")}-gke`,
        logName: `projects/akko-${cluster}/logs/cloudaudit.googleapis.com%2F${write ? "activity" : "data_access"}`,
        operation: { id: event.auditID, producer: "k8s.io", first: true, last: true },
        protoPayload: {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            authenticationInfo: user?.username !== undefined ? { principalEmail: user.username } : {},
            methodName: `io.k8s.${methodGroup(group)}.${version}.${resource}${sub ? `.${sub}` : ""}.${verb}`,
            requestMetadata: {
                ...(ips[0] !== undefined ? { callerIp: ips[0] } : {}),
                ...(event.userAgent !== undefined ? { callerSuppliedUserAgent: event.userAgent } : {}),
            },
            resourceName,
            serviceName: "k8s.io",
            status: { ...(code !== 0 ? { code } : {}), ...(typeof status?.message === "string" ? { message: status.message } : {}) },
            ...(event.requestObject !== undefined ? { request: gkeBody(event.requestObject) } : {}),
            ...(event.responseObject !== undefined ? { response: gkeBody(event.responseObject) } : {}),
        },
        receiveTimestamp: eventTime(event),
        resource: { type: "k8s_cluster", labels: { cluster_name: cluster, location: "europe-west1", project_id: `akko-${cluster}` } },
        severity: code === 0 ? "INFO" : "NOTICE",
        timestamp: eventTime(event),
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
    };
    return { text: JSON.stringify(entry) };
}

/**
 * AKS: an Azure diagnostic-settings resource-log batch, category kube-audit, the Event as JSON text (ending in a
 * newline, as AKS writes it) in properties.log; resourceId names the managed cluster (upper-cased, as Azure writes it).
 * learn.microsoft.com/azure/aks/monitor-aks-reference (resource logs), Azure resource-log common schema.
 */
export function toAks(events: Obj[], cluster: string): string {
    return JSON.stringify({
        records: events.map((event) => ({
            time: eventTime(event),
            resourceId: `/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG-AKKO/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/${cluster.toUpperCase()}`,
            category: "kube-audit",
            operationName: "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
            properties: { log: `${JSON.stringify(event)}\n`, stream: "stdout", pod: "kube-apiserver-6f8d9c7b5-abcde" },
        })),
    });
}

/**
 * OpenShift: an OTLP/JSON ExportLogsServiceRequest as the ClusterLogForwarder's OTLP output sends it: the audit line
 * as the record's body (stringValue), resource attributes openshift.cluster.uid, openshift.log.type and
 * openshift.log.source (cluster-logging-operator internal/generator/vector/output/otlp; opentelemetry.io/docs/specs/otlp).
 */
export function toOpenShift(events: Obj[], clusterId: string): string {
    const ns = (event: Obj) => `${BigInt(epochMs(event)) * 1_000_000n}`;
    const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
    return JSON.stringify({
        resourceLogs: [
            {
                resource: {
                    attributes: [
                        attr("openshift.cluster.uid", clusterId),
                        attr("openshift.log.type", "audit"),
                        attr("openshift.log.source", "kubeAPI"),
                    ],
                },
                scopeLogs: [
                    {
                        scope: {},
                        logRecords: events.map((event) => ({
                            timeUnixNano: ns(event),
                            observedTimeUnixNano: ns(event),
                            body: { stringValue: JSON.stringify(event) },
                        })),
                    },
                ],
            },
        ],
    });
}

/**
 * Events in the given source's format, as one file's text, in order: native and GKE one line per Event, EKS one
 * subscription message, AKS one records batch, OpenShift one export request.
 */
export function wrapEvents(source: SourceName, events: Obj[], cluster: string): Wrapped {
    switch (source) {
        case "native":
            return { text: events.map(toNative).join("\n") + "\n" };
        case "eks":
            return { text: toEks(events, cluster) + "\n" };
        case "gke": {
            const lines: string[] = [];
            for (const e of events) {
                const w = toGke(e, cluster);
                if ("unrepresentable" in w) return w;
                lines.push(w.text);
            }
            return { text: lines.join("\n") + "\n" };
        }
        case "aks":
            return { text: toAks(events, cluster) + "\n" };
        case "openshift":
            return { text: toOpenShift(events, cluster) + "\n" };
    }
}

/** The cluster name the reader reports for a wrapped Event (AKS resourceIds are upper-cased by Azure). */
export function expectedCluster(source: SourceName, cluster: string): string | undefined {
    if (source === "native") return undefined;
    return source === "aks" ? cluster.toUpperCase() : cluster;
}

function valueAt(o: unknown, path: readonly string[]): unknown {
    let v = o;
    for (const k of path) {
        if (typeof v !== "object" || v === null) return undefined;
        v = (v as Obj)[k];
    }
    return v ?? undefined;
}

/**
 * What normalising a GKE LogEntry must give back for each field GKE_FIELDS fills (constants aside), computed from
 * the original Event with the table's documented losses: the status through its gRPC code, one timestamp for both,
 * the first source IP only, bodies with GKE's @type, the core group's "core" meaning no apiGroup.
 */
export function gkeExpected(event: Obj): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const m of GKE_FIELDS) {
        if (m.constant !== undefined) continue;
        const key = m.target.join(".");
        let v = valueAt(event, m.target);
        if (key === "responseStatus.code") v = GRPC_TO_HTTP[String(grpcCode(v as number | undefined))];
        else if (key === "requestReceivedTimestamp" || key === "stageTimestamp") v = eventTime(event);
        else if (key === "sourceIPs") v = Array.isArray(v) && v.length > 0 ? [v[0]] : undefined;
        else if (key === "requestObject" || key === "responseObject") v = gkeBody(v);
        else if (key === "objectRef.apiVersion") v = v ?? "v1";
        else if (typeof v === "string" && v === "") v = undefined;
        out.set(key, v);
    }
    return out;
}

/** The target paths GKE_FIELDS fills, as read back from a normalised Event. */
export function gkeActual(event: Obj): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const m of GKE_FIELDS) if (m.constant === undefined) out.set(m.target.join("."), valueAt(event, m.target));
    return out;
}
