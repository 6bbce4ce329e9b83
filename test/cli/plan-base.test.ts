/**
 * `akko-audit plan --base`: the change preview of the real program, on a copy of the project changed as a
 * user would change it, run as the Pulumi language host runs it (see test/components/plan/host.test.ts for
 * what is real and what is stubbed) and stepped by the engine's rules (test/components/plan/steps.test.ts).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main } from "../../cli/main";
import { ChangePreview, changePreview, changePreviewText } from "../../components/plan/effects";
import { runAsLanguageHost } from "../../components/plan/host";
import { DESTRUCTIVE_DELETES, destructiveReplaceProblems, Registration } from "../../components/plan/steps";
import { commitAll, copyProject, edit, editStack, git, setSecrets } from "../helpers/project";

/** Types whose delete turns audit logging off (steps.ts DESTRUCTIVE_DELETES). */
const DESTRUCTIVE = Object.keys(DESTRUCTIVE_DELETES);
const NODES = ["edge-paris/192.0.2.10", "factory-lyon/10.20.0.11", "factory-lyon/10.20.0.12", "factory-lyon/10.20.0.13"];
const FIXTURES = path.join(__dirname, "..", "components", "plan", "fixtures");

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The custom-resource steps as "op effect" lines. */
const effects = (p: ChangePreview) => p.steps.map((s) => `${s.op} ${s.effect}`);

