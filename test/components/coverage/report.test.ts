import { strict as assert } from "node:assert";
import { ClusterConfig } from "../../../components/config";
import { AKS, fleet, GKE, K3S, OCP } from "./clusters";
import { buildCoverage, ClusterCoverage, coverageMarkdown } from "../../../components/coverage";
import { main } from "../../../cli/main";
import * as path from "node:path";

const EKS = {
    name: "pay",
    kind: "eks",
    clusterName: "pay",
    region: "eu-west-3",
    firehoseEndpointUrl: "https://alloy.example.net/firehose/pay",
    firehoseAccessKeySecret: "key",
};
function cluster(spec: Record<string, unknown>): ClusterCoverage {
    return buildCoverage(fleet([spec])).clusters[0];
}
const statuses = (c: ClusterCoverage) => Object.fromEntries(c.classes.map((x) => [x.id, x.status]));
const levels = (c: ClusterCoverage, id: string) => Object.fromEntries(c.classes.find((x) => x.id === id)!.requests.map((r) => [r.request, r.level]));

describe("coverage report", () => {
    it("k3s: every class at the product policy's level, evaluated by the engine", () => {
        const c = cluster(K3S);
        assert.deepEqual(statuses(c), { writes: "full", interactive: "full", "sensitive-reads": "full", reviews: "full", "other-reads": "full" });
        assert.deepEqual(levels(c, "interactive"), {
            "get pods/exec (kubectl >= 1.30, WebSocket)": "RequestResponse",
            "create pods/exec (older kubectl, SPDY)": "RequestResponse",
            "get pods/attach": "RequestResponse",
            "get pods/portforward": "RequestResponse",
        });
        assert.deepEqual(c.retention, [
            { hop: "node disk", days: 30, text: "/var/log/k3s-audit.log: rotated files kept 30 days, at most 10 x 100 MB" },
            { hop: "Loki", days: 30, text: "30 days, enforced by Loki's compactor" },
        ]);
    });

    it("EKS: the fixed policy logs reads at Request and SubjectAccessReview bodies", () => {
        const c = cluster(EKS);
        assert.deepEqual(statuses(c), {
            writes: "full",
            interactive: "full",
            "sensitive-reads": "full",
            reviews: "bodies-logged",
            "other-reads": "full",
        });
        assert.equal(levels(c, "interactive")["get pods/exec (kubectl >= 1.30, WebSocket)"], "Request");
        assert.deepEqual(levels(c, "reviews"), {
            "create tokenreviews": "Metadata",
            "create subjectaccessreviews": "RequestResponse",
            "create selfsubjectaccessreviews": "RequestResponse",
        });
        assert.deepEqual(c.retention[0], { hop: "cloud", days: 30, text: "CloudWatch /aws/eks/pay/cluster: 30 days" });
    });

    it("GKE: reads reach Loki only with DATA_READ Data Access logs", () => {
        assert.equal(statuses(cluster(GKE(["ADMIN_READ", "DATA_READ", "DATA_WRITE"])))["sensitive-reads"], "full");
        const c = cluster(GKE(["DATA_WRITE"]));
        assert.deepEqual(statuses(c), {
            writes: "full",
            interactive: "partial",
            "sensitive-reads": "none",
            reviews: "bodies-logged",
            "other-reads": "none",
        });
        const secretGet = c.classes.find((x) => x.id === "sensitive-reads")!.requests[0];
        assert.deepEqual(secretGet, {
            request: "get secrets",
            level: "None",
            why: "reads are Cloud Audit Data Access logs: add DATA_READ to dataAccessLogTypes",
        });
        assert.equal(levels(c, "interactive")["create pods/exec (older kubectl, SPDY)"], "RequestResponse");
    });

    it("AKS: kube-audit-admin drops get and list, so WebSocket exec and Secret reads are lost", () => {
        const full = cluster(AKS(["kube-audit"]));
        assert.deepEqual(statuses(full), {
            writes: "partial",
            interactive: "full",
            "sensitive-reads": "full",
            reviews: "full",
            "other-reads": "full",
        });
        const admin = cluster(AKS(["kube-audit-admin"]));
        assert.deepEqual(statuses(admin), {
            writes: "partial",
            interactive: "partial",
            "sensitive-reads": "partial",
            reviews: "full",
            "other-reads": "none",
        });
        assert.deepEqual(levels(admin, "sensitive-reads"), {
            "get secrets": "None",
            "list secrets": "None",
            "watch secrets": "Metadata",
            "get configmaps": "None",
        });
        assert.equal(admin.classes[2].requests[0].why, "kube-audit-admin drops get and list: choose category kube-audit");
    });

    it("EKS without Firehose and AKS without an Event Hub: nothing reaches Loki, and the report says why", () => {
        const { firehoseEndpointUrl: _u, firehoseAccessKeySecret: _k, ...eksLocal } = EKS;
        (void _u, void _k);
        const eks = cluster(eksLocal);
        assert.ok(eks.classes.every((x) => x.status === "none"));
        assert.equal(eks.classes[0].requests[0].why, "no firehoseEndpointUrl: events stay in CloudWatch and never reach Loki");
        const { eventHubLocation: _l, ...aksLocal } = AKS(["kube-audit"]);
        void _l;
        assert.equal(cluster(aksLocal).classes[2].requests[0].why, "no eventHubLocation: events stay in Log Analytics and never reach Loki");
    });

    it("OpenShift: the profile decides; None turns everything off", () => {
        assert.deepEqual(statuses(cluster(OCP("WriteRequestBodies"))), {
            writes: "full",
            interactive: "full",
            "sensitive-reads": "full",
            reviews: "bodies-logged",
            "other-reads": "full",
        });
        const def = cluster(OCP("Default"));
        assert.equal(statuses(def).writes, "partial");
        assert.equal(def.classes[0].requests[0].why, "profile Default logs no bodies: use WriteRequestBodies");
        assert.equal(levels(cluster(OCP("AllRequestBodies")), "other-reads")["get pods"], "RequestResponse");
        const off = cluster(OCP("None", { confirmAuditingOff: true }));
        assert.deepEqual(statuses(off), { writes: "none", interactive: "none", "sensitive-reads": "none", reviews: "none", "other-reads": "none" });
    });

    it("compliance: covered for a k3s-only fleet; not covered when nothing is audited; gaps name the cluster", () => {
        const k3s = buildCoverage(fleet([K3S]));
        assert.deepEqual(
            k3s.controls.map((c) => [c.id, c.status]),
            [
                ["SOC2-CC6.1", "covered"],
                ["ISO27001-A.8.15", "covered"],
                ["ISO27001-A.8.16", "covered"],
                ["SOC2-CC7.2", "covered"],
                ["GDPR-Art.32", "covered"],
                ["HDS-v2", "covered"],
            ],
        );
        const a815 = k3s.controls[1];
        assert.ok(a815.gaps.some((g) => g.startsWith("tamper-evidence: Loki alone is not write-once")));
        assert.ok(a815.framework.includes("replaced 2013's A.12.4.1"));
        const off = buildCoverage(fleet([OCP("None", { confirmAuditingOff: true })]));
        assert.ok(off.controls.every((c) => c.status === "not covered"));
        const mixed = buildCoverage(fleet([K3S, AKS(["kube-audit-admin"])]));
        assert.equal(mixed.controls[0].status, "partial");
        assert.ok(
            mixed.controls[0].gaps.includes("hds (aks): Secret and ConfigMap reads (who read which secret; never a body) reach Loki only in part"),
        );
    });

    it("tamper evidence: a gap on A.8.15, GDPR Art. 32 and HDS without logs.evidence; delivered, with its limits, when enabled", () => {
        const off = buildCoverage(fleet([K3S]));
        const lines = (r: ReturnType<typeof buildCoverage>, id: string) => {
            const c = r.controls.find((x) => x.id === id)!;
            return { gets: c.gets.filter((g) => g.startsWith("tamper-evidence")), gaps: c.gaps.filter((g) => g.startsWith("tamper-evidence")) };
        };
        assert.deepEqual(lines(off, "ISO27001-A.8.15"), {
            gets: [],
            gaps: [
                "tamper-evidence: Loki alone is not write-once; an administrator of the logs cluster can delete or rewrite data. Add object-lock (WORM) storage or an external signed copy",
            ],
        });
        assert.deepEqual(lines(off, "GDPR-Art.32"), { gets: [], gaps: ["tamper-evidence (see A.8.15)"] });
        assert.deepEqual(lines(off, "HDS-v2"), { gets: [], gaps: ["tamper-evidence (see A.8.15)"] });
        assert.deepEqual(lines(off, "SOC2-CC6.1"), { gets: [], gaps: [] });
        // logs.evidence's schema comes from another branch: set on the validated config as the schema will.
        const config = fleet([K3S]);
        (config.logs as { evidence?: unknown }).evidence = { enabled: true };
        const on = buildCoverage(config);
        const a815 = lines(on, "ISO27001-A.8.15");
        assert.deepEqual(a815.gets, [
            "tamper-evidence: every closed hour of every cluster's events has an Ed25519-signed digest (count and SHA-256 of each entry), chained to the previous one, kept in a retention-locked bucket; `akko-audit verify --from --to` (or offline with --digests/--events) reports modified, deleted and inserted entries, missing digests, gaps and chain breaks",
        ]);
        assert.deepEqual(a815.gaps, [
            "tamper-evidence limits: events lost or altered before they reach Loki (on the node, in transit, in a cloud buffer) are never in a digest",
            "tamper-evidence limits: a signing key stolen before its rotation can sign a rewritten chain from then on; only digests already verified or copied elsewhere show it",
            "tamper-evidence limits: an administrator of the logs cluster can stop the digest job (the silence alert then fires) and rewrite what Loki holds for windows not yet digested",
            "tamper-evidence limits: the bucket's retention lock is the provider's guarantee (S3 Object Lock compliance mode, GCS bucket lock, Azure immutable blobs); emulators accept the settings without enforcing them",
        ]);
        for (const id of ["GDPR-Art.32", "HDS-v2"])
            assert.deepEqual(lines(on, id), {
                gets: ["tamper-evidence: signed, chained hourly digests and verify (see A.8.15)"],
                gaps: ["tamper-evidence limits (see A.8.15)"],
            });
        assert.ok(coverageMarkdown(on).includes("- tamper-evidence: every closed hour"));
    });

    it("markdown names every cluster, its setting and the controls", () => {
        const md = coverageMarkdown(buildCoverage(fleet([K3S, EKS, OCP("Default")], { retentionDays: 30 })));
        for (const s of [
            "## edge (k3s): product policy on 1 server node(s)",
            "## pay (eks): log types audit, authenticator, controllerManager (EKS's fixed policy)",
            "## ocp (openshift): audit profile Default",
            "### CC6.1 Logical access security",
            "### A.8.15 Logging",
        ]) {
            assert.ok(md.includes(s), s);
        }
    });

    it("CLI: md by default, json on request, bad format exit 2", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const rec = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) };
        const root = path.resolve(__dirname, "../../..");
        assert.equal(await main(["coverage", "--stack", "prod", "--project-dir", root], rec), 0);
        assert.match(out[0], /^# Audit coverage: stack prod/);
        out.length = 0;
        assert.equal(await main(["coverage", "--stack", "prod", "--format", "json", "--project-dir", root], rec), 0);
        assert.deepEqual(
            JSON.parse(out[0]).clusters.map((c: ClusterConfig) => c.kind),
            ["k3s", "k3s", "eks", "eks", "gke", "aks", "aks", "openshift"],
        );
        assert.equal(await main(["coverage", "--stack", "prod", "--format", "pdf"], rec), 2);
        assert.equal(err[0], 'akko-audit: coverage: --format "pdf"; allowed: md | json');
    });
});
