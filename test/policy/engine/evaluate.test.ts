import { strict as assert } from "node:assert";
import { attributesFromEvent, evaluate, parsePolicy, RequestAttributes } from "../../../policy/engine";
import { pathMatches } from "../../../policy/engine/evaluate";

const HEAD = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

/** A policy whose only rule is `rule` at Metadata (so a match shows as Metadata, no match as None). */
function oneRule(rule: string): (req: RequestAttributes) => string {
    const body = rule === "" ? "" : rule.replace(/^/gm, "    ") + "\n";
    const p = parsePolicy(HEAD + "rules:\n  - level: Metadata\n" + body);
    return (req) => evaluate(p, req).level;
}

const alice = { username: "alice", groups: ["dev", "system:authenticated"] };
type User = RequestAttributes["user"] | null;
/** `user` null: a request that carries no user at all. */
function res(resource: string, extra: Partial<NonNullable<RequestAttributes["resource"]>> = {}, verb = "get", user: User = alice): RequestAttributes {
    const [r, sub = ""] = resource.split("/");
    const req: RequestAttributes = {
        verb,
        path: "",
        resource: { apiGroup: "", resource: r, subresource: sub, namespace: "default", name: "x", ...extra },
    };
    if (user) req.user = user;
    return req;
}
function url(path: string, verb = "get", user: User = alice): RequestAttributes {
    const req: RequestAttributes = { verb, path };
    if (user) req.user = user;
    return req;
}

describe("policy evaluation (kube-apiserver semantics)", () => {
    const cases: [string, string, RequestAttributes, "Metadata" | "None"][] = [
        // empty lists match everything
        ["empty rule matches a resource request", "", res("pods"), "Metadata"],
        ["empty rule matches a non-resource request", "", url("/api"), "Metadata"],
        ["empty rule matches a request without a user", "", url("/healthz", "get", null), "Metadata"],
        // users and groups
        ["users: exact name", "users: [alice]", res("pods"), "Metadata"],
        ["users: other name", "users: [bob]", res("pods"), "None"],
        ["users: a request without a user never matches", "users: [alice]", res("pods", {}, "get", null), "None"],
        ["userGroups: any group of the user", "userGroups: [dev]", res("pods"), "Metadata"],
        ["userGroups: no common group", "userGroups: [ops]", res("pods"), "None"],
        ["userGroups: a request without a user never matches", "userGroups: [system:unauthenticated]", url("/x", "get", null), "None"],
        // verbs
        ["verbs: listed", "verbs: [get, list]", res("pods"), "Metadata"],
        ["verbs: not listed", "verbs: [create]", res("pods"), "None"],
        ["verbs are case-sensitive", "verbs: [GET]", res("pods"), "None"],
        // groups
        ["omitted group is the core group", "resources: [{resources: [pods]}]", res("pods"), "Metadata"],
        ["omitted group does not match other groups", "resources: [{resources: [deployments]}]", res("deployments", { apiGroup: "apps" }), "None"],
        ['group "" is the core group', 'resources: [{group: "", resources: [pods]}]', res("pods"), "Metadata"],
        ["named group", "resources: [{group: apps, resources: [deployments]}]", res("deployments", { apiGroup: "apps" }), "Metadata"],
        [
            "group without resources matches all its resources",
            "resources: [{group: apps}]",
            res("deployments/scale", { apiGroup: "apps" }),
            "Metadata",
        ],
        // resource patterns
        ["pods does not match pods/exec", "resources: [{resources: [pods]}]", res("pods/exec"), "None"],
        ["pods/exec matches pods/exec", "resources: [{resources: [pods/exec]}]", res("pods/exec"), "Metadata"],
        ["pods/exec does not match pods", "resources: [{resources: [pods/exec]}]", res("pods"), "None"],
        ["pods/* matches pods/exec", "resources: [{resources: [pods/*]}]", res("pods/exec"), "Metadata"],
        ["pods/* matches pods itself", "resources: [{resources: [pods/*]}]", res("pods"), "Metadata"],
        ["pods/* does not match services", "resources: [{resources: [pods/*]}]", res("services"), "None"],
        ["* matches any resource", "resources: [{resources: ['*']}]", res("secrets"), "Metadata"],
        ["* matches subresources too", "resources: [{resources: ['*']}]", res("pods/log"), "Metadata"],
        ["*/status matches any status", "resources: [{resources: ['*/status']}]", res("services/status"), "Metadata"],
        ["*/status does not match the resource", "resources: [{resources: ['*/status']}]", res("services"), "None"],
        ["*/status does not match another subresource", "resources: [{resources: ['*/status']}]", res("pods/exec"), "None"],
        // names
        ["resourceNames: listed", "resources: [{resources: [configmaps], resourceNames: [x]}]", res("configmaps"), "Metadata"],
        ["resourceNames: other name", "resources: [{resources: [configmaps], resourceNames: [y]}]", res("configmaps"), "None"],
        // namespaces
        ["namespaces: listed", "namespaces: [default]", res("pods"), "Metadata"],
        ["namespaces: other", "namespaces: [kube-system]", res("pods"), "None"],
        ['namespaces [""] means cluster-scoped', 'namespaces: [""]', res("nodes", { namespace: "" }), "Metadata"],
        ['namespaces [""] does not match namespaced', 'namespaces: [""]', res("pods"), "None"],
        ["namespaces never match non-resource requests", "namespaces: [default]", url("/api"), "None"],
        ["resources never match non-resource requests", "resources: [{group: ''}]", url("/api"), "None"],
        // non-resource URLs
        ["nonResourceURLs: exact", "nonResourceURLs: [/version]", url("/version"), "Metadata"],
        ["nonResourceURLs: exact does not prefix", "nonResourceURLs: [/version]", url("/version/x"), "None"],
        ["nonResourceURLs: trailing * prefixes", "nonResourceURLs: ['/healthz*']", url("/healthz/etcd"), "Metadata"],
        ["nonResourceURLs: trailing * matches the bare prefix", "nonResourceURLs: ['/healthz*']", url("/healthz"), "Metadata"],
        ["nonResourceURLs: * matches every path", "nonResourceURLs: ['*']", url("/anything"), "Metadata"],
        ["nonResourceURLs never match resource requests", "nonResourceURLs: ['*']", res("pods"), "None"],
    ];
    for (const [name, rule, req, expected] of cases) {
        it(name, () => assert.equal(oneRule(rule)(req), expected));
    }

    it("first matching rule wins", () => {
        const p = parsePolicy(HEAD + "rules:\n  - level: None\n    users: [alice]\n  - level: RequestResponse\n");
        assert.deepEqual(evaluate(p, res("pods")), { level: "None", rule: 0, omitStages: [], omitManagedFields: false });
        assert.equal(evaluate(p, res("pods", {}, "get", { username: "bob", groups: [] })).rule, 1);
    });

    it("no match is level None with rule null and the policy's stages", () => {
        const p = parsePolicy(HEAD + "omitStages: [RequestReceived]\nomitManagedFields: true\nrules:\n  - level: Metadata\n    users: [bob]\n");
        assert.deepEqual(evaluate(p, res("pods")), { level: "None", rule: null, omitStages: ["RequestReceived"], omitManagedFields: true });
    });

    it("a rule's omitStages is the union with the policy's", () => {
        const p = parsePolicy(
            HEAD + "omitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    omitStages: [ResponseStarted, RequestReceived]\n",
        );
        assert.deepEqual(evaluate(p, res("pods")).omitStages, ["RequestReceived", "ResponseStarted"]);
    });

    it("a rule's omitManagedFields overrides the policy's, both ways", () => {
        const p = parsePolicy(
            HEAD + "omitManagedFields: true\nrules:\n  - level: Metadata\n    users: [alice]\n    omitManagedFields: false\n  - level: Metadata\n",
        );
        assert.equal(evaluate(p, res("pods")).omitManagedFields, false);
        assert.equal(evaluate(p, res("pods", {}, "get", { username: "bob", groups: [] })).omitManagedFields, true);
        const q = parsePolicy(HEAD + "rules:\n  - level: Metadata\n    omitManagedFields: true\n");
        assert.equal(evaluate(q, res("pods")).omitManagedFields, true);
    });

    it("pathMatches trims every trailing *", () => {
        assert.equal(pathMatches("/apis/x", "/apis**"), true);
        assert.equal(pathMatches("/api", "/apis*"), false);
    });
});

