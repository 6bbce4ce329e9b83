import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { Detector, lineLabels } from "../../../../components/logs/detections/evaluate";
import { ruleAlertExpr } from "../../../../components/logs/detections/logql";
import { workloadRules } from "../../../../components/logs/detections/rules-workload";
import { hotFields } from "../../../../components/logs/normalize/normalize";
import { logqlErrors } from "../../../helpers/logql";

const PARAMS = { rbacWriters: [], secretReaders: [], enumeration: { threshold: 3, window: "5m" } };
const RULES = workloadRules(PARAMS);
const FIXTURES = path.join(__dirname, "../../../fixtures/detections");
const CI = "system:serviceaccount:ci:deployer";
const ALICE = "alice@example.com";

interface Case {
    name: string;
    event: Record<string, unknown>;
}
function fixture(id: string): { rule: string; positive: Case[]; negative: Case[] } {
    return parse(readFileSync(path.join(FIXTURES, `${id}.yaml`), "utf8"));
}

/** Every workload rule's hits on one native event (stored by the k3s agent), as [rule, user, verb, object]. */
function hits(event: Record<string, unknown>): string[][] {
    const labels = lineLabels(JSON.stringify(event), hotFields(event), { cluster: "edge", job: "k3s-audit", source: "k3s" });
    return new Detector(RULES).push(labels, 0).map((h) => [h.rule, h.user!, h.verb!, h.object!]);
}

/** Each positive's hits from all workload rules, in fixture order: the file's rule, and another where the event is both. */
const EXPECTED: Record<string, string[][][]> = {
    "privileged-container": [
        [["privileged-container", ALICE, "create", "pods shop/pwn"]],
        [["privileged-container", CI, "create", "daemonsets kube-system/node-tuner"]],
        [
            ["privileged-container", ALICE, "patch", "pods/ephemeralcontainers shop/web-0"],
            ["ephemeral-container", ALICE, "patch", "pods/ephemeralcontainers shop/web-0"],
        ],
        [["privileged-container", CI, "create", "cronjobs ops/disk-cleanup"]],
    ],
    "host-namespaces": [
        [["host-namespaces", ALICE, "create", "pods default/node-shell"]],
        [["host-namespaces", ALICE, "patch", "deployments shop/web"]],
    ],
    "host-path-sensitive": [
        [["host-path-sensitive", ALICE, "create", "pods shop/everything"]],
        [["host-path-sensitive", CI, "create", "daemonsets monitoring/runtime-agent"]],
        [["host-path-sensitive", CI, "create", "cronjobs ops/backup"]],
    ],
    "host-path": [[["host-path", CI, "create", "daemonsets logging/shipper"]], [["host-path", ALICE, "patch", "statefulsets db/pg"]]],
    "added-capabilities": [
        [["added-capabilities", ALICE, "create", "pods shop/fuse"]],
        [
            ["added-capabilities", ALICE, "patch", "pods/ephemeralcontainers shop/web-0"],
            ["ephemeral-container", ALICE, "patch", "pods/ephemeralcontainers shop/web-0"],
        ],
        [["added-capabilities", CI, "create", "deployments shop/web"]],
    ],
    "ephemeral-container": [
        [["ephemeral-container", ALICE, "patch", "pods/ephemeralcontainers shop/web-0"]],
        [["ephemeral-container", CI, "update", "pods/ephemeralcontainers shop/web-1"]],
    ],
    "node-proxy": [[["node-proxy", CI, "get", "nodes/proxy node-1"]], [["node-proxy", CI, "get", "nodes/proxy node-1"]]],
    "pod-service-proxy": [
        [["pod-service-proxy", CI, "get", "pods/proxy shop/web-0:9901"]],
        [["pod-service-proxy", ALICE, "create", "services/proxy monitoring/http:grafana:3000"]],
    ],
    "crd-deleted": [
        [["crd-deleted", ALICE, "delete", "customresourcedefinitions clusterpolicies.kyverno.io"]],
        [["crd-deleted", CI, "deletecollection", "customresourcedefinitions"]],
    ],
    "events-deleted": [
        [["events-deleted", ALICE, "deletecollection", "events shop/"]],
        [["events-deleted", CI, "delete", "events shop/web-0.17f2a3b4c5d6e7f8"]],
    ],
    "admission-webhook-changed": [
        [["admission-webhook-changed", ALICE, "create", "mutatingwebhookconfigurations injector"]],
        [["admission-webhook-changed", ALICE, "delete", "validatingwebhookconfigurations kyverno-resource-validating-webhook-cfg"]],
        [["admission-webhook-changed", CI, "patch", "validatingadmissionpolicybindings deny-privileged"]],
    ],
};
/** Negatives that another workload rule rightly hits (the file's rule must not). */
const NEGATIVE_ELSEWHERE: Record<string, string[][][]> = {
    "host-path-sensitive": [[["host-path", CI, "create", "daemonsets logging/shipper"]], [["host-path", ALICE, "create", "statefulsets db/etcd"]]],
    "host-path": [[["host-path-sensitive", ALICE, "create", "pods ci/dind"]], []],
};

