import { strict as assert } from "node:assert";
import { parsePolicy, PolicyError, PolicySyntaxError } from "../../../policy/engine";

function problems(yaml: string): string[] {
    try {
        parsePolicy(yaml);
    } catch (e) {
        if (e instanceof PolicyError) return e.problems;
        throw e;
    }
    assert.fail("expected PolicyError");
}

const HEAD = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

describe("policy loading (kube-apiserver's rules)", () => {
    it("loads a minimal valid policy with defaults", () => {
        const p = parsePolicy(HEAD + "rules:\n  - level: Metadata\n");
        assert.deepEqual(p, {
            omitStages: [],
            omitManagedFields: false,
            ignoredFields: [],
            rules: [{ level: "Metadata", users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [], omitStages: [] }],
        });
    });

    it("accepts only audit.k8s.io/v1", () => {
        assert.deepEqual(problems("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]\n"), [
            'apiVersion: Unsupported value: "audit.k8s.io/v1beta1": supported values: "audit.k8s.io/v1"',
        ]);
        assert.deepEqual(problems("kind: Policy\nrules: [{level: None}]\n"), ["apiVersion: Required value: must be audit.k8s.io/v1"]);
        assert.deepEqual(problems("apiVersion: audit.k8s.io/v1\nkind: Polcy\nrules: [{level: None}]\n"), [
            'kind: Unsupported value: "Polcy": supported values: "Policy"',
        ]);
    });

    it("refuses zero rules", () => {
        assert.deepEqual(problems(HEAD + "rules: []\n"), ["rules: loaded illegal policy with 0 rules"]);
        assert.deepEqual(problems(HEAD), ["rules: loaded illegal policy with 0 rules"]);
    });

    it("levels are required and case-sensitive", () => {
        assert.deepEqual(problems(HEAD + "rules:\n  - level: metadata\n  - verbs: [get]\n"), [
            'rules[0].level: Unsupported value: "metadata": supported values: "None", "Metadata", "Request", "RequestResponse"',
            "rules[1].level: Required value",
        ]);
    });

    it("stages are case-sensitive, in the policy and in rules", () => {
        assert.deepEqual(problems(HEAD + "omitStages: [requestReceived]\nrules:\n  - level: None\n    omitStages: [ResponseComplete, Done]\n"), [
            'omitStages[0]: Invalid value: "requestReceived": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic',
            'rules[0].omitStages[1]: Invalid value: "Done": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic',
        ]);
    });

    it("non-resource URLs start with / or are *, with * only last", () => {
        assert.deepEqual(problems(HEAD + 'rules:\n  - level: None\n    nonResourceURLs: ["healthz", "/a/*/b", "*", "/ok*"]\n'), [
            "rules[0].nonResourceURLs[0]: Invalid value: \"healthz\": non-resource URL rules must begin with a '/' character",
            "rules[0].nonResourceURLs[1]: Invalid value: \"/a/*/b\": non-resource URL wildcards '*' must be the final character of the rule",
        ]);
    });

    it("non-resource URLs do not mix with resources or namespaces", () => {
        assert.deepEqual(problems(HEAD + 'rules:\n  - level: None\n    nonResourceURLs: ["/x"]\n    namespaces: [a]\n'), [
            'rules[0].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
        ]);
        assert.deepEqual(problems(HEAD + 'rules:\n  - level: None\n    nonResourceURLs: ["/x"]\n    resources: [{group: ""}]\n'), [
            'rules[0].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
        ]);
    });

    it("resourceNames needs resources; groups are DNS subdomains", () => {
        assert.deepEqual(
            problems(
                HEAD +
                    "rules:\n  - level: None\n    resources:\n      - group: apps\n        resourceNames: [web]\n      - group: rbac.authorization.k8s.io/v1\n        resources: [roles]\n      - group: Apps\n",
            ),
            [
                'rules[0].resources.resourceNames: Invalid value: ["web"]: using resourceNames requires at least one resource',
                "rules[0].resources.group: Invalid value: \"rbac.authorization.k8s.io/v1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                "rules[0].resources.group: Invalid value: \"Apps\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            ],
        );
    });

    it("reports wrong types with the field path, all at once", () => {
        assert.deepEqual(problems(HEAD + "omitManagedFields: yes please\nrules:\n  - level: None\n    verbs: get\n    users: [1]\n"), [
            'omitManagedFields: expected true or false, got "yes please"',
            "rules[0].users[0]: expected a string, got 1",
            'rules[0].verbs: expected a list of strings, got "get"',
        ]);
    });

    it("keeps fields kube-apiserver ignores, for the linter", () => {
        const p = parsePolicy(
            HEAD + "rules:\n  - level: None\n    resource: [{group: apps}]\n    resources:\n      - group: apps\n        resource: [x]\n",
        );
        assert.deepEqual(p.ignoredFields, ["rules[0].resource", "rules[0].resources[0].resource"]);
    });

    it("a rule's omitManagedFields is kept only when set", () => {
        const p = parsePolicy(HEAD + "omitManagedFields: true\nrules:\n  - level: None\n    omitManagedFields: false\n  - level: Metadata\n");
        assert.equal(p.rules[0].omitManagedFields, false);
        assert.equal("omitManagedFields" in p.rules[1], false);
    });

    it("bad YAML is a syntax error, not a policy finding", () => {
        assert.throws(
            () => parsePolicy("rules: [\n"),
            (e: unknown) => e instanceof PolicySyntaxError && /^not valid YAML \(line \d+, column \d+\)/.test((e as Error).message),
        );
        assert.throws(
            () => parsePolicy(HEAD + "kind: Policy\n"),
            (e: unknown) => e instanceof PolicySyntaxError && /Map keys must be unique/.test((e as Error).message),
        );
        assert.throws(() => parsePolicy(HEAD + "rules: [{level: None}]\n---\n" + HEAD), {
            name: "PolicySyntaxError",
            message: "expected one YAML document, found 2",
        });
    });

    it("a document that is not a mapping is refused", () => {
        assert.deepEqual(problems("- a\n- b\n"), ['policy: expected a mapping with apiVersion audit.k8s.io/v1 and kind Policy, got ["a","b"]']);
    });
});