describe("akko-audit plan --base: what `pulumi up` would do on the fleet", function () {
    this.timeout(240_000);
    let dir: string;
    let basePlan: string;

    before(async () => {
        dir = copyProject();
        setSecrets(dir, "prod");
        commitAll(dir, "secrets set");
        basePlan = path.join(mkdtempSync(path.join(tmpdir(), "akko-render-")), "rendered");
        const r = await cli(["render", "--stack", "prod", "--out", basePlan, "--project-dir", dir]);
        assert.equal(r.code, 0, r.err);
    });
    afterEach(() => {
        git(dir, "reset", "-q", "--hard");
    });
    after(() => {
        rmSync(dir, { recursive: true, force: true });
        rmSync(path.dirname(basePlan), { recursive: true, force: true });
    });

    async function preview(base = path.join(basePlan, "plan.json")): Promise<{ code: number; preview: ChangePreview }> {
        const r = await cli(["plan", "--stack", "prod", "--base", base, "--json", "--project-dir", dir]);
        assert.ok(r.code === 0 || r.code === 1, r.err);
        return { code: r.code, preview: JSON.parse(r.out) };
    }

    it("the same config twice: nothing to do (a second `pulumi up` runs nothing)", async () => {
        const { code, preview: p } = await preview();
        assert.equal(code, 0);
        assert.deepEqual(p.steps, []);
        assert.deepEqual(p.errors, []);
        assert.ok(p.counts.same > 60);
    });

    it("a policy change: each node's apply updates in place and restarts k3s once; nothing is replaced or deleted", async () => {
        edit(dir, "policy/audit-policy.yaml", (t) => t.replace(/\nrules:\n/, "\n# reviewed 2026-12\nrules:\n"));
        const { code, preview: p } = await preview();
        assert.equal(code, 0);
        assert.deepEqual(
            effects(p).sort(),
            [
                ...NODES.map((n) => `update updates ${n} in place: restarts k3s (the policy or drop-in changed)`),
                ...NODES.map((n) => `update uploads the bundle (scripts, policy, drop-in, manifests) to ${n}'s stage directory`),
            ].sort(),
        );
        assert.deepEqual(p.counts, { ...p.counts, create: 0, replace: 0, delete: 0, update: 8 });
    });

    it("a rotated Loki gateway password (now the read credential): nothing on the nodes, no restart, no replace, no delete", async () => {
        setSecrets(dir, "prod", (k) => (k === "lokiGatewayPassword" ? "v1:cm90YXRlZA==:new" : `v1:ZmFrZQ==:${k}`));
        const { code, preview: p } = await preview();
        assert.equal(code, 0);
        assert.deepEqual([p.counts.create, p.counts.replace, p.counts.delete], [0, 0, 0]);
        const applies = p.steps.filter((s) => s.name.endsWith("-apply"));
        // The gateway password is the read credential now: nothing on the nodes (each pushes with its own).
        assert.deepEqual(
            applies.map((s) => s.effect),
            [],
        );
        assert.ok(!p.steps.some((s) => s.runsDelete));
    });

    it("servers reordered: nothing happens (nodes are named after their host)", async () => {
        const lyon = (c: Record<string, any>) => c["akko-audit:clusters"].find((x: { name: string }) => x.name === "factory-lyon");
        editStack(dir, "prod", (c) => lyon(c).servers.reverse());
        assert.match(
            readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"),
            /- host: 10\.20\.0\.13[\s\S]*- host: 10\.20\.0\.12[\s\S]*- host: 10\.20\.0\.11/,
        );
        const { code, preview: p } = await preview();
        assert.equal(code, 0);
        // The HA order changes (dependsOn), which is not an input change: no step.
        assert.deepEqual(p.steps, []);
    });

    /** A base plan rendered from the copy as it is now (the state after a `pulumi up` of this config). */
    async function renderBase(): Promise<string> {
        const out = path.join(mkdtempSync(path.join(tmpdir(), "akko-render-")), "rendered");
        const r = await cli(["render", "--stack", "prod", "--out", out, "--project-dir", dir]);
        assert.equal(r.code, 0, r.err);
        return path.join(out, "plan.json");
    }
    const cluster = (c: Record<string, any>, name: string) => c["akko-audit:clusters"].find((x: { name: string }) => x.name === name);
    const PROTECTED = (urn: string) =>
        `${urn}: protected, the engine refuses to delete it; allowed: set allowAuditOff: true on its cluster and \`pulumi up\` first (README: What destroy keeps)`;

    it("a server removed: its delete script runs on that host only, once the cluster allows audit off (else the engine refuses)", async () => {
        const removeServer = (c: Record<string, any>) => {
            const lyon = cluster(c, "factory-lyon");
            lyon.servers = lyon.servers.filter((s: { host: string }) => s.host !== "10.20.0.12");
        };
        editStack(dir, "prod", removeServer);
        const blocked = await preview();
        assert.equal(blocked.code, 1);
        const apply = blocked.preview.steps.filter((s) => s.blockedByProtect);
        assert.deepEqual(
            apply.map((s) => `${s.op} ${s.name}`),
            ["delete factory-lyon-10.20.0.12-apply"],
        );
        assert.deepEqual(blocked.preview.errors, [PROTECTED(apply[0].urn)]);

        // The flow: allowAuditOff: true, `pulumi up` (the base below), then remove the server.
        git(dir, "checkout", "-q", "--", "Pulumi.prod.yaml");
        editStack(dir, "prod", (c) => (cluster(c, "factory-lyon").allowAuditOff = true));
        const base = await renderBase();
        editStack(dir, "prod", removeServer);
        const { code, preview: p } = await preview(base);
        rmSync(path.dirname(path.dirname(base)), { recursive: true, force: true });
        assert.equal(code, 0);
        assert.deepEqual(p.errors, []);
        assert.deepEqual(effects(p), [
            "delete runs the delete script on factory-lyon/10.20.0.12: puts back the node's files from before akko-audit and restarts k3s (audit logging off on that node)",
            "delete forgets the bundle upload of factory-lyon/10.20.0.12 (nothing runs; the apply's delete removes the files)",
        ]);
    });

    it("managed clusters removed without allowAuditOff: every delete that turns audit off is blockedByProtect, exit 1", async () => {
        editStack(dir, "prod", (c) => {
            c["akko-audit:clusters"] = c["akko-audit:clusters"].filter((x: { name: string }) => x.name !== "analytics" && x.name !== "payments-eu");
            delete c["akko-audit:logs"].receivers.gcpCredentialsSecret;
        });
        const { code, preview: p } = await preview();
        assert.equal(code, 1);
        const blocked = p.steps.filter((s) => s.blockedByProtect);
        assert.deepEqual(
            blocked.map((s) => `${s.op} ${s.type} ${s.name}`),
            [
                "delete pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging analytics-apiserver-logs",
                "delete pulumi-nodejs:dynamic/akko-audit:EksClusterLogging payments-eu-control-plane-logging",
                "delete gcp:projects/iAMAuditConfig:IAMAuditConfig analytics-data-access",
                "delete pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline analytics-data-access-baseline",
            ],
        );
        assert.deepEqual(
            p.errors,
            blocked.map((s) => PROTECTED(s.urn)),
        );
        assert.ok(p.steps.every((s) => s.blockedByProtect || !DESTRUCTIVE.includes(s.type)));
    });

    it("managed clusters removed after allowAuditOff: their deletes give back what was there (EKS log types, GKE's API_SERVER logging, Data Access)", async () => {
        editStack(dir, "prod", (c) => {
            cluster(c, "analytics").allowAuditOff = true;
            cluster(c, "payments-eu").allowAuditOff = true;
        });
        const base = await renderBase();
        editStack(dir, "prod", (c) => {
            c["akko-audit:clusters"] = c["akko-audit:clusters"].filter((x: { name: string }) => x.name !== "analytics" && x.name !== "payments-eu");
            delete c["akko-audit:logs"].receivers.gcpCredentialsSecret;
        });
        const { code, preview: p } = await preview(base);
        rmSync(path.dirname(path.dirname(base)), { recursive: true, force: true });
        assert.equal(code, 0);
        assert.deepEqual(p.errors, []);
        const e = effects(p);
        // Dependents first: ours is removed, then the config from before akko-audit is written back.
        const removed = e.indexOf(
            "delete removes the Data Access audit config of container.googleapis.com in project akko-analytics-prod (reads stop being logged)",
        );
        const restored = e.indexOf(
            "delete puts back the Data Access audit config of container.googleapis.com in project akko-analytics-prod recorded before akko-audit",
        );
        assert.ok(removed >= 0 && restored > removed, e.join("\n"));
        assert.ok(e.includes("delete turns APISERVER logging off on gke analytics-prod (the components it turned on)"), e.join("\n"));
        assert.ok(
            e.includes("delete puts back the EKS log types found before on payments-prod-eu (eu-west-3): audit logging off unless it was on before"),
            e.join("\n"),
        );
        assert.ok(
            e.includes(
                "delete removes the Data Access audit config of container.googleapis.com in project akko-analytics-prod (reads stop being logged)",
            ),
            e.join("\n"),
        );
        assert.deepEqual([p.counts.create, p.counts.replace], [0, 0]);
        // The CloudWatch group is kept (retainOnDelete): forgotten, not deleted.
        assert.ok(p.steps.some((s) => s.op === "discard" && s.type === "aws:cloudwatch/logGroup:LogGroup"));
    });

    it("a cluster renamed with previousNames: every resource is kept (aliases); without it, the old nodes are cleaned up", async () => {
        edit(dir, "Pulumi.prod.yaml", (t) => t.replace("    - name: edge-paris\n", "    - name: edge-paris-1\n      previousNames: [edge-paris]\n"));
        const { code, preview: p } = await preview();
        assert.equal(code, 0);
        assert.deepEqual([p.counts.create, p.counts.replace, p.counts.delete], [0, 0, 0]);
        assert.ok(
            effects(p).includes(
                "update updates edge-paris-1/192.0.2.10 in place: no restart (policy and drop-in unchanged; scripts, manifests, command or connection changed)",
            ),
        );

        edit(dir, "Pulumi.prod.yaml", (t) => t.replace("      previousNames: [edge-paris]\n", ""));
        const bare = (await preview()).preview;
        assert.ok(effects(bare).includes("create applies audit logging on edge-paris-1/192.0.2.10: installs the policy and drop-in, restarts k3s"));
        assert.ok(
            effects(bare).includes(
                "delete runs the delete script on edge-paris/192.0.2.10: puts back the node's files from before akko-audit and restarts k3s (audit logging off on that node)",
            ),
        );
    });

    it("a program with triggers on the apply (a git ref as base): reported as replaces that run the delete script, exit 1", async () => {
        edit(dir, "components/k3s/node.ts", (t) =>
            t
                .replace(
                    "                delete: commands.remove,\n",
                    "                delete: commands.remove,\n                triggers: [files.policyHash],\n",
                )
                .replace(
                    "                ignoreChanges,\n                protect: !cluster.allowAuditOff,\n",
                    "                protect: !cluster.allowAuditOff,\n",
                ),
        );
        commitAll(dir, "bad program");
        edit(dir, "policy/audit-policy.yaml", (t) => t.replace(/\nrules:\n/, "\n# reviewed 2026-12\nrules:\n"));
        const r = await cli(["plan", "--stack", "prod", "--base", "HEAD", "--project-dir", dir]);
        assert.equal(r.code, 1);
        for (const n of NODES) {
            assert.ok(
                r.out.includes(
                    `+- REPLACES the apply on ${n}: applies again, then runs the old one's delete script, which puts back the node's files from before akko-audit and restarts k3s (audit logging off on that node)  [replace because triggers, triggers[0] changed]`,
                ),
                r.out,
            );
        }
        assert.match(r.out, /^Change preview for stack prod: HEAD \([0-9a-f]{12}\) -> this checkout$/m);
        assert.match(
            r.out,
            /\nErrors \(do not deploy\):\n {2}urn:pulumi:prod::akko-audit::akko:audit:Rollout\$akko:audit:K3sAuditLogging\$akko:audit:K3sServerAuditLogging\$command:remote:Command::edge-paris-192\.0\.2\.10-apply: its delete turns audit logging off, yet a change of triggers, triggers\[\*\] would replace it/,
        );
        git(dir, "reset", "-q", "--hard", "HEAD~1");
    });

    it("bad --base: one line naming it and what is allowed, exit 2", async () => {
        const r = await cli(["plan", "--stack", "prod", "--base", "no-such-ref", "--project-dir", dir]);
        assert.deepEqual(
            [r.code, r.err],
            [2, `akko-audit: plan: --base: got "no-such-ref"; allowed: a git ref of ${dir} (branch, tag, commit) or a plan.json file`],
        );
        const other = await cli(["plan", "--stack", "dev", "--base", path.join(basePlan, "plan.json"), "--project-dir", dir]);
        assert.deepEqual(
            [other.code, other.err],
            [2, `akko-audit: plan: --base: ${path.join(basePlan, "plan.json")} is a plan of stack "prod"; allowed: a plan of stack "dev"`],
        );
    });
});