describe("detections: workload rules on their fixtures (lineLabels + hotFields + Detector)", () => {
    it("the rules are the ones with fixtures and expectations, each a kebab-case id", () => {
        assert.deepEqual(
            RULES.map((r) => r.id),
            Object.keys(EXPECTED),
        );
        for (const r of RULES) assert.match(r.id, /^[a-z]+(-[a-z]+)*$/);
    });

    for (const rule of RULES) {
        describe(rule.id, () => {
            const f = existsSync(path.join(FIXTURES, `${rule.id}.yaml`)) ? fixture(rule.id) : { rule: "", positive: [], negative: [] };

            it("has a fixture with at least 2 positive and 2 negative native Events", () => {
                assert.equal(f.rule, rule.id);
                assert.ok(f.positive.length >= 2 && f.negative.length >= 2, `${f.positive.length} positive, ${f.negative.length} negative`);
                for (const c of [...f.positive, ...f.negative]) assert.equal(c.event.apiVersion, "audit.k8s.io/v1", c.name);
            });

            it("hits every positive exactly as expected", () => {
                assert.deepEqual(
                    f.positive.map((c) => hits(c.event)),
                    EXPECTED[rule.id],
                );
            });

            it("hits no negative", () => {
                const got = f.negative.map((c) => hits(c.event));
                assert.deepEqual(got, NEGATIVE_ELSEWHERE[rule.id] ?? f.negative.map(() => []));
                for (const [i, h] of got.entries()) assert.ok(!h.some(([r]) => r === rule.id), f.negative[i].name);
            });

            it("renders to an alert expression Grafana's LogQL grammar parses", () => {
                const expr = ruleAlertExpr(rule);
                assert.deepEqual(logqlErrors(expr), [], expr);
            });
        });
    }
});

describe("detections: workload rules, where the source's fields matter (native only: GKE has no requestURI)", () => {
    const [pwn] = fixture("privileged-container").positive;
    const [nodePods] = fixture("node-proxy").positive;

    it("a server-side dry run (kubectl apply --dry-run=server) writes nothing: no hit", () => {
        const dry = { ...pwn.event, requestURI: "/api/v1/namespaces/shop/pods?dryRun=All&fieldManager=kubectl-client-side-apply" };
        assert.deepEqual(hits(dry), []);
    });

    it("a JSON patch (a list) sets privileged unseen: no derived field, no error, no hit (the rule's stated blind spot)", () => {
        const body = [{ op: "add", path: "/spec/template/spec/containers/0/securityContext", value: { privileged: true } }];
        const event = {
            ...pwn.event,
            verb: "patch",
            requestObject: body,
            objectRef: { resource: "deployments", namespace: "shop", name: "web", apiGroup: "apps", apiVersion: "v1" },
        };
        const derived = Object.keys(hotFields(event)).filter(
            (k) => !["audit_user", "audit_verb", "audit_resource", "audit_namespace", "audit_code"].includes(k),
        );
        assert.deepEqual(derived, ["audit_source_ip", "audit_groups"]);
        assert.deepEqual(hits(event), []);
    });

    it("node-proxy: monitoring paths through the node proxy are left out, configz and the paths around them are not", () => {
        const at = (uri: string) => hits({ ...nodePods.event, requestURI: uri }).map((h) => h[0]);
        assert.deepEqual(at("/api/v1/nodes/node-1/proxy/metrics/cadvisor"), []);
        assert.deepEqual(at("/api/v1/nodes/node-1/proxy/stats/summary?only_cpu_and_memory=true"), []);
        assert.deepEqual(at("/api/v1/nodes/node-1/proxy/configz"), ["node-proxy"]);
        assert.deepEqual(at("/api/v1/nodes/node-1/proxy/metricsx"), ["node-proxy"]);
        assert.deepEqual(at("/api/v1/nodes/node-1/proxy/run/shop/web-0/web?cmd=id"), ["node-proxy"]);
    });

    it("added-capabilities: the CAP_ prefix and any case count; a longer name that starts like one does not", () => {
        const withCaps = (add: unknown[]) =>
            hits({
                ...pwn.event,
                requestObject: { spec: { containers: [{ name: "x", image: "alpine", securityContext: { capabilities: { add } } }] } },
            }).map((h) => h[0]);
        assert.deepEqual(withCaps(["CAP_SYS_MODULE"]), ["added-capabilities"]);
        assert.deepEqual(withCaps(["all"]), ["added-capabilities"]);
        assert.deepEqual(withCaps(["NET_RAW", "Sys_Admin"]), ["added-capabilities"]);
        assert.deepEqual(withCaps(["SYS_ADMINX", "BPFX"]), []);
        // A malformed body the API server logged before rejecting it: no derived value, no error.
        assert.deepEqual(withCaps([7, null]), []);
    });

    it("host-path-sensitive: ancestors of a sensitive directory count, look-alikes do not", () => {
        const withPath = (p: string) =>
            hits({
                ...pwn.event,
                requestObject: { spec: { containers: [{ name: "x", image: "alpine" }], volumes: [{ name: "h", hostPath: { path: p } }] } },
            }).map((h) => h[0]);
        for (const p of [
            "/var",
            "/var/lib/",
            "/etc/kubernetes/pki/ca.key",
            "/run/containerd/containerd.sock",
            "/var/lib/kubelet/pods",
            "/proc/1/root",
        ])
            assert.deepEqual(withPath(p), ["host-path-sensitive"], p);
        for (const p of ["/var/log", "/lib/modules", "/etcd-backup", "/runner", "/var/lib/app-data"]) assert.deepEqual(withPath(p), ["host-path"], p);
    });
});
