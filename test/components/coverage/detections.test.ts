import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readStackFile, StackConfig } from "../../../components/config";
import {
    buildCoverage,
    coverageMarkdown,
    detectionGaps,
    detectionsTable,
    exampleDetectionsReference,
    RuleCoverage,
    withDetectionsTable,
} from "../../../components/coverage";
import { validateDeployableStack } from "../../../components/deployable";
import { detectionRules, DetectionRule } from "../../../components/logs/detections";
import { AKS, fleet, GKE, K3S } from "./clusters";
import { main } from "../../../cli/main";

const ROOT = path.resolve(__dirname, "../../..");
const EKS_LOCAL = { name: "pay", kind: "eks", clusterName: "pay", region: "eu-west-3" };
const AKS_ADMIN = AKS(["kube-audit-admin"]);

/** The two example rules of the core (rules.ts): other rule files grow, these two stay. */
const EXAMPLE_IDS = ["pod-exec", "anonymous-allowed"];
function exampleRules(config: StackConfig): DetectionRule[] {
    return detectionRules(config.logs.detections).filter((r) => EXAMPLE_IDS.includes(r.id));
}
function detections(config: StackConfig, rules = exampleRules(config)): RuleCoverage[][] {
    return buildCoverage(config, rules).clusters.map((c) => c.detections);
}
const status = (ds: RuleCoverage[]) => Object.fromEntries(ds.map((d) => [d.id, d.status]));

const human = { username: "mallory@example.com", groups: ["developers", "system:authenticated"] };
/** A rule built for one case: its needs are what the report reads; its match is never evaluated here. */
function rule(id: string, needs: DetectionRule["needs"]): DetectionRule {
    return { id, title: id, severity: "medium", why: "test", sources: [], needs, match: { field: "verb", op: "=", value: "x" } };
}
const res = (verb: string, resource: string, apiGroup = "", user: { username: string; groups: string[] } = human) => ({
    verb,
    user,
    path: "",
    resource: { apiGroup, resource, subresource: "", namespace: "shop", name: verb === "list" || verb === "deletecollection" ? "" : "x" },
});

