import { pushUser } from "../../../components/logs/loki/access";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { fleet } from "./alloy/fixtures";
import { k3sAlloyManifests } from "../../../components/logs/alloy-shipper";

// The engine and Helm cannot run here: the real SDK runs under setMocks and records what would be registered.
type Mod = typeof import("../../../components/logs");

/** Written for these tests: a PEM-shaped CA (the schema checks the shape; helm is not run here) and repository credentials. */
const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEMiOcx2jfc2hcsCapP14dxLCSqMw\n-----END CERTIFICATE-----\n";
const secrets: Record<string, string> = { lokiPw: "gw-pa55", repoAuth: "mirror-reader:r3p0-pa55", repoCa: CA };
const secret = (k: string) => pulumi.secret(secrets[k]);
const MIRRORS = { chartRepository: "https://charts.internal/helm", chartRepositoryAuthSecret: "repoAuth" };

describe("air-gapped chart repositories in the components (Pulumi mocks)", () => {
    let run: MockRun;
    let mod: Mod;

    beforeEach(async () => {
        run = await setupMocks();
        mod = await import("../../../components/logs/index.js");
    });

    it("Releases: the repository's CA as a file named by its hash, credentials from secret config (the password secret)", async () => {
        const config = fleet({ mirrors: { ...MIRRORS, chartRepositoryCa: CA } }, ["repoAuth"]);
        new mod.LokiStack("logs", { logs: config.logs, namespace: "ns", gatewayUser: "u", gatewayPassword: secret("lokiPw"), secret });
        await settle();
        const rel = run.one("kubernetes:helm.sh/v3:Release", "logs-loki");
        const { caFile, ...rest } = rel.inputs.repositoryOpts;
        assert.deepEqual(rest, { repo: "https://charts.internal/helm", username: "mirror-reader", password: "r3p0-pa55" });
        assert.match(caFile, /akko-audit-chart-ca\/[0-9a-f]{16}\.pem$/);
        assert.equal(fs.readFileSync(caFile, "utf8"), CA);
        assert.deepEqual(rel.secretInputs, ["repositoryOpts"]);
    });

    it("Releases: a CA from secret config; without CA or credentials only the repository", async () => {
        const config = fleet({ mirrors: { chartRepository: "https://charts.internal/helm", chartRepositoryCaSecret: "repoCa" } }, ["repoCa"]);
        new mod.AuditDashboard("dash", {
            namespace: "ns",
            secret,
            grafana: { logs: config.logs, lokiUrl: "http://loki-gateway", lokiUser: "u", lokiPassword: secret("lokiPw") },
        });
        const plain = fleet({ mirrors: { chartRepository: "https://charts.internal/helm" } });
        const ocp = plain.clusters.find((c) => c.kind === "openshift")!;
        new mod.AlloyShipper("ocp", {
            config: plain,
            target: ocp,
            namespace: "akko-audit",
            secret,
            pushPasswords: { [pushUser(ocp.name)]: pulumi.secret("p") },
        });
        await settle();
        const grafana = run.one("kubernetes:helm.sh/v3:Release", "dash-grafana").inputs.repositoryOpts;
        assert.equal(fs.readFileSync(grafana.caFile, "utf8"), CA);
        assert.deepEqual(run.one("kubernetes:helm.sh/v3:Release", "ocp-alloy").inputs.repositoryOpts, { repo: "https://charts.internal/helm" });
    });

    it("OpenShift agent namespace: Pod Security privileged, label sync off (the agent's hostPath and root need it)", async () => {
        const config = fleet();
        const ocp = config.clusters.find((c) => c.kind === "openshift")!;
        new mod.AlloyShipper("ocp", {
            config,
            target: ocp,
            namespace: "akko-audit",
            secret,
            pushPasswords: { [pushUser(ocp.name)]: pulumi.secret("p") },
        });
        await settle();
        assert.deepEqual(run.one("kubernetes:core/v1:Namespace", "ocp-ns").inputs.metadata, {
            name: "akko-audit",
            labels: {
                "pod-security.kubernetes.io/enforce": "privileged",
                "pod-security.kubernetes.io/audit": "privileged",
                "pod-security.kubernetes.io/warn": "privileged",
                "security.openshift.io/scc.podSecurityLabelSync": "false",
            },
        });
    });

    it("k3s: a third, secret manifest with the repository's credentials and secret CA; none when the chart is anonymous", async () => {
        const config = fleet({ mirrors: { ...MIRRORS, chartRepositoryCaSecret: "repoCa" } }, ["repoAuth", "repoCa"]);
        const k3s = config.clusters.find((c) => c.kind === "k3s")!;
        const files = k3sAlloyManifests(config, k3s, secret("lokiPw"), secret);
        assert.deepEqual(
            files.map((f) => [f.fileName, f.secret ?? false]),
            [
                ["akko-audit-alloy.yaml", false],
                ["akko-audit-alloy-secret.yaml", true],
                ["akko-audit-alloy-chart-repo.yaml", true],
            ],
        );
        assert.ok(!(files[0].content as string).includes("r3p0-pa55"));
        const repo = await resolve(files[2].content);
        assert.equal(repo.secret, true);
        const docs = parseAllDocuments(repo.value).map((d) => d.toJS());
        assert.deepEqual(
            docs.map((d) => [d.kind, d.metadata.namespace, d.metadata.name]),
            [
                ["Secret", "kube-system", "akko-audit-chart-repo-auth"],
                ["ConfigMap", "kube-system", "akko-audit-chart-repo-ca"],
            ],
        );
        assert.equal(Buffer.from(docs[0].data.password, "base64").toString(), "r3p0-pa55");
        assert.equal(docs[1].data["ca.crt"], CA);
        // The same Output for every k3s cluster of the stack (one upload content, not one per cluster).
        assert.equal(k3sAlloyManifests(config, k3s, secret("lokiPw"), secret)[2], files[2]);
        const anonymous = fleet();
        const k3sPlain = anonymous.clusters.find((c) => c.kind === "k3s")!;
        assert.equal(k3sAlloyManifests(anonymous, k3sPlain, secret("lokiPw"), secret).length, 2);
    });
});
