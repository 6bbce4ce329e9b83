import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DEFAULT_RBAC_WRITERS, DEFAULT_SECRET_READERS } from "../../../../components/config/detections";
import { Detector, durationMs, lineLabels } from "../../../../components/logs/detections/evaluate";
import { missingFields } from "../../../../components/logs/detections/formats";
import { ruleAlertExpr } from "../../../../components/logs/detections/logql";
import { DetectionRule } from "../../../../components/logs/detections/model";
import { detectionRules } from "../../../../components/logs/detections/rules";
import { identityRules } from "../../../../components/logs/detections/rules-identity";
import { hotFields } from "../../../../components/logs/normalize/normalize";
import { logqlErrors, logqlNodes } from "../../../helpers/logql";

/** The shipped allow-lists; a low enumeration threshold keeps the counted cases short. */
const PARAMS = { rbacWriters: [...DEFAULT_RBAC_WRITERS], secretReaders: [...DEFAULT_SECRET_READERS], enumeration: { threshold: 3, window: "5m" } };
const FIXTURES = join(__dirname, "../../../fixtures/detections");
const STREAM = { cluster: "edge", job: "k3s-audit", source: "k3s" };

type Event = Record<string, unknown> & { auditID: string };
interface Fixture {
    rule: string;
    positive: { name: string; event: Event }[];
    negative: { name: string; event: Event }[];
}

const fixture = (id: string): Fixture => parse(readFileSync(join(FIXTURES, `${id}.yaml`), "utf8")) as Fixture;
const labelsOf = (event: Record<string, unknown>) => lineLabels(JSON.stringify(event), hotFields(event), STREAM);

/** Which single-event rules of the pack (identity rules and the two in rules.ts) hit one event, as [rule, object]. */
function singleHits(event: Event): string[][] {
    const rules = detectionRules(PARAMS).filter((r) => !r.threshold);
    return new Detector(rules).push(labelsOf(event), 0).map((h) => [h.rule, h.object ?? ""]);
}

/**
 * Every fixture event and what the single-event rules make of it, in fixture order: the rule's own hit and
 * every other rule that also fires (an impersonated Secret read is also an impersonation).
 */
const SINGLE: Record<string, { positive: string[][][]; negative: string[][][] }> = {
    "secret-read-anonymous": {
        positive: [
            [["secret-read-anonymous", "secrets"]],
            [
                ["anonymous-allowed", "secrets kube-system/bootstrap-token-abcdef"],
                ["secret-read-anonymous", "secrets kube-system/bootstrap-token-abcdef"],
            ],
            [["secret-read-anonymous", "secrets shop/"]],
        ],
        negative: [
            [
                ["secret-read-unusual", "secrets ns1/"],
                ["impersonation", "secrets ns1/"],
            ],
            [],
            [],
        ],
    },
    "secret-read-unusual": {
        positive: [
            [
                ["secret-read-unusual", "secrets ns1/"],
                ["impersonation", "secrets ns1/"],
            ],
            [["secret-read-unusual", "secrets shop/db-password"]],
        ],
        negative: [[], [], [["secret-list-cluster-wide", "secrets"]], [["secret-read-anonymous", "secrets shop/db-password"]]],
    },
    "secret-list-cluster-wide": {
        positive: [[["secret-list-cluster-wide", "secrets"]], [["secret-list-cluster-wide", "secrets"]]],
        negative: [[], [["secret-read-unusual", "secrets shop/"]], []],
    },
    impersonation: {
        positive: [[["impersonation", "pods default/"]], [["impersonation", "pods"]]],
        negative: [[], []],
    },
    "sa-token-kube-system": {
        positive: [
            [["sa-token-kube-system", "serviceaccounts/token kube-system/clusterrole-aggregation-controller"]],
            [["sa-token-kube-system", "serviceaccounts/token kube-system/replicaset-controller"]],
        ],
        negative: [[], [], [], []],
    },
    "cluster-admin-binding": {
        positive: [
            [
                ["cluster-admin-binding", "clusterrolebindings abc-cluster-admin"],
                ["rbac-change-unlisted", "clusterrolebindings abc-cluster-admin"],
            ],
            [
                ["cluster-admin-binding", "rolebindings shop/shop-owner"],
                ["rbac-change-unlisted", "rolebindings shop/shop-owner"],
            ],
            [
                ["cluster-admin-binding", "clusterrolebindings ops-admins"],
                ["rbac-change-unlisted", "clusterrolebindings ops-admins"],
            ],
        ],
        negative: [[["rbac-change-unlisted", "clusterrolebindings abc-view"]], [], [["rbac-change-unlisted", "rolebindings shop/shop-admin"]]],
    },
    "rbac-wildcard-role": {
        positive: [
            [
                ["rbac-wildcard-role", "clusterroles everything"],
                ["rbac-change-unlisted", "clusterroles everything"],
            ],
            [
                ["rbac-wildcard-role", "roles shop/ops"],
                ["rbac-change-unlisted", "roles shop/ops"],
            ],
        ],
        negative: [[["rbac-change-unlisted", "clusterroles pod-reader"]], [], [["rbac-change-unlisted", "clusterroles everything"]]],
    },
    "rbac-change-unlisted": {
        positive: [[["rbac-change-unlisted", "rolebindings shop/web-secrets"]], [["rbac-change-unlisted", "clusterroles view"]]],
        negative: [[], [], []],
    },
};

