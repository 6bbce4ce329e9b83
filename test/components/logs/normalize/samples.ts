/**
 * Real-shaped samples of the three formats. None is copied from a real cluster; each is built from the
 * documented schema, field by field (sources in the comments).
 */

/**
 * A native audit.k8s.io/v1 Event (k3s, EKS, OpenShift lines): fields and types from the Kubernetes API
 * reference (audit.k8s.io/v1 Event); kubectl >= 1.30 opens exec over WebSocket, which the apiserver logs as
 * verb get on pods/exec with code 101.
 */
export const NATIVE_EXEC = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "5b9c3a62-6a57-4f63-8a0b-2f2d1c1e4a10",
    stage: "ResponseStarted",
    requestURI: "/api/v1/namespaces/shop/pods/web-0/exec?command=sh&container=web&stdin=true&tty=true",
    verb: "get",
    user: { username: "alice@example.com", groups: ["dev", "system:authenticated"] },
    sourceIPs: ["192.0.2.44"],
    userAgent: "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
    objectRef: { resource: "pods", namespace: "shop", name: "web-0", apiVersion: "v1", subresource: "exec" },
    responseStatus: { metadata: {}, code: 101 },
    requestReceivedTimestamp: "2026-11-20T09:15:02.114385Z",
    stageTimestamp: "2026-11-20T09:15:02.167090Z",
    annotations: {
        "authorization.k8s.io/decision": "allow",
        "authorization.k8s.io/reason": 'RBAC: allowed by RoleBinding "dev-exec/shop" of Role "exec" to User "alice@example.com"',
    },
};

/**
 * An AKS `kube-audit` resource-log record as Azure Monitor streams it to Event Hubs: top-level fields from
 * the Azure resource-log common schema (time, resourceId, category, operationName) and the AKS control-plane
 * log schema (properties.log = the Event as a JSON string, properties.stream, properties.pod).
 */
export const AKS_INNER_EVENT = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: "d2a8f1c4-0f3e-4d4b-9b52-6f7c8e9a0b1c",
    stage: "ResponseComplete",
    requestURI: "/api/v1/namespaces/payments/secrets/db-password",
    verb: "get",
    user: { username: "bob@contoso.com", groups: ["00000000-0000-0000-0000-000000000001", "system:authenticated"] },
    sourceIPs: ["198.51.100.7"],
    userAgent: "kubectl/v1.30.4 (darwin/arm64) kubernetes/9a7b6c5",
    objectRef: { resource: "secrets", namespace: "payments", name: "db-password", apiVersion: "v1" },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: "2026-11-20T10:01:12.004111Z",
    stageTimestamp: "2026-11-20T10:01:12.009850Z",
};
export const AKS_RECORD = {
    time: "2026-11-20T10:01:12.0100000Z",
    resourceId:
        "/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/RG-HDS-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-HDS-PROD",
    category: "kube-audit",
    operationName: "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
    properties: { log: JSON.stringify(AKS_INNER_EVENT), stream: "stdout", pod: "kube-apiserver-7d9c6b5f4-x2k8q" },
};

/**
 * A GKE Data Access LogEntry for a Secret read that was denied: LogEntry fields (insertId, logName,
 * operation, receiveTimestamp, resource k8s_cluster, severity, timestamp, labels) from the Cloud Logging
 * LogEntry reference; protoPayload (google.cloud.audit.AuditLog: serviceName k8s.io, methodName,
 * resourceName, authenticationInfo, authorizationInfo, requestMetadata, status) from the AuditLog reference
 * and GKE's audit-logging page (methodName io.k8s.<group>.<version>.<resource>.<verb>, resourceName
 * <group>/<version>/namespaces/<ns>/<resource>/<name>).
 */
export const GKE_DENIED_SECRET_GET = {
    insertId: "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    logName: "projects/akko-analytics-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
    operation: { first: true, last: true, id: "8f3b1d2e-7c6a-4b5d-9e0f-a1b2c3d4e5f6", producer: "k8s.io" },
    protoPayload: {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        authenticationInfo: { principalEmail: "carol@akko.example" },
        authorizationInfo: [{ granted: false, permission: "io.k8s.core.v1.secrets.get", resource: "core/v1/namespaces/default/secrets/db-password" }],
        methodName: "io.k8s.core.v1.secrets.get",
        requestMetadata: { callerIp: "203.0.113.9", callerSuppliedUserAgent: "kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc" },
        resourceName: "core/v1/namespaces/default/secrets/db-password",
        serviceName: "k8s.io",
        status: { code: 7, message: "PERMISSION_DENIED" },
    },
    receiveTimestamp: "2026-11-20T11:02:03.456789012Z",
    resource: { type: "k8s_cluster", labels: { cluster_name: "analytics-prod", location: "europe-west1", project_id: "akko-analytics-prod" } },
    severity: "NOTICE",
    timestamp: "2026-11-20T11:02:03.123456Z",
    labels: { "authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": "" },
};

