import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { attributesFromEvent, evaluate, lintPolicy, parsePolicy } from "../../policy/engine";

const policy = parsePolicy(readFileSync(path.join(__dirname, "../../policy/audit-policy.yaml"), "utf8"));

const human = { username: "alice@example.com", groups: ["dev", "system:authenticated"] };
const kubelet = { username: "system:node:worker-1", groups: ["system:nodes", "system:authenticated"] };

function ev(verb: string, objectRef: Record<string, string | undefined> | undefined, user: object | undefined = human, requestURI = "/x") {
    return attributesFromEvent({ verb, objectRef, user, requestURI });
}

/** The product's policy table: the first matching rule must give exactly these levels. */
const TABLE: [string, ReturnType<typeof ev>, string][] = [
    // kubelet polling
    ["kubelet get pods", ev("get", { resource: "pods", namespace: "a", name: "p" }, kubelet), "None"],
    ["kubelet watch secrets", ev("watch", { resource: "secrets", namespace: "a" }, kubelet), "None"],
    ["kubelet watch configmaps", ev("watch", { resource: "configmaps", namespace: "a" }, kubelet), "None"],
    ["kubelet list nodes", ev("list", { resource: "nodes" }, kubelet), "None"],
    // ...but a node's Secret and ConfigMap reads are kept, without bodies (Secret-read and enumeration detections)
    ["kubelet get secrets", ev("get", { resource: "secrets", namespace: "a", name: "db" }, kubelet), "Metadata"],
    ["kubelet list secrets (all namespaces)", ev("list", { resource: "secrets" }, kubelet), "Metadata"],
    ["kubelet get configmaps", ev("get", { resource: "configmaps", namespace: "a", name: "kube-root-ca.crt" }, kubelet), "Metadata"],
    // probes and discovery
    ...[
        "/healthz",
        "/healthz/etcd",
        "/livez",
        "/livez/ping",
        "/readyz",
        "/readyz?verbose",
        "/metrics",
        "/openapi/v2",
        "/openapi/v3/apis/apps/v1",
        "/version",
    ].map(
        (u) =>
            [`probe ${u}`, ev("get", undefined, { username: "system:anonymous", groups: ["system:unauthenticated"] }, u), "None"] as [
                string,
                ReturnType<typeof ev>,
                string,
            ],
    ),
    // interactive access, any verb (kubectl >= 1.30 sends get over WebSocket)
    ...["get", "create"].flatMap((verb) =>
        ["exec", "attach", "portforward"].map(
            (sub) =>
                [`${verb} pods/${sub}`, ev(verb, { resource: "pods", subresource: sub, namespace: "shop", name: "web-0" }), "RequestResponse"] as [
                    string,
                    ReturnType<typeof ev>,
                    string,
                ],
        ),
    ),
    [
        "kubelet-group get pods/exec is still logged",
        ev("get", { resource: "pods", subresource: "exec", namespace: "a", name: "p" }, kubelet),
        "RequestResponse",
    ],
    // sensitive kinds: Metadata, reads and writes
    ...["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"].flatMap((verb) =>
        ["secrets", "configmaps"].map(
            (r) => [`${verb} ${r}`, ev(verb, { resource: r, namespace: "a" }), "Metadata"] as [string, ReturnType<typeof ev>, string],
        ),
    ),
    ["create serviceaccounts/token", ev("create", { resource: "serviceaccounts", subresource: "token", namespace: "a", name: "sa" }), "Metadata"],
    ["create tokenreviews", ev("create", { apiGroup: "authentication.k8s.io", resource: "tokenreviews" }), "Metadata"],
    ...["subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews", "selfsubjectrulesreviews"].map(
        (r) =>
            [`create ${r}`, ev("create", { apiGroup: "authorization.k8s.io", resource: r }), "Metadata"] as [string, ReturnType<typeof ev>, string],
    ),
    // writes on workloads, RBAC, networking, CRDs: full bodies
    ...["create", "update", "patch", "delete", "deletecollection"].flatMap((verb) =>
        [
            { resource: "pods" },
            { resource: "services" },
            { apiGroup: "apps", resource: "deployments" },
            { apiGroup: "apps", resource: "statefulsets" },
            { apiGroup: "apps", resource: "deployments", subresource: "scale" },
            { apiGroup: "batch", resource: "cronjobs" },
            { apiGroup: "autoscaling", resource: "horizontalpodautoscalers" },
            { apiGroup: "policy", resource: "poddisruptionbudgets" },
            { apiGroup: "rbac.authorization.k8s.io", resource: "rolebindings" },
            { apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles" },
            { apiGroup: "networking.k8s.io", resource: "ingresses" },
            { apiGroup: "networking.k8s.io", resource: "networkpolicies" },
            { apiGroup: "apiextensions.k8s.io", resource: "customresourcedefinitions" },
        ].map(
            (ref) =>
                [`${verb} ${ref.apiGroup ?? "core"}/${ref.resource}`, ev(verb, { namespace: "a", ...ref }), "RequestResponse"] as [
                    string,
                    ReturnType<typeof ev>,
                    string,
                ],
        ),
    ),
    [
        "create pods/ephemeralcontainers (kubectl debug)",
        ev("patch", { resource: "pods", subresource: "ephemeralcontainers", namespace: "a", name: "p" }),
        "RequestResponse",
    ],
    ["create pods/eviction", ev("create", { resource: "pods", subresource: "eviction", namespace: "a", name: "p" }), "RequestResponse"],
    // everything else: Metadata
    ["get pods", ev("get", { resource: "pods", namespace: "a", name: "p" }), "Metadata"],
    ["list deployments", ev("list", { apiGroup: "apps", resource: "deployments", namespace: "a" }), "Metadata"],
    ["get pods/log", ev("get", { resource: "pods", subresource: "log", namespace: "a", name: "p" }), "Metadata"],
    ["create pods/proxy keeps proxied bodies out", ev("create", { resource: "pods", subresource: "proxy", namespace: "a", name: "p" }), "Metadata"],
    ["create namespaces", ev("create", { resource: "namespaces", name: "n" }), "Metadata"],
    ["update nodes", ev("update", { resource: "nodes", name: "n" }), "Metadata"],
    ["discovery /apis", ev("get", undefined, human, "/apis"), "Metadata"],
    ["unauthenticated /api", ev("get", undefined, undefined, "/api"), "Metadata"],
    // noise the reference policies drop
    [
        "controller-manager lease renewal",
        ev(
            "update",
            { apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system", name: "kube-controller-manager" },
            { username: "system:kube-controller-manager", groups: [] },
        ),
        "None",
    ],
    [
        "scheduler endpoints get",
        ev("get", { resource: "endpoints", namespace: "kube-system", name: "kube-scheduler" }, { username: "system:kube-scheduler", groups: [] }),
        "None",
    ],
    [
        "kube-proxy watch endpointslices",
        ev("watch", { apiGroup: "discovery.k8s.io", resource: "endpointslices" }, { username: "system:kube-proxy", groups: [] }),
        "None",
    ],
    ["create core events", ev("create", { resource: "events", namespace: "a" }), "None"],
    ["create events.k8s.io events", ev("create", { apiGroup: "events.k8s.io", resource: "events", namespace: "a" }), "None"],
    ["kubelet patch events", ev("patch", { resource: "events", namespace: "a", name: "p.17f" }, kubelet), "None"],
    ["list events", ev("list", { resource: "events", namespace: "a" }), "None"],
    // ...but deleting events erases the cluster's record: kept (the events-deleted detection)
    ["delete core events", ev("delete", { resource: "events", namespace: "a", name: "p.17f" }), "Metadata"],
    ["deletecollection core events", ev("deletecollection", { resource: "events", namespace: "a" }), "Metadata"],
    ["delete events.k8s.io events", ev("delete", { apiGroup: "events.k8s.io", resource: "events", namespace: "a", name: "p.17f" }), "Metadata"],
    ["deletecollection events.k8s.io events", ev("deletecollection", { apiGroup: "events.k8s.io", resource: "events", namespace: "a" }), "Metadata"],
    ["kubelet pods/status patch", ev("patch", { resource: "pods", subresource: "status", namespace: "a", name: "p" }, kubelet), "Metadata"],
    [
        "a human's lease update is not noise",
        ev("update", { apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system", name: "x" }),
        "Metadata",
    ],
];

describe("the shipped audit policy (policy/audit-policy.yaml)", () => {
    it("loads, and the linter finds nothing", () => {
        assert.deepEqual(lintPolicy(policy), []);
    });

    it("drops RequestReceived and managedFields everywhere", () => {
        assert.deepEqual(policy.omitStages, ["RequestReceived"]);
        assert.equal(policy.omitManagedFields, true);
        for (const r of policy.rules) assert.equal(r.omitManagedFields, undefined);
    });

    for (const [name, req, level] of TABLE) {
        it(`${name} -> ${level}`, () => assert.equal(evaluate(policy, req).level, level));
    }
});
