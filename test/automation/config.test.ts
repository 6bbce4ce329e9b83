import { strict as assert } from "node:assert";
import { ConfigError } from "../../components/config/errors";
import { describeConfigMap, toConfigMap, validateInput } from "../../automation/config";
import { setupMocks } from "../helpers/pulumi-mocks";
import { prodInput } from "./fixtures";

const K3S = {
    name: "edge",
    kind: "k3s" as const,
    sshPrivateKeySecret: "edgeKey",
    servers: [{ host: "192.0.2.1", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ" }],
};

/** The least a deployable stack needs in its logs block (gateway credentials, the public host k3s pushes to). */
const LOGS = {
    useAmbientKubeconfig: true,
    gatewayPasswordSecret: "lokiPassword",
    ingress: { clusterIssuer: "letsencrypt", lokiHost: "loki.example.net" },
};

describe("automation: config mapping", () => {
    it("maps clusters and logs to JSON config values and each secret to { value, secret: true }", () => {
        const input = prodInput();
        const map = toConfigMap("prod", input);
        // Pulumi.prod.yaml names its secrets; each becomes one secret config value.
        const secretNames = Object.keys(input.secrets!).sort();
        assert.ok(secretNames.includes("edgeSshKey") && secretNames.includes("ocpKubeconfig"));
        assert.deepEqual(Object.keys(map).sort(), ["akko-audit:clusters", ...secretNames.map((k) => `akko-audit:${k}`), "akko-audit:logs"].sort());
        assert.deepEqual(map["akko-audit:clusters"], { value: JSON.stringify(input.clusters) });
        assert.deepEqual(map["akko-audit:logs"], { value: JSON.stringify(input.logs) });
        assert.deepEqual(map["akko-audit:edgeSshKey"], { value: input.secrets!.edgeSshKey, secret: true });
        for (const k of secretNames) assert.deepEqual(map[`akko-audit:${k}`], { value: input.secrets![k], secret: true });
        assert.equal(Object.values(map).filter((v) => !v.secret).length, 2);
    });

    it("maps a minimal stack: clusters, logs, and secrets only as secret values", () => {
        assert.deepEqual(toConfigMap("dev", { clusters: [K3S], logs: LOGS, secrets: { edgeKey: "k", lokiPassword: "p" } }), {
            "akko-audit:clusters": { value: JSON.stringify([K3S]) },
            "akko-audit:logs": { value: JSON.stringify(LOGS) },
            "akko-audit:edgeKey": { value: "k", secret: true },
            "akko-audit:lokiPassword": { value: "p", secret: true },
        });
    });

    it("refuses, as `pulumi up` would, a stack whose logs layer cannot be deployed", () => {
        assert.throws(
            () => toConfigMap("dev", { clusters: [K3S], secrets: { edgeKey: "k" } }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepEqual(e.problems, [
                    "akko-audit:logs: field gatewayPasswordSecret: missing; allowed: the name of a secret config key with the password of Loki's gateway (nobody reads or writes Loki without it)",
                    "akko-audit:logs: field kubeconfigSecret: missing; allowed: the name of a secret config key with the logs cluster's kubeconfig, or useAmbientKubeconfig: true to use the current context of the ambient kubeconfig",
                    "akko-audit:logs: field ingress.lokiHost: missing; allowed: the public DNS name of Loki's gateway, which edge push to from outside the logs cluster",
                ]);
                return true;
            },
        );
    });

    it("what the program reads back under the SDK's mocks is the validated config (JSON and secrets round-trip)", async () => {
        const input = prodInput();
        const map = toConfigMap("prod", input);
        await setupMocks({
            config: Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.value])),
            secretKeys: Object.entries(map)
                .filter(([, v]) => v.secret)
                .map(([k]) => k),
        });
        const { loadStackConfig } = await import("../../components/deployable.js");
        const { secretConfig } = await import("../../components/config/pulumi.js");
        const fromProgram = loadStackConfig();
        const expected = validateInput("prod", input);
        assert.deepEqual(fromProgram.clusters, expected.clusters);
        assert.deepEqual(fromProgram.logs, expected.logs);
        assert.deepEqual(fromProgram.secretKeys, expected.secretKeys);
        assert.ok(expected.secretKeys.includes("edgeSshKey"));
        const key = secretConfig("edgeSshKey") as any;
        assert.equal(await key.isSecret, true);
        assert.equal(await new Promise((r) => key.apply(r)), input.secrets!.edgeSshKey);
    });

    it("rejects bad config before anything is set, every problem on its own line", () => {
        assert.throws(
            () =>
                toConfigMap("prod", {
                    clusters: [{ name: "payments-eu", kind: "eks", clusterName: "p", region: "eu-west-9" }, K3S],
                    secrets: { "bad key": "x" },
                }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepEqual(e.problems, [
                    `akko-audit: secret key "bad key": not a config key name; allowed: a letter, then letters, digits, '_' and '-'`,
                    'akko-audit:clusters[0] (cluster "payments-eu", kind eks): field region: got "eu-west-9"; allowed: an AWS region code such as eu-west-1 (see AWS_REGIONS in components/config/eks.ts)',
                    'akko-audit:clusters[1] (cluster "edge", kind k3s): field sshPrivateKeySecret: got "edgeKey", but akko-audit:edgeKey is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:edgeKey`',
                ]);
                return true;
            },
        );
    });

    it("rejects an empty secret, naming the key and never a value", () => {
        assert.throws(() => validateInput("dev", { clusters: [K3S], logs: LOGS, secrets: { edgeKey: "", lokiPassword: "p" } }), {
            message: "akko-audit:edgeKey: got an empty secret; allowed: a non-empty string",
        });
    });

    it("describeConfigMap shows secrets as [secret]", () => {
        const shown = describeConfigMap(toConfigMap("prod", prodInput()));
        assert.equal(shown["akko-audit:edgeSshKey"], "[secret]");
        assert.ok(!JSON.stringify(shown).includes("PRIVATE KEY"));
        assert.ok(shown["akko-audit:clusters"].startsWith('[{"name":"edge-paris"'));
    });
});
