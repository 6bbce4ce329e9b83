import { strict as assert } from "node:assert";
import { lintPolicy, parsePolicy } from "../../../policy/engine";
import { findWitness } from "../../../policy/engine/lint";

const HEAD = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n";
const EXEC_FIRST = "  - level: RequestResponse\n    resources: [{group: '', resources: [pods/exec, pods/attach, pods/portforward]}]\n";
const lint = (rules: string) => lintPolicy(parsePolicy(HEAD + rules));
const messages = (rules: string, check?: string) =>
    lint(rules)
        .filter((f) => !check || f.check === check)
        .map((f) => f.message);

describe("policy linter", () => {
    describe("no body of Secrets, ConfigMaps, tokens or reviews", () => {
        it("flags a catch-all at RequestResponse for every sensitive kind", () => {
            const found = lint(EXEC_FIRST + "  - level: RequestResponse\n").filter((f) => f.check === "sensitive-body");
            assert.deepEqual(
                found.map((f) => f.rule),
                [1, 1, 1, 1, 1, 1, 1, 1],
            );
            assert.equal(
                found[0].message,
                "rule 1 logs secrets with bodies (level RequestResponse), e.g. get secrets (core) in namespace <any namespace> by user <any>; these carry secrets and must be at most Metadata",
            );
            assert.equal(
                found[3].message,
                "rule 1 logs tokenreviews.authentication.k8s.io with bodies (level RequestResponse), e.g. get tokenreviews (authentication.k8s.io) in namespace <any namespace> by user <any>; these carry secrets and must be at most Metadata",
            );
        });

        it("flags Request level on writes that reach configmaps, not the secrets an earlier rule took", () => {
            const found = messages(
                EXEC_FIRST + "  - level: Metadata\n    resources: [{resources: [secrets]}]\n  - level: Request\n    verbs: [create, update]\n",
                "sensitive-body",
            );
            assert.equal(found.length, 7);
            assert.equal(
                found[0],
                "rule 2 logs configmaps with bodies (level Request), e.g. create configmaps (core) in namespace <any namespace> by user <any>; these carry secrets and must be at most Metadata",
            );
            assert.ok(!found.some((m) => m.includes(" secrets with bodies")));
        });

        it("flags a '*' resource rule in the core group", () => {
            assert.deepEqual(
                messages(
                    EXEC_FIRST +
                        "  - level: RequestResponse\n    verbs: [get]\n    resources: [{group: '', resources: ['*']}]\n  - level: Metadata\n",
                    "sensitive-body",
                ),
                [
                    "rule 1 logs secrets with bodies (level RequestResponse), e.g. get secrets (core) in namespace <any namespace> by user <any>; these carry secrets and must be at most Metadata",
                    "rule 1 logs configmaps with bodies (level RequestResponse), e.g. get configmaps (core) in namespace <any namespace> by user <any>; these carry secrets and must be at most Metadata",
                    "rule 1 logs serviceaccounts/token with bodies (level RequestResponse), e.g. get serviceaccounts/token (core) in namespace <any namespace> by user <any>; these carry secrets and must be at most Metadata",
                ],
            );
        });

        it("does not flag a body rule limited to another group, or one that only a None rule precedes fully", () => {
            assert.deepEqual(
                messages(EXEC_FIRST + "  - level: RequestResponse\n    resources: [{group: apps}]\n  - level: Metadata\n", "sensitive-body"),
                [],
            );
            assert.deepEqual(
                messages(
                    EXEC_FIRST +
                        "  - level: None\n    resources: [{resources: [secrets, configmaps, serviceaccounts/token]}, {group: authentication.k8s.io}, {group: authorization.k8s.io}]\n  - level: RequestResponse\n",
                    "sensitive-body",
                ),
                [],
            );
        });

        it("names the user or group a restricted rule is reachable by", () => {
            assert.deepEqual(
                messages(
                    EXEC_FIRST + "  - level: Request\n    userGroups: [ci]\n    resources: [{resources: [secrets]}]\n  - level: Metadata\n",
                    "sensitive-body",
                ),
                [
                    'rule 1 logs secrets with bodies (level Request), e.g. get secrets (core) in namespace <any namespace> by user <any> in group "ci"; these carry secrets and must be at most Metadata',
                ],
            );
        });
    });

    describe("exec/attach/portforward never None", () => {
        it("flags a None rule that swallows exec (kubelet reads before the exec rule)", () => {
            const found = lint("  - level: None\n    userGroups: [system:nodes]\n    verbs: [get]\n" + EXEC_FIRST + "  - level: Metadata\n").filter(
                (f) => f.check === "exec-not-audited",
            );
            assert.deepEqual(
                found.map((f) => f.rule),
                [0, 0, 0],
            );
            assert.equal(
                found[0].message,
                'rule 0 drops pods/exec (level None), e.g. get pods/exec (core) in namespace <any namespace> by user <any> in group "system:nodes"; interactive access must always be audited',
            );
        });

        it("flags falling through to the default None", () => {
            assert.deepEqual(messages("  - level: Metadata\n    users: [alice]\n", "exec-not-audited"), [
                "no rule matches pods/exec, so it falls through to level None, e.g. get pods/exec (core) in namespace <any namespace> by user <any>; add a rule for it",
                "no rule matches pods/attach, so it falls through to level None, e.g. get pods/attach (core) in namespace <any namespace> by user <any>; add a rule for it",
                "no rule matches pods/portforward, so it falls through to level None, e.g. get pods/portforward (core) in namespace <any namespace> by user <any>; add a rule for it",
            ]);
        });

        it("catches pods (not pods/*) as not covering exec", () => {
            const m = messages("  - level: RequestResponse\n    resources: [{resources: [pods]}]\n", "exec-not-audited");
            assert.equal(m.length, 3);
            assert.deepEqual(messages("  - level: RequestResponse\n    resources: [{resources: [pods/*]}]\n", "exec-not-audited"), []);
        });

        it("sees that verbs: [create] misses the WebSocket get", () => {
            assert.deepEqual(
                messages(
                    "  - level: RequestResponse\n    verbs: [create]\n    resources: [{resources: [pods/exec, pods/attach, pods/portforward]}]\n  - level: None\n",
                    "exec-not-audited",
                )[0],
                "rule 1 drops pods/exec (level None), e.g. get pods/exec (core) in namespace <any namespace> by user <any>; interactive access must always be audited",
            );
        });
    });

    describe("shadowed rules", () => {
        it("flags a rule after a catch-all, naming the rule that takes its requests", () => {
            assert.deepEqual(
                lint(EXEC_FIRST + "  - level: Metadata\n  - level: None\n    resources: [{group: apps}]\n").filter((f) => f.check === "shadowed"),
                [{ rule: 2, check: "shadowed", message: "rule 2 is never used: every request it matches is matched first by rule 1" }],
            );
        });

        it("flags a rule covered by two earlier rules together", () => {
            assert.deepEqual(
                messages(
                    EXEC_FIRST +
                        "  - level: None\n    verbs: [get, list, watch]\n  - level: Metadata\n    verbs: [create, update, patch, delete, deletecollection]\n  - level: RequestResponse\n    resources: [{group: apps}]\n  - level: Metadata\n",
                    "shadowed",
                ),
                ["rule 3 is never used: every request it matches is matched first by rules 1, 2"],
            );
        });

        it("does not flag a narrower rule after a broader one that differs in a field", () => {
            assert.deepEqual(
                messages(EXEC_FIRST + "  - level: None\n    users: [a]\n  - level: Metadata\n    users: [b]\n  - level: Metadata\n", "shadowed"),
                [],
            );
            assert.deepEqual(
                messages(
                    EXEC_FIRST +
                        "  - level: None\n    nonResourceURLs: ['/healthz']\n  - level: None\n    nonResourceURLs: ['/healthz*']\n  - level: Metadata\n",
                    "shadowed",
                ),
                [],
            );
        });

        it("flags an exact URL after a prefix that covers it", () => {
            assert.deepEqual(
                messages(
                    EXEC_FIRST +
                        "  - level: None\n    nonResourceURLs: ['/healthz*']\n  - level: None\n    nonResourceURLs: ['/healthz/etcd']\n  - level: Metadata\n",
                    "shadowed",
                ),
                ["rule 2 is never used: every request it matches is matched first by rule 1"],
            );
        });

        it("a witness is a real request the rule matches and no earlier rule does", () => {
            const p = parsePolicy(
                HEAD + "  - level: None\n    namespaces: [kube-system]\n  - level: Metadata\n    resources: [{resources: [pods]}]\n",
            );
            const w = findWitness(p.rules[1], p.rules.slice(0, 1));
            assert.ok(w && w !== "too-large");
            assert.equal(w.resource!.resource, "pods");
            assert.notEqual(w.resource!.namespace, "kube-system");
        });
    });

    it("reports fields kube-apiserver silently ignores", () => {
        assert.deepEqual(
            lint(EXEC_FIRST + "  - level: Metadata\n    resource: [{group: ''}]\n").filter((f) => f.check === "ignored-field"),
            [
                {
                    rule: 1,
                    check: "ignored-field",
                    message: "rules[1].resource: unknown field, ignored by kube-apiserver (a typo here silently widens or disables the rule)",
                },
            ],
        );
    });
});