describe("audit Event -> request attributes", () => {
    it("uses the authenticated user, never the impersonated one", () => {
        const a = attributesFromEvent({
            verb: "list",
            user: { username: "system:admin", groups: ["system:masters"] },
            impersonatedUser: { username: "bob", groups: ["system:authenticated"] },
            objectRef: { resource: "pods", namespace: "default", apiVersion: "v1" },
            requestURI: "/api/v1/namespaces/default/pods",
        });
        assert.deepEqual(a.user, { username: "system:admin", groups: ["system:masters"] });
    });

    it("an absent apiGroup is the core group, absent namespace and name are empty", () => {
        const a = attributesFromEvent({ verb: "list", objectRef: { resource: "nodes" }, requestURI: "/api/v1/nodes" });
        assert.deepEqual(a.resource, { apiGroup: "", resource: "nodes", subresource: "", namespace: "", name: "" });
        assert.equal(a.user, undefined);
    });

    it("a non-resource request's path excludes the query string", () => {
        const a = attributesFromEvent({ verb: "get", requestURI: "/readyz?verbose=1", user: { username: "system:anonymous" } });
        assert.equal(a.path, "/readyz");
        assert.equal(a.resource, undefined);
        assert.deepEqual(a.user, { username: "system:anonymous", groups: [] });
    });

    it("refuses shapes that are not events, naming the field", () => {
        assert.throws(() => attributesFromEvent([1]), { message: "an audit Event must be a JSON object" });
        assert.throws(() => attributesFromEvent({ requestURI: "/x" }), { message: 'verb is required (a string such as "get")' });
        assert.throws(() => attributesFromEvent({ kind: "EventList", verb: "get" }), { message: 'kind must be "Event", got "EventList"' });
        assert.throws(() => attributesFromEvent({ verb: "get" }), {
            message: "a non-resource request needs requestURI (and a resource request objectRef.resource)",
        });
        assert.throws(() => attributesFromEvent({ verb: "get", user: { username: "a", groups: "g" }, requestURI: "/" }), {
            message: "user.groups must be a list of strings",
        });
        assert.throws(() => attributesFromEvent({ verb: "get", objectRef: { resource: 5 } }), {
            message: "objectRef.resource must be a string, got 5",
        });
    });
});