describe("coverage: detections per cluster", () => {
    it("k3s runs the product policy: both example rules fire", () => {
        const [k3s] = detections(fleet([K3S]));
        assert.deepEqual(status(k3s), { "pod-exec": "fires", "anonymous-allowed": "fires" });
        assert.deepEqual(k3s[1].requests, [{ request: "get secrets as system:anonymous", level: "Metadata" }]);
        assert.deepEqual(detectionsTable(k3s), [
            "| detection | severity | can fire | why not |",
            "|---|---|---|---|",
            "| pod-exec: exec, attach or port-forward into a pod | high | fires |  |",
            "| anonymous-allowed: An anonymous request was allowed | critical | fires |  |",
        ]);
    });

    it("AKS kube-audit-admin drops get: exec is partial (create is kept), an anonymous Secret get is blind", () => {
        const [aks] = detections(fleet([AKS_ADMIN]));
        assert.deepEqual(status(aks), { "pod-exec": "partial", "anonymous-allowed": "blind" });
        const drop = "kube-audit-admin drops get and list: choose category kube-audit";
        assert.deepEqual(aks[0].why, [`get pods/exec, get pods/attach, get pods/portforward: ${drop}`]);
        assert.deepEqual(aks[1].why, [`get secrets as system:anonymous: ${drop}`]);
        assert.deepEqual(detectionGaps([{ name: "hds", kind: "aks", detections: aks }]), [
            "pod-exec partial on hds (aks)",
            "anonymous-allowed blind on hds (aks)",
        ]);
    });

    it("GKE without DATA_READ: reads never arrive, so the anonymous Secret read is blind", () => {
        const [gke] = detections(fleet([GKE(["DATA_WRITE"])]));
        assert.equal(gke[1].status, "blind");
        assert.deepEqual(gke[1].why, [
            "get secrets as system:anonymous: reads are Cloud Audit Data Access logs: add DATA_READ to dataAccessLogTypes",
        ]);
        assert.deepEqual(gke[1].missingFields, []);
    });

    it("a field the stored format never carries makes the rule blind, even when every request arrives (GKE: no user.groups)", () => {
        const config = fleet([GKE(["ADMIN_READ", "DATA_READ", "DATA_WRITE"]), K3S]);
        const groups = rule("needs-groups", {
            requests: [{ label: "create pods", request: res("create", "pods") }],
            level: "Metadata",
            fields: ["user.groups", "verb"],
        });
        const [gke, k3s] = detections(config, [groups]);
        assert.deepEqual(gke[0], {
            id: "needs-groups",
            title: "needs-groups",
            severity: "medium",
            status: "blind",
            requests: [{ request: "create pods", level: "RequestResponse" }],
            missingFields: ["user.groups"],
            why: ["events stored from GKE LogEntries carry no user.groups"],
        });
        assert.equal(k3s[0].status, "fires");
    });

    it("a request that arrives below the rule's level is blind for it (k3s keeps Secret reads at Metadata, never a body)", () => {
        const body = rule("needs-body", {
            requests: [
                { label: "create pods", request: res("create", "pods") },
                { label: "get secrets", request: res("get", "secrets") },
            ],
            level: "Request",
            fields: [],
        });
        const [k3s] = detections(fleet([K3S]), [body]);
        assert.equal(k3s[0].status, "partial");
        assert.deepEqual(k3s[0].requests, [
            { request: "create pods", level: "RequestResponse" },
            { request: "get secrets", level: "Metadata", why: "arrives at Metadata; the rule needs Request" },
        ]);
    });

    it("EKS without Firehose: nothing reaches Loki, every rule is blind with the platform's reason and no field reason", () => {
        const [eks] = detections(fleet([EKS_LOCAL]));
        assert.deepEqual(status(eks), { "pod-exec": "blind", "anonymous-allowed": "blind" });
        assert.deepEqual(eks[1].why, ["get secrets as system:anonymous: no firehoseEndpointUrl: events stay in CloudWatch and never reach Loki"]);
        // Six requests lost for one reason: one line naming them all.
        assert.deepEqual(eks[0].why, [
            "get pods/exec, create pods/exec, get pods/attach, create pods/attach, get pods/portforward, create pods/portforward: no firehoseEndpointUrl: events stay in CloudWatch and never reach Loki",
        ]);
    });

    it("our policy lets node Secret reads and event deletions through (k3s), but not event writes", () => {
        const kubelet = { username: "system:node:worker-1", groups: ["system:nodes", "system:authenticated"] };
        const rules = [
            rule("events-deleted", {
                requests: [
                    { label: "delete events", request: res("delete", "events") },
                    { label: "deletecollection events.k8s.io events", request: res("deletecollection", "events", "events.k8s.io") },
                ],
                level: "Metadata",
                fields: ["verb"],
            }),
            rule("node-secret-read", {
                requests: [{ label: "list secrets as a node", request: res("list", "secrets", "", kubelet) }],
                level: "Metadata",
                fields: [],
            }),
            rule("event-write", { requests: [{ label: "create events", request: res("create", "events") }], level: "Metadata", fields: [] }),
        ];
        const [k3s] = detections(fleet([K3S]), rules);
        assert.deepEqual(status(k3s), { "events-deleted": "fires", "node-secret-read": "fires", "event-write": "blind" });
        assert.deepEqual(k3s[2].why, ["create events: dropped by the product's policy (noise rule)"]);
    });

    it("a disabled rule is listed as disabled, never a gap for --strict, but named in A.8.16 and CC7.2", () => {
        const config = fleet([AKS_ADMIN], { detections: { disabled: ["anonymous-allowed"] } });
        const report = buildCoverage(config, exampleRules(config));
        assert.deepEqual(status(report.clusters[0].detections), { "pod-exec": "partial", "anonymous-allowed": "disabled" });
        assert.deepEqual(detectionGaps(report.clusters), ["pod-exec partial on hds (aks)"]);
        const a816 = report.controls.find((c) => c.id === "ISO27001-A.8.16")!;
        const cc72 = report.controls.find((c) => c.id === "SOC2-CC7.2")!;
        for (const ctl of [a816, cc72]) {
            assert.equal(ctl.status, "partial");
            assert.deepEqual(ctl.gaps.slice(-4, -2), [
                "hds (aks): alert pod-exec fires only in part (get pods/exec, get pods/attach, get pods/portforward: kube-audit-admin drops get and list: choose category kube-audit)",
                "alerts turned off in logs.detections.disabled: anonymous-allowed",
            ]);
        }
        const md = coverageMarkdown(report);
        assert.ok(md.includes("| anonymous-allowed: An anonymous request was allowed | critical | disabled |  |\n"), md);
        assert.ok(!md.includes("no alert rules are shipped"));
    });

    it("the example stacks: the example rules fire on every cluster", () => {
        for (const stack of ["dev", "prod"]) {
            const config = validateDeployableStack(readStackFile(ROOT, stack), { allowUnsetSecrets: true });
            const report = buildCoverage(config, exampleRules(config));
            assert.deepEqual(
                report.clusters.map((c) => [c.name, status(c.detections)]),
                config.clusters.map((c) => [c.name, { "pod-exec": "fires", "anonymous-allowed": "fires" }]),
                stack,
            );
        }
    });

    it("the README's detections table is up to date (npm run docs:config)", () => {
        const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.equal(withDetectionsTable(readme, exampleDetectionsReference(ROOT)), readme);
        assert.throws(() => withDetectionsTable("# no markers\n", "x"), {
            message:
                "README.md: the markers <!-- detections-table:start (generated by `npm run docs:config`; do not edit) --> and <!-- detections-table:end --> are missing or out of order",
        });
    });

    it("CLI --strict: exit 1 naming each rule and cluster when one cannot fire, 0 when all can; without it, 0", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "akko-strict-"));
        const prod = readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        assert.ok(prod.includes("categories: [kube-audit]\n"));
        writeFileSync(path.join(dir, "Pulumi.admin.yaml"), prod.replace("categories: [kube-audit]\n", "categories: [kube-audit-admin]\n"));
        writeFileSync(path.join(dir, "Pulumi.dev.yaml"), readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        const run = async (...args: string[]) => {
            const out: string[] = [];
            const err: string[] = [];
            const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
            return { code, out, err: err.filter((l) => !l.startsWith("warning: ")) };
        };
        const strict = await run("coverage", "--stack", "admin", "--project-dir", dir, "--strict");
        assert.equal(strict.code, 1);
        assert.match(strict.out[0], /^# Audit coverage: stack admin/);
        const last = strict.err[strict.err.length - 1];
        assert.match(last, /^coverage --strict: \d+ detection\(s\) cannot fire everywhere: /);
        for (const gap of ["pod-exec partial on hds-sante (aks)", "anonymous-allowed blind on hds-sante (aks)"]) assert.ok(last.includes(gap), last);
        assert.equal((await run("coverage", "--stack", "admin", "--project-dir", dir)).code, 0);
        // dev is one k3s cluster under the product policy: every shipped rule must fire there.
        const dev = await run("coverage", "--stack", "dev", "--project-dir", dir, "--strict");
        assert.deepEqual([dev.code, dev.err], [0, []]);
    });
});