describe("upgrading a stack made by 0.1.0 (registrations recorded with 0.1.0 under the language host)", function () {
    this.timeout(120_000);

    const recorded = () => JSON.parse(readFileSync(path.join(FIXTURES, "v0.1.0-prod.json"), "utf8")) as { resources: Registration[] };

    /** The change preview from 0.1.0's registrations to this checkout's, with 0.1.0's own policy or this release's. */
    async function upgradePreview(policy: "0.1.0" | "this release") {
        // The same stack file and secrets as when 0.1.0 recorded it.
        const dir = copyProject();
        // The upgrade's one config change: 0.1.0 used the ambient kubeconfig without asking; now it is explicit.
        edit(dir, "Pulumi.prod.yaml", () =>
            readFileSync(path.join(FIXTURES, "v0.1.0-Pulumi.prod.yaml"), "utf8").replace(
                "  akko-audit:logs:\n",
                "  akko-audit:logs:\n    useAmbientKubeconfig: true\n",
            ),
        );
        if (policy === "0.1.0") edit(dir, "policy/audit-policy.yaml", () => readFileSync(path.join(FIXTURES, "v0.1.0-audit-policy.yaml"), "utf8"));
        const head = await runAsLanguageHost(dir, "prod");
        rmSync(dir, { recursive: true, force: true });
        return changePreview(
            { label: "0.1.0", resources: recorded().resources },
            { label: "now", resources: head.resources },
            { project: "akko-audit", stack: "prod" },
        );
    }

    it("with the policy unchanged, the first `pulumi up` after the upgrade restarts nothing: nodes move to host names by alias, triggers are ignored", async () => {
        // 0.1.0's policy: the upgrade's mechanics alone (this release's policy changed; the next test).
        const p = await upgradePreview("0.1.0");
        // Only the AKS cluster's subscription provider is created. Its resources move to it from the default
        // azure-native provider, and azure-native's DiffConfig never replaces: they stay unchanged.
        // The GKE cluster's Data Access baseline is created; it records the config 0.1.0 applied (ours), so a
        // later destroy leaves Data Access on. Loki's values pin enableStatefulSetAutoDeletePVC: false (the
        // chart's SingleBinary default: the StatefulSet it renders is the same). Protect flags are not inputs.
        assert.deepEqual(
            p.steps.map((s) => s.effect),
            [
                // Each node gets its bundle and its apply runs again, in place and idempotent: nothing restarts.
                // 0.1.0's preflight and per-file uploads leave the stack; their deletes run nothing on the node.
                // The logs layer generates one push password per source (one Loki tenant per cluster).
                "creates random:index/randomPassword:RandomPassword logs-akko-audit-push-edge-paris",
                "creates random:index/randomPassword:RandomPassword logs-akko-audit-push-factory-lyon",
                "creates random:index/randomPassword:RandomPassword logs-akko-audit-push-ocp-core",
                "creates random:index/randomPassword:RandomPassword logs-akko-audit-central",
                "creates pulumi:providers:azure-native azure-0b1f6471-1bf0-4dda-aec3-cb9272f09590",
                // The dashboard's Detections row.
                "updates kubernetes:core/v1:ConfigMap logs-dashboard-dashboard",
                "uploads the bundle (scripts, policy, drop-in, manifests) to edge-paris/192.0.2.10's stage directory",
                "updates kubernetes:core/v1:Namespace logs-openshift-ocp-core-ns",
                "uploads the bundle (scripts, policy, drop-in, manifests) to factory-lyon/10.20.0.11's stage directory",
                "updates kubernetes:core/v1:Secret logs-loki-gateway-auth",
                "updates edge-paris/192.0.2.10 in place: no restart (policy and drop-in unchanged; scripts, manifests, command or connection changed)",
                "updates kubernetes:core/v1:ConfigMap logs-openshift-ocp-core-config",
                "updates factory-lyon/10.20.0.11 in place: no restart (policy and drop-in unchanged; scripts, manifests, command or connection changed)",
                "updates kubernetes:core/v1:Secret logs-openshift-ocp-core-env",
                "uploads the bundle (scripts, policy, drop-in, manifests) to factory-lyon/10.20.0.12's stage directory",
                "updates factory-lyon/10.20.0.12 in place: no restart (policy and drop-in unchanged; scripts, manifests, command or connection changed)",
                "uploads the bundle (scripts, policy, drop-in, manifests) to factory-lyon/10.20.0.13's stage directory",
                "updates kubernetes:helm.sh/v3:Release logs-loki-loki",
                "updates factory-lyon/10.20.0.13 in place: no restart (policy and drop-in unchanged; scripts, manifests, command or connection changed)",
                "updates kubernetes:core/v1:ConfigMap logs-central-config",
                "updates kubernetes:core/v1:Secret logs-central-env",
                "records the Data Access audit config of container.googleapis.com in project akko-analytics-prod as it is now (put back on delete)",
                "forgets the secret.yaml upload of factory-lyon/server #2 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the alloy.yaml upload of factory-lyon/server #2 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the dropin upload of factory-lyon/server #2 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the policy upload of factory-lyon/server #2 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the preflight of factory-lyon/server #2 (0.1.0 name; host held as a secret) (it has no delete script: nothing runs)",
                "forgets the secret.yaml upload of factory-lyon/server #1 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the alloy.yaml upload of factory-lyon/server #1 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the dropin upload of factory-lyon/server #1 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the policy upload of factory-lyon/server #1 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the preflight of factory-lyon/server #1 (0.1.0 name; host held as a secret) (it has no delete script: nothing runs)",
                "forgets the secret.yaml upload of factory-lyon/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the alloy.yaml upload of factory-lyon/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the dropin upload of factory-lyon/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the policy upload of factory-lyon/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the secret.yaml upload of edge-paris/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the alloy.yaml upload of edge-paris/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the dropin upload of edge-paris/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the policy upload of edge-paris/server #0 (0.1.0 name; host held as a secret) (the staged file stays until the next apply; nothing runs)",
                "forgets the preflight of factory-lyon/server #0 (0.1.0 name; host held as a secret) (it has no delete script: nothing runs)",
                "forgets the preflight of edge-paris/server #0 (0.1.0 name; host held as a secret) (it has no delete script: nothing runs)",
            ],
            changePreviewText(p),
        );
        assert.deepEqual(p.errors, []);
        // 0.1.0's own registrations break the rule this version keeps.
        const broken = destructiveReplaceProblems(recorded().resources).map((l) => l.split("::").pop()!.split(":")[0]);
        assert.deepEqual(broken, [
            "edge-paris-server-0-apply",
            "factory-lyon-server-0-apply",
            "factory-lyon-server-1-apply",
            "factory-lyon-server-2-apply",
        ]);
    });

    it("with this release's policy (node reads of Secrets and event deletions now logged), each k3s server restarts once, and the preview says so", async () => {
        const p = await upgradePreview("this release");
        assert.deepEqual(
            p.steps.map((s) => s.effect).filter((e) => /^updates (edge-paris|factory-lyon)\//.test(e)),
            ["edge-paris/192.0.2.10", "factory-lyon/10.20.0.11", "factory-lyon/10.20.0.12", "factory-lyon/10.20.0.13"].map(
                (n) => `updates ${n} in place: restarts k3s (the policy or drop-in changed)`,
            ),
        );
        assert.deepEqual(p.errors, []);
    });
});
