/**
 * Benchmark: the TypeScript normaliser (`akko-audit normalize`, `policy simulate` on cloud exports) over
 * generated lines of the three formats (a third each: native Events, AKS resource-log records, GKE
 * LogEntries), against a bare JSON.parse of the same lines (the practical limit). Prints JSON.
 *
 *   npm run bench:logs                  # 300,000 lines
 *   npm run bench:logs -- --lines 60000
 */
import { normalizeLine } from "../components/logs/normalize/normalize";

function arg(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function native(i: number): object {
    return {
        kind: "Event",
        apiVersion: "audit.k8s.io/v1",
        level: "Metadata",
        auditID: `0b0f${i.toString(16).padStart(28, "0")}`,
        stage: "ResponseComplete",
        requestURI: `/api/v1/namespaces/team-${i % 40}/secrets/app-${i % 97}`,
        verb: "get",
        user: { username: `user-${i % 200}@example.com`, groups: ["dev", "system:authenticated"] },
        sourceIPs: ["10.0.3.17"],
        objectRef: { resource: "secrets", namespace: `team-${i % 40}`, name: `app-${i % 97}`, apiVersion: "v1" },
        responseStatus: { metadata: {}, code: 200 },
        requestReceivedTimestamp: "2026-11-25T10:00:00.000000Z",
        stageTimestamp: "2026-11-25T10:00:00.004000Z",
    };
}

function aks(i: number): object {
    return {
        time: "2026-11-25T10:00:00.0050000Z",
        resourceId: "/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS",
        category: "kube-audit",
        operationName: "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
        properties: { log: JSON.stringify(native(i)), stream: "stdout", pod: "kube-apiserver-0" },
    };
}

function gke(i: number): object {
    return {
        insertId: `id-${i}`,
        operation: { id: `op-${i}`, producer: "k8s.io", first: true, last: true },
        protoPayload: {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            authenticationInfo: { principalEmail: `user-${i % 200}@example.com` },
            methodName: "io.k8s.core.v1.secrets.get",
            requestMetadata: { callerIp: "203.0.113.9", callerSuppliedUserAgent: "kubectl/v1.31.0" },
            resourceName: `core/v1/namespaces/team-${i % 40}/secrets/app-${i % 97}`,
            serviceName: "k8s.io",
            status: {},
        },
        timestamp: "2026-11-25T10:00:00.004Z",
        labels: { "authorization.k8s.io/decision": "allow" },
    };
}

function measure(lines: string[], f: (l: string) => unknown): { seconds: number; linesPerSecond: number } {
    const start = process.hrtime.bigint();
    for (const l of lines) f(l);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { seconds: Math.round(seconds * 1000) / 1000, linesPerSecond: Math.round(lines.length / seconds) };
}

const n = arg("lines", 300000);
const lines = Array.from({ length: n }, (_, i) => JSON.stringify([native, aks, gke][i % 3](i)));
const bytes = lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
const baseline = measure(lines, (l) => JSON.parse(l));
const normalize = measure(lines, (l) => normalizeLine(l));
console.log(
    JSON.stringify(
        {
            lines: n,
            megabytes: Math.round(bytes / 1e4) / 100,
            jsonParseOnly: baseline,
            normalize,
            slowdown: Math.round((normalize.seconds / baseline.seconds) * 100) / 100,
        },
        null,
        2,
    ),
);