/** Counted rules: the key each positive event is counted under. */
const COUNTED: Record<string, { positive: Record<string, string>[] }> = {
    "enumeration-by-user": {
        positive: [
            { cluster: "edge", user_username: "system:admin", impersonatedUser_username: "bob" },
            { cluster: "edge", user_username: "mallory@example.com", impersonatedUser_username: "" },
        ],
    },
    "enumeration-by-ip": {
        positive: [
            { cluster: "edge", audit_source_ip: "203.0.113.50" },
            { cluster: "edge", audit_source_ip: "203.0.113.50" },
            { cluster: "edge", audit_source_ip: "::1" },
        ],
    },
};

const byId = (id: string): DetectionRule => {
    const r = identityRules(PARAMS).find((x) => x.id === id);
    assert.ok(r, id);
    return r;
};

describe("detections: identity and RBAC rules", () => {
    it("ten rules, each with a fixture file of at least two positive and two negative events", () => {
        const ids = identityRules(PARAMS).map((r) => r.id);
        assert.deepEqual(ids, [
            "secret-read-anonymous",
            "secret-read-unusual",
            "secret-list-cluster-wide",
            "enumeration-by-user",
            "enumeration-by-ip",
            "impersonation",
            "sa-token-kube-system",
            "cluster-admin-binding",
            "rbac-wildcard-role",
            "rbac-change-unlisted",
        ]);
        assert.deepEqual([...ids].sort(), [...Object.keys(SINGLE), ...Object.keys(COUNTED)].sort());
        for (const id of ids) {
            const f = fixture(id);
            assert.equal(f.rule, id);
            assert.ok(f.positive.length >= 2 && f.negative.length >= 2, id);
        }
    });

    for (const [id, expected] of Object.entries(SINGLE)) {
        it(`${id}: exact hits on its fixtures, and which other rules fire with it`, () => {
            const f = fixture(id);
            assert.deepEqual(
                f.positive.map((c) => singleHits(c.event)),
                expected.positive,
            );
            assert.deepEqual(
                f.negative.map((c) => singleHits(c.event)),
                expected.negative,
            );
        });
    }

    it("a hit names the cluster, audit ID, user, verb and object of the event", () => {
        const event = fixture("sa-token-kube-system").positive[0].event;
        assert.deepEqual(new Detector([byId("sa-token-kube-system")]).push(labelsOf(event), 0), [
            {
                rule: "sa-token-kube-system",
                severity: "high",
                cluster: "edge",
                auditID: event.auditID,
                user: "mallory@example.com",
                verb: "create",
                object: "serviceaccounts/token kube-system/clusterrole-aggregation-controller",
                time: "2026-12-01T10:00:00.004512Z",
            },
        ]);
    });

    for (const [id, expected] of Object.entries(COUNTED)) {
        it(`${id}: hits once when the threshold of denials within the window is reached, per key; negatives never count`, () => {
            const f = fixture(id);
            const rule = byId(id);
            assert.equal(rule.threshold?.count, 3);
            f.positive.forEach((c, i) => {
                const d = new Detector([rule]);
                const pushes = [0, 1, 2, 3].map((n) => d.push(labelsOf({ ...c.event, auditID: `${c.event.auditID}-${n}` }), n * 1000));
                assert.deepEqual(
                    pushes.map((hits) => hits.map((h) => [h.count, h.key])),
                    [[], [], [[3, expected.positive[i]]], []],
                    c.name,
                );
            });
            for (const c of f.negative) {
                const d = new Detector([rule]);
                const hits = [0, 1, 2, 3, 4].flatMap((n) => d.push(labelsOf({ ...c.event, auditID: `${c.event.auditID}-${n}` }), n * 1000));
                assert.deepEqual(hits, [], c.name);
            }
        });
    }

    it("enumeration: denials spread beyond the window never reach the threshold", () => {
        const rule = byId("enumeration-by-ip");
        const event = fixture("enumeration-by-ip").positive[0].event;
        const d = new Detector([rule]);
        const step = durationMs("5m") / 2 + 1;
        const hits = [0, 1, 2, 3].flatMap((n) => d.push(labelsOf({ ...event, auditID: `e-${n}` }), n * step));
        assert.deepEqual(hits, []);
    });

    it("the allow-lists come from config, fully anchored: a listed reader is quiet, a name that only contains one is not", () => {
        const event = fixture("secret-read-unusual").positive[1].event;
        const withUser = (username: string) => ({ ...event, user: { username, groups: ["system:authenticated"] } });
        const reads = (secretReaders: string[], username: string) =>
            new Detector(identityRules({ ...PARAMS, secretReaders })).push(labelsOf(withUser(username)), 0).map((h) => h.rule);
        assert.deepEqual(reads(["system:serviceaccount:shop:.+"], "system:serviceaccount:shop:web"), []);
        assert.deepEqual(reads(["system:serviceaccount:shop:.+"], "x-system:serviceaccount:shop:web"), ["secret-read-unusual"]);
        assert.deepEqual(reads([], "system:kube-controller-manager"), ["secret-read-unusual"]);
        const writes = (rbacWriters: string[]) =>
            new Detector(identityRules({ ...PARAMS, rbacWriters }))
                .push(labelsOf(fixture("rbac-change-unlisted").positive[0].event), 0)
                .map((h) => h.rule);
        assert.deepEqual(writes(["mallory@example\\.com"]), []);
        assert.deepEqual(writes(["mallory"]), ["rbac-change-unlisted"]);
    });

    it("anonymous-allowed: the unauthenticated group counts, and the public endpoints of system:public-info-viewer do not", () => {
        const rule = detectionRules(PARAMS).find((r) => r.id === "anonymous-allowed");
        assert.ok(rule);
        const base = fixture("secret-read-anonymous").positive[1].event;
        const hit = (e: Record<string, unknown>) => new Detector([rule]).push(labelsOf({ ...base, ...e }), 0).map((h) => h.rule);
        assert.deepEqual(hit({}), ["anonymous-allowed"]);
        assert.deepEqual(hit({ user: { username: "proxy-anon", groups: ["system:unauthenticated"] } }), ["anonymous-allowed"]);
        assert.deepEqual(hit({ user: { username: "alice", groups: ["system:authenticated"] } }), []);
        for (const requestURI of ["/version", "/livez?verbose", "/readyz/etcd", "/healthz"]) {
            assert.deepEqual(hit({ requestURI, objectRef: undefined }), [], requestURI);
        }
        assert.deepEqual(hit({ responseStatus: { metadata: {}, code: 403 }, annotations: { "authorization.k8s.io/decision": "forbid" } }), []);
    });

    it("every alert expression parses with Grafana's LogQL grammar; the allow-list renders as one anchored alternation", () => {
        for (const rule of identityRules(PARAMS)) {
            const expr = ruleAlertExpr(rule);
            assert.deepEqual(logqlErrors(expr), [], `${rule.id}: ${expr}`);
            assert.ok(logqlNodes(expr).includes("LabelFilter"), rule.id);
        }
        assert.equal(
            ruleAlertExpr(byId("secret-list-cluster-wide")),
            "sum by (cluster, user_username, verb, objectRef_namespace, objectRef_resource, objectRef_subresource, objectRef_name) " +
                '(count_over_time({job=~".+-audit"} | json | __error__="" | (objectRef_resource=`secrets` and objectRef_apiGroup=``) | ' +
                "verb=~`list|watch` | objectRef_namespace=`` | " +
                "user_username!~`(?:system:apiserver)|(?:system:kube-controller-manager)|(?:system:kube-scheduler)|(?:system:serviceaccount:kube-system:.+)|(?:system:node:.+)` | " +
                "user_username!=`system:anonymous` [5m])) > 0",
        );
        assert.equal(
            ruleAlertExpr(byId("enumeration-by-user")),
            "sum by (cluster, user_username, impersonatedUser_username) " +
                '(count_over_time({job=~".+-audit"} | json | __error__="" | responseStatus_code=~`401|403` | user_username!=`` | ' +
                "user_username!=`system:anonymous` [5m])) >= 3",
        );
    });

    it("GKE: impersonation is blind (a LogEntry has no impersonatedUser), every other identity rule can fire", () => {
        const blind = Object.fromEntries(identityRules(PARAMS).map((r) => [r.id, missingFields(r, "gke")]));
        assert.deepEqual(blind, {
            "secret-read-anonymous": [],
            "secret-read-unusual": [],
            "secret-list-cluster-wide": [],
            "enumeration-by-user": [],
            "enumeration-by-ip": [],
            impersonation: ["impersonatedUser.username"],
            "sa-token-kube-system": [],
            "cluster-admin-binding": [],
            "rbac-wildcard-role": [],
            "rbac-change-unlisted": [],
        });
        for (const r of identityRules(PARAMS)) assert.deepEqual(missingFields(r, "aks"), [], r.id);
    });
});
