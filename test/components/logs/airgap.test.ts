import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { LogsConfig, MAX_K3S_CHART_BYTES } from "../../../components/config/logs";
import { StackConfig } from "../../../components/config/stack";
import { renderK3sAlloyManifest, renderK3sChartRepoManifest } from "../../../components/logs/alloy/k3s-manifest";
import { OPENSHIFT_AUDIT_LOG_PATH } from "../../../components/logs/alloy/plan";
import { centralValues, nodeAgentValues } from "../../../components/logs/alloy/values";
import { grafanaValues } from "../../../components/logs/grafana/values";
import { lokiValues } from "../../../components/logs/loki/values";
import { logsProblems } from "../../../components/logs/requirements";
import { configProblems } from "../../helpers/config";
import { allImages, CHARTS, helmTemplate, helmUnavailable } from "../../helpers/helm";
import { fleet } from "./alloy/fixtures";

const MIRROR = "registry.internal:5000/mirror";
const NS = "akko-audit-logs";
const README = path.resolve(__dirname, "../../../README.md");
/** A self-signed CA made for these tests (openssl req -x509, EC P-256): nothing signed by it exists. */
const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUEMiOcx2jfc2hcsCapP14dxLCSqMwCgYIKoZIzj0EAwIw
LjEsMCoGA1UEAwwjYWtrby1hdWRpdCB0ZXN0IGNoYXJ0IHJlcG9zaXRvcnkgQ0Ew
IBcNMjYxMjAyMTMxMzIyWhgPMjEyNjExMDgxMzEzMjJaMC4xLDAqBgNVBAMMI2Fr
a28tYXVkaXQgdGVzdCBjaGFydCByZXBvc2l0b3J5IENBMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAENYEBAf6kBtlZWfD43/4XUwUNU3OG/vtTVrIsqyD1o+xVxHnE
IrMeG672la6BZ9zkQjNWQ+wrGCxp0IFi0S4LuqNTMFEwHQYDVR0OBBYEFL8koC64
aNlq/2EuIW/Cm9EbsM27MB8GA1UdIwQYMBaAFL8koC64aNlq/2EuIW/Cm9EbsM27
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgfQHxtk7Hzf5N49je
/ASRHqOMqu1N+ofGZXmIZQNNO3ICIQCfsNhYtAjhoPb7Fw0ciB00s/ibeGeE6ar1
+3UlMAgNwQ==
-----END CERTIFICATE-----
`;
const S3_ENDPOINT = { type: "s3", bucket: "akko-audit-loki", region: "eu-west-3", endpoint: "https://minio.internal:9000" };

type Doc = Record<string, any>;
const k3s = (config: StackConfig) => config.clusters.find((c) => c.kind === "k3s")!;
const docsOf = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJS() as Doc);
const helmChartOf = (config: StackConfig): Doc => docsOf(renderK3sAlloyManifest(config, k3s(config)).content).find((d) => d.kind === "HelmChart")!;

/** Every release the program installs, with the values it gives each (k3s: the HelmChart's own valuesContent). */
function releases(config: StackConfig): { name: string; chart: string; values: Record<string, unknown> }[] {
    const logs = config.logs;
    const s3 = fleet({ ...logsBlock(logs), mode: "SimpleScalable", objectStorage: { ...S3_ENDPOINT, credentialsSecret: "s3" } }, ["s3"]).logs;
    return [
        { name: "loki SingleBinary", chart: CHARTS.loki, values: lokiValues(logs) },
        { name: "loki SimpleScalable", chart: CHARTS.loki, values: lokiValues(s3) },
        { name: "grafana", chart: CHARTS.grafana, values: grafanaValues(logs, "http://loki-gateway", "akko-audit") },
        { name: "central alloy", chart: CHARTS.alloy, values: centralValues(logs, [9000], true) },
        { name: "openshift alloy", chart: CHARTS.alloy, values: nodeAgentValues(logs, "openshift-api", OPENSHIFT_AUDIT_LOG_PATH) },
        { name: "k3s alloy", chart: CHARTS.alloy, values: parse(helmChartOf(config).spec.valuesContent) },
    ];
}
/** The user-written part of a validated logs block that the releases depend on (for a variant of it). */
const logsBlock = (logs: LogsConfig) => ({ mirrors: logs.mirrors, ...(logs.images ? { images: logs.images } : {}) });

/** helm template is the slow part (about 0.4 s a render): each distinct release is rendered once per run. */
const rendered = new Map<string, Doc[]>();
function render(chart: string, release: string, namespace: string, values: Record<string, unknown>): Doc[] {
    const key = JSON.stringify([chart, release, namespace, values]);
    let out = rendered.get(key);
    if (!out) rendered.set(key, (out = helmTemplate(chart, release, namespace, values)));
    return out;
}

function imagesOf(config: StackConfig): Map<string, string[]> {
    return new Map(releases(config).map((r) => [r.name, allImages(render(r.chart, r.name.split(" ")[0], NS, r.values))]));
}

/** An image reference without its registry (the first path part when it names a host). */
const withoutRegistry = (image: string) => image.replace(/^[^/]*[.:][^/]*\//, "").replace(/^localhost\//, "");

/** The images the README's air-gapped section lists (its table of what the mirror must hold). */
function readmeImages(): string[] {
    const text = fs.readFileSync(README, "utf8");
    const section = text.slice(text.indexOf("### Air-gapped sites"), text.indexOf("\n## ", text.indexOf("### Air-gapped sites")));
    return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]).sort();
}

describe("air-gapped sites: the real charts under helm template", function () {
    before(function () {
        const why = helmUnavailable();
        if (why) {
            console.log(`      skipped: ${why}`);
            this.skip();
        }
    });

    it("with mirrors.imageRegistry set, every image of every release comes from the mirror", () => {
        const images = imagesOf(fleet({ mirrors: { imageRegistry: MIRROR } }));
        for (const [release, list] of images) {
            assert.ok(list.length > 0, `${release} pulls no image`);
            for (const image of list) assert.ok(image.startsWith(`${MIRROR}/`), `${release}: ${image} does not come from ${MIRROR}`);
        }
        assert.deepEqual(Object.fromEntries(images), {
            "loki SingleBinary": [`${MIRROR}/grafana/loki:3.7.6`, `${MIRROR}/nginxinc/nginx-unprivileged:1.31-alpine`],
            "loki SimpleScalable": [`${MIRROR}/grafana/loki:3.7.6`, `${MIRROR}/nginxinc/nginx-unprivileged:1.31-alpine`],
            grafana: [`${MIRROR}/grafana/grafana:13.2.0`, `${MIRROR}/kiwigrid/k8s-sidecar:2.10.1`],
            "central alloy": [
                `${MIRROR}/grafana/alloy:v1.18.1`,
                `${MIRROR}/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1`,
            ],
            "openshift alloy": [
                `${MIRROR}/grafana/alloy:v1.18.1`,
                `${MIRROR}/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1`,
            ],
            "k3s alloy": [
                `${MIRROR}/grafana/alloy:v1.18.1`,
                `${MIRROR}/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1`,
            ],
        });
    });

    it("the README lists exactly the upstream images the releases pull, and the mirror holds each under the same path", () => {
        const upstream = [...new Set([...imagesOf(fleet()).values()].flat())].sort();
        assert.deepEqual(readmeImages(), upstream);
        const mirrored = [...new Set([...imagesOf(fleet({ mirrors: { imageRegistry: MIRROR } })).values()].flat())].sort();
        assert.deepEqual(mirrored, [...new Set(upstream.map((i) => `${MIRROR}/${withoutRegistry(i)}`))].sort());
    });

    it("no usage reports: Loki's analytics, Grafana's analytics and update checks, Alloy's reporting all off", () => {
        const config = fleet();
        const loki = render(CHARTS.loki, "loki", NS, lokiValues(config.logs));
        const lokiConfig = parse(loki.find((m) => m.kind === "ConfigMap" && m.metadata.name === "loki")!.data["config.yaml"]);
        assert.deepEqual(lokiConfig.analytics, { reporting_enabled: false });
        const grafana = render(CHARTS.grafana, "grafana", NS, grafanaValues(config.logs, "http://loki-gateway", "akko-audit"));
        const ini: string = grafana.find((m) => m.kind === "ConfigMap" && m.metadata.name === "grafana")!.data["grafana.ini"];
        const analytics = ini.slice(ini.indexOf("[analytics]"), ini.indexOf("\n[", ini.indexOf("[analytics]") + 1));
        assert.deepEqual(analytics.trim().split("\n"), [
            "[analytics]",
            "check_for_plugin_updates = false",
            "check_for_updates = false",
            "reporting_enabled = false",
        ]);
        for (const r of releases(config).filter((x) => x.chart === CHARTS.alloy)) {
            const ds = render(CHARTS.alloy, r.name.split(" ")[0], NS, r.values).find((m) => m.kind === "DaemonSet" || m.kind === "Deployment")!;
            const alloy = ds.spec.template.spec.containers.find((c: Doc) => c.name === "alloy");
            assert.ok(alloy.args.includes("--disable-reporting"), `${r.name}: ${alloy.args.join(" ")}`);
        }
    });

    it("Loki has no cluster-wide Secret reader (the rules sidecar is off) and no gateway exporter", () => {
        const loki = render(CHARTS.loki, "loki", NS, lokiValues(fleet().logs));
        assert.deepEqual(loki.find((m) => m.kind === "ClusterRole" && m.metadata.name === "loki-clusterrole")!.rules, []);
        const gateway = loki.find((m) => m.kind === "Deployment" && m.metadata.name === "loki-gateway")!;
        assert.deepEqual(
            gateway.spec.template.spec.containers.map((c: Doc) => c.name),
            ["nginx"],
        );
    });

    it("S3-compatible endpoint: path-style in Loki's config; AWS: virtual-hosted; pathStyle: false overrides", () => {
        const s3Config = (objectStorage: Record<string, unknown>) => {
            const logs = fleet({ mode: "SimpleScalable", objectStorage }).logs;
            const cm = render(CHARTS.loki, "loki", NS, lokiValues(logs)).find((m) => m.kind === "ConfigMap" && m.metadata.name === "loki")!;
            return parse(cm.data["config.yaml"]).common.storage.s3;
        };
        const minio = s3Config(S3_ENDPOINT);
        assert.deepEqual([minio.endpoint, minio.s3forcepathstyle], ["https://minio.internal:9000", true]);
        const aws = s3Config({ type: "s3", bucket: "akko-audit-loki", region: "eu-west-3" });
        assert.deepEqual([aws.endpoint, aws.s3forcepathstyle], [undefined, false]);
        assert.equal(s3Config({ ...S3_ENDPOINT, pathStyle: false }).s3forcepathstyle, false);
    });

    it("k3s: a chart packed into the HelmChart (chartContent) is the file's bytes and renders with the manifest's own values", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "akko-airgap-project-"));
        try {
            fs.mkdirSync(path.join(project, "charts"));
            fs.copyFileSync(CHARTS.alloy, path.join(project, "charts", "alloy-1.11.1.tgz"));
            const config = fleet(
                { mirrors: { imageRegistry: MIRROR, chartRepository: "https://charts.internal/helm", k3sAlloyChartFile: "charts/alloy-1.11.1.tgz" } },
                [],
                project,
            );
            const spec = helmChartOf(config).spec;
            // Packed: nothing is fetched, so no repository, CA or credentials in the HelmChart.
            assert.deepEqual(Object.keys(spec).sort(), ["chart", "chartContent", "targetNamespace", "valuesContent", "version"]);
            const packed = Buffer.from(spec.chartContent, "base64");
            assert.ok(packed.equals(fs.readFileSync(CHARTS.alloy)));
            fs.writeFileSync(path.join(project, "from-manifest.tgz"), packed);
            const images = allImages(helmTemplate(path.join(project, "from-manifest.tgz"), "alloy", "akko-audit", parse(spec.valuesContent)));
            assert.ok(images.length === 2 && images.every((i) => i.startsWith(`${MIRROR}/`)), images.join(", "));
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });
});

describe("air-gapped sites: chart repositories and hardened clusters (rendered manifests)", () => {
    it("k3s HelmChart: repository, plain-config CA inline, secret CA and credentials by reference, plain HTTP", () => {
        const plain = helmChartOf(fleet({ mirrors: { chartRepository: "https://charts.internal/helm", chartRepositoryCa: TEST_CA } })).spec;
        assert.deepEqual([plain.chart, plain.repo, plain.version, plain.repoCA], ["alloy", "https://charts.internal/helm", "1.11.1", TEST_CA]);
        assert.equal(plain.authSecret, undefined);
        const secret = helmChartOf(
            fleet(
                {
                    mirrors: {
                        chartRepository: "oci://registry.internal:5000/charts",
                        chartRepositoryCaSecret: "repoCa",
                        chartRepositoryAuthSecret: "repoAuth",
                        chartRepositoryPlainHttp: true,
                    },
                },
                ["repoCa", "repoAuth"],
            ),
        ).spec;
        assert.equal(secret.chart, "oci://registry.internal:5000/charts/alloy");
        assert.deepEqual(
            [secret.repo, secret.repoCA, secret.repoCAConfigMap, secret.authSecret, secret.plainHTTP],
            [undefined, undefined, { name: "akko-audit-chart-repo-ca" }, { name: "akko-audit-chart-repo-auth" }, true],
        );
        // Upstream by default: no CA, credentials or plain HTTP.
        const upstream = helmChartOf(fleet()).spec;
        assert.deepEqual(
            [upstream.repo, upstream.repoCA, upstream.authSecret, upstream.plainHTTP, upstream.chartContent],
            ["https://grafana.github.io/helm-charts", undefined, undefined, undefined, undefined],
        );
    });

    it("k3s chart repository manifest: basic-auth Secret and CA ConfigMap in kube-system, where helm-controller reads them", () => {
        const docs = docsOf(renderK3sChartRepoManifest({ auth: "mirror-reader:pa:ss", ca: TEST_CA }).content);
        assert.deepEqual(docs, [
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "akko-audit-chart-repo-auth", namespace: "kube-system" },
                type: "kubernetes.io/basic-auth",
                data: { username: Buffer.from("mirror-reader").toString("base64"), password: Buffer.from("pa:ss").toString("base64") },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "akko-audit-chart-repo-ca", namespace: "kube-system" },
                data: { "ca.crt": TEST_CA },
            },
        ]);
    });

    it("k3s namespace: Pod Security level privileged (hostPath audit log, root), enforce, audit and warn", () => {
        const ns = docsOf(renderK3sAlloyManifest(fleet(), k3s(fleet())).content).find((d) => d.kind === "Namespace")!;
        assert.deepEqual(ns.metadata, {
            name: "akko-audit",
            labels: {
                "pod-security.kubernetes.io/enforce": "privileged",
                "pod-security.kubernetes.io/audit": "privileged",
                "pod-security.kubernetes.io/warn": "privileged",
            },
        });
    });
});

describe("air-gapped config: one line per problem", () => {
    const project = (files: Record<string, Buffer>) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "akko-airgap-cfg-"));
        for (const [f, b] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), b);
        return dir;
    };

    it("schema: CA not PEM, chart file outside the project or not a .tgz, plainHttp and pathStyle not booleans", () => {
        assert.deepEqual(
            configProblems(() => fleet({ mirrors: { chartRepositoryCa: "MIIBszCCAVmg" } })),
            [
                'akko-audit:logs: field mirrors.chartRepositoryCa: got "MIIBszCCAVmg"; allowed: PEM text of one or more CA certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
            ],
        );
        for (const file of ["../alloy.tgz", "/srv/alloy.tgz", "charts/alloy.zip"]) {
            assert.deepEqual(
                configProblems(() => fleet({ mirrors: { k3sAlloyChartFile: file } })),
                [
                    `akko-audit:logs: field mirrors.k3sAlloyChartFile: got ${JSON.stringify(file)}; allowed: a relative path to a .tgz file such as charts/alloy-1.11.1.tgz`,
                ],
            );
        }
        assert.deepEqual(
            configProblems(() => fleet({ mirrors: { chartRepositoryPlainHttp: "yes" } })),
            ['akko-audit:logs: field mirrors.chartRepositoryPlainHttp: got "yes"; allowed: true or false'],
        );
        assert.deepEqual(
            configProblems(() => fleet({ mode: "SimpleScalable", objectStorage: { ...S3_ENDPOINT, pathStyle: "on" } })),
            ['akko-audit:logs: field objectStorage.pathStyle: got "on"; allowed: true or false'],
        );
    });

    it("chart file: missing, too large for a HelmChart, not gzip", () => {
        const dir = project({ "big.tgz": Buffer.alloc(MAX_K3S_CHART_BYTES + 1, 0x1f), "plain.tgz": Buffer.from("not gzip") });
        try {
            const problems = (file: string) => configProblems(() => fleet({ mirrors: { k3sAlloyChartFile: file } }, [], dir));
            const allowedText = "allowed: a .tgz of the Alloy chart (helm pull), inside the project, at most 768 KiB";
            assert.deepEqual(problems("gone.tgz"), [
                `akko-audit:logs: field mirrors.k3sAlloyChartFile: got "gone.tgz", but ${path.join(dir, "gone.tgz")} does not exist; ${allowedText}`,
            ]);
            assert.deepEqual(problems("big.tgz"), [`akko-audit:logs: field mirrors.k3sAlloyChartFile: got "big.tgz" (786433 bytes); ${allowedText}`]);
            assert.deepEqual(problems("plain.tgz"), [
                `akko-audit:logs: field mirrors.k3sAlloyChartFile: got "plain.tgz" (not a gzip archive); ${allowedText}`,
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("cross-field: CA twice, plain HTTP without an oci:// mirror, path-style off S3", () => {
        assert.deepEqual(logsProblems(fleet({ mirrors: { chartRepositoryCa: TEST_CA, chartRepositoryCaSecret: "repoCa" } }, ["repoCa"])), [
            `akko-audit:logs: field mirrors.chartRepositoryCaSecret: got "repoCa" with mirrors.chartRepositoryCa also set; allowed: one of the two (the CA's PEM in plain config or in secret config)`,
        ]);
        assert.deepEqual(logsProblems(fleet({ mirrors: { chartRepository: "http://charts.internal", chartRepositoryPlainHttp: true } })), [
            "akko-audit:logs: field mirrors.chartRepositoryPlainHttp: got true; allowed: true only with an oci:// mirrors.chartRepository (an http:// repository URL is plain HTTP already)",
        ]);
        assert.deepEqual(
            logsProblems(fleet({ mode: "SimpleScalable", objectStorage: { type: "gcs", bucket: "akko-audit-loki", pathStyle: true } })),
            [
                "akko-audit:logs: field objectStorage.pathStyle: got true; allowed: only with type s3 (path-style is how S3-compatible stores address buckets)",
            ],
        );
        assert.deepEqual(
            logsProblems(fleet({ mirrors: { chartRepository: "oci://registry.internal:5000/charts", chartRepositoryPlainHttp: true } })),
            [],
        );
    });

    it("the repository's CA and credentials secrets must be set as secret config", () => {
        assert.deepEqual(
            configProblems(() => fleet({ mirrors: { chartRepositoryAuthSecret: "repoAuth", chartRepositoryCaSecret: "repoCa" } })),
            [
                'akko-audit:logs: field mirrors.chartRepositoryCaSecret: got "repoCa", but akko-audit:repoCa is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:repoCa`',
                'akko-audit:logs: field mirrors.chartRepositoryAuthSecret: got "repoAuth", but akko-audit:repoAuth is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:repoAuth`',
            ],
        );
    });
});