/** A GKE Admin Activity LogEntry for kubectl exec (pods/exec, cluster-scoped RBAC group example below). */
export const GKE_EXEC = {
    insertId: "9e8d7c6b-5a49-3827-1605-f4e3d2c1b0a9",
    logName: "projects/akko-analytics-prod/logs/cloudaudit.googleapis.com%2Factivity",
    operation: { first: true, last: true, id: "1c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f", producer: "k8s.io" },
    protoPayload: {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        authenticationInfo: { principalEmail: "system:serviceaccount:ci:deployer" },
        methodName: "io.k8s.core.v1.pods.exec.create",
        requestMetadata: { callerIp: "10.132.0.5", callerSuppliedUserAgent: "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625" },
        resourceName: "core/v1/namespaces/analytics/pods/spark-0/exec",
        serviceName: "k8s.io",
        status: {},
    },
    timestamp: "2026-11-20T12:00:00.5Z",
    labels: { "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": 'RBAC: allowed by ClusterRoleBinding "ci-deployer"' },
};

/** A GKE Admin Activity LogEntry creating a ClusterRoleBinding (non-core group, cluster-scoped, with body). */
export const GKE_CRB_CREATE = {
    insertId: "11111111-2222-3333-4444-555555555555",
    operation: { id: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", producer: "k8s.io" },
    protoPayload: {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        authenticationInfo: { principalEmail: "admin@akko.example" },
        methodName: "io.k8s.authorization.rbac.v1.clusterrolebindings.create",
        requestMetadata: { callerIp: "203.0.113.20" },
        resourceName: "rbac.authorization.k8s.io/v1/clusterrolebindings/break-glass",
        serviceName: "k8s.io",
        request: {
            "@type": "rbac.authorization.k8s.io/v1.ClusterRoleBinding",
            kind: "ClusterRoleBinding",
            metadata: { name: "break-glass" },
            roleRef: { kind: "ClusterRole", name: "cluster-admin" },
        },
        status: { code: 0 },
    },
    timestamp: "2026-11-20T12:30:00Z",
};

/**
 * An OpenShift audit line as Loki would get it from Alloy's otelcol.exporter.loki after the Logging
 * operator's OTLP output: the line shape {"body","severity","attributes","resources"} from Alloy's
 * otelcol.exporter.loki conversion; the body (the kube-apiserver audit line) and the resource attributes
 * (openshift.cluster.uid, openshift.log.source, openshift.log.type, k8s.node.name) from the operator's OTLP
 * transform (cluster-logging-operator internal/generator/vector/output/otlp/transform.go).
 */
export const OPENSHIFT_INNER_EVENT = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "7c1e9b2a-3f4d-4e5a-8b6c-9d0e1f2a3b4c",
    stage: "ResponseComplete",
    requestURI: "/apis/rbac.authorization.k8s.io/v1/namespaces/finance/rolebindings",
    verb: "create",
    user: { username: "kube:admin", groups: ["system:cluster-admins", "system:authenticated"] },
    sourceIPs: ["192.0.2.80"],
    objectRef: { resource: "rolebindings", namespace: "finance", name: "auditors", apiGroup: "rbac.authorization.k8s.io", apiVersion: "v1" },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: "2026-11-20T13:00:00.100000Z",
    stageTimestamp: "2026-11-20T13:00:00.120000Z",
};
export const OTLP_RECORD = {
    body: JSON.stringify(OPENSHIFT_INNER_EVENT),
    attributes: { "log.type": "audit" },
    resources: {
        "openshift.cluster.uid": "3f6c2d1e-aaaa-bbbb-cccc-123456789abc",
        "openshift.log.source": "kubeAPI",
        "openshift.log.type": "audit",
        "k8s.node.name": "master-0",
    },
};
