import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { fleet } from "./alloy/fixtures";
import { k3sAlloyManifests } from "../../../components/logs/alloy-shipper";
import { htpasswdLine } from "../../../components/logs/loki/htpasswd";

// The engine and Helm cannot run here: the real SDK runs under setMocks and records what would be registered.
type Mod = typeof import("../../../components/logs");

const secrets: Record<string, string> = {
    lokiPw: "gw-pa55",
    fhKey: "fh-key-1",
    gcpKey: '{"type":"service_account"}',
    ehConn: "Endpoint=sb://x/;SharedAccessKey=k",
};
const secret = (k: string) => pulumi.secret(secrets[k]);

describe("logs components (Pulumi mocks)", () => {
    let run: MockRun;
    let mod: Mod;

    beforeEach(async () => {
        // The random provider's result: a known password per RandomPassword (the push users').
        run = await setupMocks({ outputs: (type, name) => (type === "random:index/randomPassword:RandomPassword" ? { result: `pw-${name}` } : {}) });
        mod = await import("../../../components/logs/index.js");
    });

    it("LokiStack: namespace, htpasswd Secret (secret, bcrypt), the Loki release with the config's values", async () => {
        const config = fleet({ retentionDays: 90 });
        new mod.LokiStack("logs", { logs: config.logs, namespace: "akko-audit-logs", gatewayUser: "akko-audit", gatewayPassword: secret("lokiPw") });
        await settle();
        assert.deepEqual(run.resources.map((r) => `${r.type}/${r.name}`).sort(), [
            "akko:audit:LokiStack/logs",
            "kubernetes:core/v1:Namespace/logs-ns",
            "kubernetes:core/v1:Secret/logs-gateway-auth",
            "kubernetes:helm.sh/v3:Release/logs-loki",
        ]);
        const auth = run.one("kubernetes:core/v1:Secret", "logs-gateway-auth");
        assert.deepEqual(auth.secretInputs, ["stringData"]);
        assert.match(auth.inputs.stringData[".htpasswd"], /^akko-audit:\$2b\$10\$[./A-Za-z0-9]{53}\n$/);
        assert.equal(auth.inputs.metadata.name, "akko-audit-loki-gateway");
        const rel = run.one("kubernetes:helm.sh/v3:Release", "logs-loki");
        assert.equal(rel.inputs.chart, "oci://ghcr.io/grafana-community/helm-charts/loki");
        assert.equal(rel.inputs.version, "18.11.0");
        assert.equal(rel.inputs.namespace, "akko-audit-logs");
        assert.equal(rel.inputs.values.loki.limits_config.retention_period, "2160h");
        assert.equal(rel.inputs.values.gateway.basicAuth.existingSecret, "akko-audit-loki-gateway");
        assert.ok(!JSON.stringify(rel.inputs).includes("gw-pa55"));
        assert.ok(rel.dependencies.includes(auth.urn));
        assert.equal(auth.parent, run.one("akko:audit:LokiStack", "logs").urn);
        // Destroy keeps Loki's data: the namespace (and so the volume claims) stays; the release is uninstalled
        // and its StatefulSet has no claim retention policy (Kubernetes keeps the claims).
        assert.deepEqual(run.resources.map((r) => `${r.name} retain=${r.retainOnDelete} protect=${r.protect}`).sort(), [
            "logs retain=false protect=false",
            "logs-gateway-auth retain=false protect=false",
            "logs-loki retain=false protect=false",
            "logs-ns retain=true protect=false",
        ]);
        assert.deepEqual(rel.inputs.values.singleBinary.persistence, {
            enabled: true,
            size: "50Gi",
            storageClass: null,
            enableStatefulSetAutoDeletePVC: false,
        });
    });

    it("LokiStack air-gapped: chart from the mirror, images from the registry", async () => {
        const config = fleet({ mirrors: { imageRegistry: "registry.internal:5000/mirror", chartRepository: "https://charts.internal/helm" } });
        new mod.LokiStack("logs", { logs: config.logs, namespace: "ns", gatewayUser: "u", gatewayPassword: secret("lokiPw") });
        await settle();
        const rel = run.one("kubernetes:helm.sh/v3:Release", "logs-loki");
        assert.equal(rel.inputs.chart, "loki");
        assert.deepEqual(rel.inputs.repositoryOpts, { repo: "https://charts.internal/helm" });
        assert.deepEqual(rel.inputs.values.global, { imageRegistry: "registry.internal:5000/mirror" });
    });

    it("LokiStack SimpleScalable: the storage credentials Secret is secret and split per type", async () => {
        const config = fleet(
            { mode: "SimpleScalable", objectStorage: { type: "s3", bucket: "akko-loki", region: "eu-west-3", credentialsSecret: "s3Creds" } },
            ["s3Creds"],
        );
        new mod.LokiStack("logs", {
            logs: config.logs,
            namespace: "ns",
            gatewayUser: "u",
            gatewayPassword: secret("lokiPw"),
            storageCredentials: pulumi.secret("AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG"),
        });
        await settle();
        const st = run.one("kubernetes:core/v1:Secret", "logs-storage");
        assert.deepEqual([st.secretInputs, st.inputs.metadata.name], [["stringData"], "akko-audit-loki-storage"]);
        assert.deepEqual(st.inputs.stringData, { S3_ACCESS_KEY_ID: "AKIAEXAMPLE", S3_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG" });
        const rel = run.one("kubernetes:helm.sh/v3:Release", "logs-loki");
        assert.ok(rel.dependencies.includes(st.urn));
        assert.ok(!JSON.stringify(rel.inputs).includes("wJalrXUtnFEMI"));
        // The chart turns claim deletion on for backend by default: pinned off for the StatefulSets with volumes.
        const v = rel.inputs.values;
        assert.deepEqual(
            [v.write.persistence, v.backend.persistence],
            [{ enableStatefulSetAutoDeletePVC: false }, { enableStatefulSetAutoDeletePVC: false }],
        );
    });

    it("LokiStack Distributed: the Azure account key goes to the storage Secret, never to the release", async () => {
        const config = fleet(
            { mode: "Distributed", objectStorage: { type: "azure", bucket: "akko-loki", accountName: "akkoaudit", credentialsSecret: "azKey" } },
            ["azKey"],
        );
        new mod.LokiStack("logs", {
            logs: config.logs,
            namespace: "ns",
            gatewayUser: "u",
            gatewayPassword: secret("lokiPw"),
            storageCredentials: pulumi.secret("c2VjcmV0LWF6dXJlLWtleQ=="),
        });
        await settle();
        const st = run.one("kubernetes:core/v1:Secret", "logs-storage");
        assert.deepEqual([st.secretInputs, st.inputs.stringData], [["stringData"], { AZURE_ACCOUNT_KEY: "c2VjcmV0LWF6dXJlLWtleQ==" }]);
        const rel = run.one("kubernetes:helm.sh/v3:Release", "logs-loki");
        assert.ok(rel.dependencies.includes(st.urn));
        assert.ok(!JSON.stringify(rel.inputs).includes("c2VjcmV0LWF6dXJlLWtleQ"));
        assert.deepEqual(
            [rel.inputs.values.deploymentMode, rel.inputs.values.ingester.persistence.enableStatefulSetAutoDeletePVC],
            ["Distributed", false],
        );
    });

    it("AlloyShipper central: config map, env Secret (all secret), GCP key Secret, Firehose ingress with TLS, release", async () => {
        const config = fleet();
        const a = new mod.AlloyShipper("central", {
            config,
            target: "central",
            namespace: "akko-audit-logs",
            secret,
            pushPasswords: { "akko-audit-central": pulumi.secret("central-pa55") },
        });
        await settle();
        const env = run.one("kubernetes:core/v1:Secret", "central-env");
        assert.deepEqual(env.secretInputs, ["stringData"]);
        assert.deepEqual(env.inputs.stringData, {
            LOKI_PASSWORD: "central-pa55",
            FIREHOSE_ACCESS_KEY_PAYMENTS_EU: "fh-key-1",
            EVENTHUB_CONNECTION_STRING_HDS_SANTE: secrets.ehConn,
        });
        const gcp = run.one("kubernetes:core/v1:Secret", "central-gcp");
        assert.deepEqual(gcp.secretInputs, ["stringData"]);
        const cm = run.one("kubernetes:core/v1:ConfigMap", "central-config");
        assert.equal(cm.inputs.data["config.alloy"], a.alloyConfig);
        for (const s of Object.values(secrets)) assert.ok(!a.alloyConfig.includes(s), "no secret in the config text");
        assert.ok(a.alloyConfig.includes('url = "http://loki-gateway.akko-audit-logs.svc.cluster.local/loki/api/v1/push"'));
        const ing = run.one("kubernetes:networking.k8s.io/v1:Ingress", "central-firehose");
        assert.deepEqual(ing.inputs.spec.tls, [{ hosts: ["firehose-payments.example.net"], secretName: "akko-audit-firehose-tls" }]);
        assert.equal(ing.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
        assert.equal(ing.inputs.spec.rules[0].http.paths[0].backend.service.port.number, 9000);
        const rel = run.one("kubernetes:helm.sh/v3:Release", "central-alloy");
        assert.equal(rel.inputs.values.controller.type, "deployment");
        assert.deepEqual(rel.inputs.values.alloy.configMap, { create: false, name: "akko-audit-alloy-config", key: "config.alloy" });
        assert.deepEqual(rel.inputs.values.alloy.extraEnv, [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/alloy/gcp/key.json" }]);
        assert.deepEqual(rel.inputs.values.alloy.extraPorts, [{ name: "firehose-9000", port: 9000, targetPort: 9000, protocol: "TCP" }]);
        assert.ok([env.urn, gcp.urn, cm.urn].every((u) => rel.dependencies.includes(u)));
    });

    it("AlloyShipper central: an empty receiver credential fails the deployment, naming the key and the field, never the value", async () => {
        const { nonEmptySecret, centralPlan } = await import("../../../components/logs/alloy/plan.js");
        const plan = centralPlan(fleet());
        const byEnv = Object.fromEntries(plan.env.map((e) => [e.env, e]));
        const failure = async (env: string, value: string) => {
            const e = byEnv[env];
            assert.ok("secretKey" in e);
            const out = nonEmptySecret(pulumi.secret(value), e);
            // Output.promise() is the SDK's own (internal) way to await a value; a rejection is what fails `pulumi up`.
            return (out as unknown as { promise(): Promise<string> }).promise().then(
                () => undefined,
                (err: Error) => err.message,
            );
        };
        assert.equal(
            await failure("FIREHOSE_ACCESS_KEY_PAYMENTS_EU", ""),
            "cluster payments-eu: field firehoseAccessKeySecret: secret akko-audit:fhKey is empty; allowed: a non-empty value (empty, loki.source.awsfirehose would accept a push from anyone); set it with `pulumi config set --secret akko-audit:fhKey`",
        );
        assert.equal(
            await failure("EVENTHUB_CONNECTION_STRING_HDS_SANTE", " \n"),
            "akko-audit:logs: field receivers.eventHubs.hds-sante.connectionStringSecret: secret akko-audit:ehConn is empty; allowed: a non-empty value (empty, loki.source.azure_event_hubs would read nothing, silently); set it with `pulumi config set --secret akko-audit:ehConn`",
        );
        assert.equal(await failure("FIREHOSE_ACCESS_KEY_PAYMENTS_EU", "fh-key-1"), undefined);
        // Every credential of the central Alloy read from secret config goes through the check; its own
        // push password is generated (never empty), not read from config.
        assert.deepEqual(
            plan.env.filter((e) => "secretKey" in e).map((e) => e.env),
            ["FIREHOSE_ACCESS_KEY_PAYMENTS_EU", "EVENTHUB_CONNECTION_STRING_HDS_SANTE"],
        );
        assert.deepEqual(
            plan.env.filter((e) => "pushPassword" in e).map((e) => e.env),
            ["LOKI_PASSWORD"],
        );
        const kept = nonEmptySecret(
            pulumi.secret("fh-key-1"),
            byEnv.FIREHOSE_ACCESS_KEY_PAYMENTS_EU as { secretKey: string; field: string; ifEmpty: string },
        );
        assert.deepEqual(await resolve(kept), { value: "fh-key-1", secret: true });
    });

    it("AlloyShipper central with an empty Firehose access key: neither the env Secret nor the release is registered", async () => {
        // The SDK reports the failed input as a rejected registration (the engine then fails the preview or up).
        const rejections: string[] = [];
        const onRejection = (e: unknown) => rejections.push(String(e));
        process.on("unhandledRejection", onRejection);
        try {
            const empty: Record<string, string> = { ...secrets, fhKey: "" };
            new mod.AlloyShipper("central", {
                config: fleet(),
                target: "central",
                namespace: "ns",
                secret: (k) => pulumi.secret(empty[k]),
                pushPasswords: { "akko-audit-central": pulumi.secret("central-push") },
            });
            await settle();
            await new Promise((r) => setTimeout(r, 200));
        } finally {
            process.off("unhandledRejection", onRejection);
        }
        assert.deepEqual(run.resources.map((r) => r.name).sort(), ["central", "central-config", "central-firehose", "central-gcp"]);
        assert.ok(rejections.length > 0);
        for (const r of rejections)
            assert.ok(
                r.endsWith(
                    "cluster payments-eu: field firehoseAccessKeySecret: secret akko-audit:fhKey is empty; allowed: a non-empty value (empty, loki.source.awsfirehose would accept a push from anyone); set it with `pulumi config set --secret akko-audit:fhKey`",
                ),
                r,
            );
    });

    it("AlloyShipper OpenShift fallback: DaemonSet on masters, host audit log mounted read-only, privileged SCC", async () => {
        const config = fleet();
        const ocp = config.clusters.find((c) => c.kind === "openshift")!;
        assert.ok(ocp.kind === "openshift");
        new mod.AlloyShipper("ocp", {
            config,
            target: ocp,
            namespace: "akko-audit",
            secret,
            pushPasswords: { [`akko-audit-push-${ocp.name}`]: pulumi.secret("ocp-pa55") },
        });
        await settle();
        const v = run.one("kubernetes:helm.sh/v3:Release", "ocp-alloy").inputs.values;
        assert.equal(v.controller.type, "daemonset");
        assert.deepEqual(v.controller.nodeSelector, { "node-role.kubernetes.io/master": "" });
        assert.deepEqual(v.alloy.mounts.extra[0], { name: "audit-log", mountPath: "/var/log/kube-apiserver", readOnly: true });
        assert.deepEqual(v.controller.volumes.extra[0], { name: "audit-log", hostPath: { path: "/var/log/kube-apiserver", type: "Directory" } });
        assert.equal(
            run.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "ocp-scc").inputs.roleRef.name,
            "system:openshift:scc:privileged",
        );
        assert.ok(
            run
                .one("kubernetes:core/v1:ConfigMap", "ocp-config")
                .inputs.data["config.alloy"].includes('url = "https://loki.example.net/loki/api/v1/push"'),
        );
    });

    it("AuditDashboard: a ConfigMap labelled grafana_dashboard=1 with the dashboard JSON", async () => {
        new mod.AuditDashboard("dash", { namespace: "monitoring" });
        await settle();
        const cm = run.one("kubernetes:core/v1:ConfigMap", "dash-dashboard");
        assert.deepEqual(cm.inputs.metadata.labels, { grafana_dashboard: "1" });
        assert.equal(JSON.parse(cm.inputs.data["audit-trail.json"]).uid, "akko-audit-trail");
    });

    it("AuditDashboard with Grafana: generated admin password (secret), sidecar on, Loki provisioned with basic auth", async () => {
        run = await setupMocks({
            outputs: (type) => (type === "random:index/randomPassword:RandomPassword" ? { result: "generated-admin-pw" } : {}),
        });
        const config = fleet({ deployGrafana: true, mirrors: { imageRegistry: "registry.internal:5000/mirror" } });
        new mod.AuditDashboard("dash", {
            namespace: "akko-audit-logs",
            grafana: {
                logs: config.logs,
                lokiUrl: "http://loki-gateway.akko-audit-logs.svc.cluster.local",
                lokiUser: "akko-audit",
                lokiPassword: secret("lokiPw"),
            },
        });
        await settle();
        assert.equal(run.one("random:index/randomPassword:RandomPassword", "dash-grafana-admin").inputs.length, 32);
        const admin = run.one("kubernetes:core/v1:Secret", "dash-grafana-admin");
        assert.deepEqual(admin.secretInputs, ["stringData"]);
        assert.equal(admin.inputs.stringData["admin-password"], "generated-admin-pw");
        const env = run.one("kubernetes:core/v1:Secret", "dash-grafana-env");
        assert.deepEqual([env.secretInputs, env.inputs.stringData], [["stringData"], { LOKI_PASSWORD: "gw-pa55" }]);
        const rel = run.one("kubernetes:helm.sh/v3:Release", "dash-grafana");
        assert.deepEqual(
            [rel.inputs.chart, rel.inputs.repositoryOpts.repo, rel.inputs.version],
            ["grafana", "https://grafana-community.github.io/helm-charts", "12.11.1"],
        );
        const v = rel.inputs.values;
        assert.deepEqual(v.sidecar.dashboards, { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" });
        assert.deepEqual(v.admin, { existingSecret: "akko-audit-grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        const ds = v.datasources["datasources.yaml"].datasources[0];
        assert.deepEqual(
            [ds.type, ds.url, ds.basicAuth, ds.basicAuthUser, ds.secureJsonData],
            ["loki", "http://loki-gateway.akko-audit-logs.svc.cluster.local", true, "akko-audit", { basicAuthPassword: "$LOKI_PASSWORD" }],
        );
        assert.deepEqual(v.global, { imageRegistry: "registry.internal:5000/mirror" });
        assert.ok(!JSON.stringify(rel.inputs).includes("gw-pa55") && !JSON.stringify(rel.inputs).includes("generated-admin-pw"));
    });

    it("LogsLayer: everything for the fleet, children named from the layer, OpenShift agent on its own provider", async () => {
        const config = fleet({ kubeconfigSecret: "kc" });
        const layer = new mod.LogsLayer("audit", { config, secret });
        await settle();
        assert.deepEqual(
            run.resources
                .filter((r) => r.type.startsWith("akko:") || r.type.startsWith("pulumi:providers"))
                .map((r) => `${r.type}/${r.name}`)
                .sort(),
            [
                "akko:audit:AlloyShipper/audit-central",
                "akko:audit:AlloyShipper/audit-openshift-ocp-core",
                "akko:audit:AuditDashboard/audit-dashboard",
                "akko:audit:LogsLayer/audit",
                "akko:audit:LokiStack/audit-loki",
                "pulumi:providers:kubernetes/audit-openshift-ocp-core-provider",
                "pulumi:providers:kubernetes/audit-provider",
            ],
        );
        const logsProvider = run.one("pulumi:providers:kubernetes", "audit-provider");
        assert.deepEqual(logsProvider.secretInputs, ["kubeconfig"]);
        assert.ok(run.one("kubernetes:helm.sh/v3:Release", "audit-loki-loki").provider.startsWith(logsProvider.urn));
        assert.ok(
            run
                .one("kubernetes:helm.sh/v3:Release", "audit-openshift-ocp-core-alloy")
                .provider.startsWith(run.one("pulumi:providers:kubernetes", "audit-openshift-ocp-core-provider").urn),
        );
        assert.deepEqual(Object.keys(layer.k3sManifests), ["edge-paris"]);
        assert.deepEqual(
            run.byType("random:index/randomPassword:RandomPassword").map((r) => [r.name, r.inputs.length, r.inputs.special]),
            [
                ["audit-akko-audit-push-edge-paris", 40, false],
                ["audit-akko-audit-push-ocp-core", 40, false],
                ["audit-akko-audit-central", 40, false],
            ],
            "one generated password per push user, none for Grafana by default",
        );
    });

    it("LogsLayer, ClusterLogForwarder mode: the forwarder on OpenShift, an authenticated OTLP receiver behind a TLS ingress", async () => {
        const config = fleet({
            openshiftForwarder: "clusterLogForwarder",
            ingress: { className: "nginx", clusterIssuer: "letsencrypt", lokiHost: "loki.example.net", receiversHost: "receivers.example.net" },
        });
        new mod.LogsLayer("audit", { config, secret });
        await settle();
        assert.equal(run.byType("akko:audit:AlloyShipper").length, 1, "only the central Alloy");
        const fwd = run.one("akko:audit:OpenShiftLogForwarder", "audit-openshift-ocp-core");
        const clf = run.one("kubernetes:observability.openshift.io/v1:ClusterLogForwarder", "audit-openshift-ocp-core-clf");
        assert.equal(clf.parent, fwd.urn);
        assert.equal(clf.inputs.spec.outputs[0].otlp.url, "https://receivers.example.net/otlp/ocp-core/v1/logs");
        const cred = run.one("kubernetes:core/v1:Secret", "audit-openshift-ocp-core-credentials");
        // The forwarder's own push user and generated password: they open only its cluster's receiver.
        assert.deepEqual(
            [cred.secretInputs, cred.inputs.stringData],
            [["stringData"], { username: "akko-audit-push-ocp-core", password: "pw-audit-akko-audit-push-ocp-core" }],
        );
        assert.ok(
            [
                cred.urn,
                run.one("kubernetes:core/v1:ServiceAccount", "audit-openshift-ocp-core-sa").urn,
                run.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "audit-openshift-ocp-core-audit").urn,
            ].every((u) => clf.dependencies.includes(u)),
        );
        assert.ok(clf.provider.startsWith(run.one("pulumi:providers:kubernetes", "audit-openshift-ocp-core-provider").urn));
        const env = run.one("kubernetes:core/v1:Secret", "audit-central-env");
        assert.equal(env.inputs.stringData.OTLP_HTPASSWD_OCP_CORE, htpasswdLine("akko-audit-push-ocp-core", "pw-audit-akko-audit-push-ocp-core"));
        const ing = run.one("kubernetes:networking.k8s.io/v1:Ingress", "audit-central-otlp");
        assert.deepEqual(ing.inputs.spec.tls, [{ hosts: ["receivers.example.net"], secretName: "akko-audit-otlp-tls" }]);
        assert.deepEqual(ing.inputs.spec.rules[0].http.paths, [
            { path: "/otlp/ocp-core/v1/logs", pathType: "Exact", backend: { service: { name: "alloy", port: { number: 9100 } } } },
        ]);
        assert.ok(
            run
                .one("kubernetes:helm.sh/v3:Release", "audit-central-alloy")
                .inputs.values.alloy.extraPorts.some((p: { port: number }) => p.port === 9100),
        );
    });

    it("LogsLayer access: the gateway's htpasswd has every user, each Alloy its own generated password, all secret", async () => {
        const config = fleet({ kubeconfigSecret: "kc", deleteApi: { enabled: true, passwordSecret: "lokiDel" } }, ["lokiDel"]);
        const layer = new mod.LogsLayer("audit", { config, secret: (k) => pulumi.secret(k === "lokiDel" ? "del-pa55" : secret(k)) });
        await settle();
        const gw = run.one("kubernetes:core/v1:Secret", "audit-loki-gateway-auth");
        assert.deepEqual(gw.secretInputs, ["stringData"]);
        assert.equal(
            gw.inputs.stringData[".htpasswd"],
            [
                htpasswdLine("akko-audit", "gw-pa55"),
                htpasswdLine("akko-audit-push-edge-paris", "pw-audit-akko-audit-push-edge-paris"),
                htpasswdLine("akko-audit-push-ocp-core", "pw-audit-akko-audit-push-ocp-core"),
                htpasswdLine("akko-audit-central", "pw-audit-akko-audit-central"),
                htpasswdLine("akko-audit-delete", "del-pa55"),
            ].join("\n") + "\n",
        );
        const nginx = run.one("kubernetes:helm.sh/v3:Release", "audit-loki-loki").inputs.values.gateway.nginxConfig;
        assert.ok(nginx.httpSnippet.includes('"akko-audit-push-edge-paris:edge-paris" "edge-paris";'));
        assert.ok(nginx.httpSnippet.includes('"akko-audit-delete" delete;'));
        assert.equal(run.one("kubernetes:core/v1:Secret", "audit-central-env").inputs.stringData.LOKI_PASSWORD, "pw-audit-akko-audit-central");
        const ocpEnv = run.one("kubernetes:core/v1:Secret", "audit-openshift-ocp-core-env");
        assert.deepEqual([ocpEnv.secretInputs, ocpEnv.inputs.stringData], [["stringData"], { LOKI_PASSWORD: "pw-audit-akko-audit-push-ocp-core" }]);
        const [plain, sec] = layer.k3sManifests["edge-paris"];
        assert.ok((plain.content as string).includes('username = "akko-audit-push-edge-paris"'));
        assert.match(plain.content as string, /stage\.tenant \{\s+value = "edge-paris"\s+\}/);
        const { value: text, secret: isSecret } = await resolve(sec.content);
        assert.equal(isSecret, true);
        assert.equal(parse(text).data.LOKI_PASSWORD, Buffer.from("pw-audit-akko-audit-push-edge-paris").toString("base64"));
        for (const r of run.resources) {
            const inputs = JSON.stringify(r.inputs);
            if (r.type !== "kubernetes:core/v1:Secret")
                assert.ok(!inputs.includes("pw-audit-") && !inputs.includes("del-pa55"), `${r.type}/${r.name}`);
        }
    });

    it("LogsLayer refuses deleteApi.enabled without its password, naming the field", () => {
        const config = fleet({ deleteApi: { enabled: true } });
        assert.throws(
            () => new mod.LogsLayer("audit", { config, secret }),
            /field deleteApi\.passwordSecret: missing; allowed: the name of a secret config key with the delete user's password \(deleteApi\.enabled is true\)/,
        );
    });

    it("LogsLayer refuses an undeployable config before registering anything", async () => {
        const config = fleet({ gatewayPasswordSecret: undefined });
        assert.throws(() => new mod.LogsLayer("audit", { config, secret }), /field gatewayPasswordSecret: missing/);
        await settle();
        assert.deepEqual(run.resources, []);
    });

    it("k3s manifests: HelmChart with the Alloy DaemonSet on servers only; the password only in the secret manifest", async () => {
        const config = fleet();
        const k3s = config.clusters.find((c) => c.kind === "k3s")!;
        assert.ok(k3s.kind === "k3s");
        const [plain, sec] = k3sAlloyManifests(config, k3s, secret("lokiPw"));
        assert.equal(plain.fileName, "akko-audit-alloy.yaml");
        const docs = (plain.content as string).split("---\n").map((d) => parse(d));
        assert.deepEqual(
            docs.map((d) => `${d.apiVersion} ${d.kind}`),
            ["v1 Namespace", "v1 ConfigMap", "helm.cattle.io/v1 HelmChart"],
        );
        const chart = docs[2];
        assert.deepEqual(
            { chart: chart.spec.chart, repo: chart.spec.repo, version: chart.spec.version, ns: chart.spec.targetNamespace },
            { chart: "alloy", repo: "https://grafana.github.io/helm-charts", version: "1.11.1", ns: "akko-audit" },
        );
        const values = parse(chart.spec.valuesContent);
        assert.equal(values.controller.type, "daemonset");
        assert.deepEqual(values.controller.nodeSelector, { "node-role.kubernetes.io/control-plane": "true" });
        assert.deepEqual(values.alloy.mounts.extra, [
            { name: "audit-log", mountPath: "/var/log", readOnly: true },
            { name: "alloy-state", mountPath: "/var/lib/alloy/data" },
        ]);
        assert.ok(docs[1].data["config.alloy"].includes('path_targets = [{"__path__" = "/var/log/k3s-audit.log"}]'));
        assert.ok(!(plain.content as string).includes("gw-pa55"));
        assert.equal(sec.fileName, "akko-audit-alloy-secret.yaml");
        const { value: text, secret: isSecret } = await resolve(sec.content);
        assert.equal(isSecret, true);
        assert.equal(parse(text).data.LOKI_PASSWORD, Buffer.from("gw-pa55").toString("base64"));
    });
});
