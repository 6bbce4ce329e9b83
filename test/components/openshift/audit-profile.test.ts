/**
 * OpenShiftAuditProfile under the real Pulumi SDK with mocked engine and providers (no cluster here): the
 * provider built from the secret kubeconfig and the exact server-side-apply patch on APIServer `cluster`.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: sha256~not-a-real-token\n";

describe("OpenShiftAuditProfile (Pulumi mocks)", () => {
    let run: MockRun;
    let mod: typeof import("../../../components/openshift");

    before(async () => {
        mod = await import("../../../components/openshift/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks();
    });

    it("patches APIServer cluster with the profile through a provider built from the secret kubeconfig", async () => {
        const c = new mod.OpenShiftAuditProfile("ocp-core", { kubeconfig: pulumi.secret(KUBECONFIG) });
        await settle();
        assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "akko:audit:OpenShiftAuditProfile ocp-core",
            "kubernetes:config.openshift.io/v1:APIServerPatch ocp-core-apiserver-audit",
            "pulumi:providers:kubernetes ocp-core-k8s",
        ]);
        const provider = run.one("pulumi:providers:kubernetes", "ocp-core-k8s");
        assert.deepEqual(provider.secretInputs, ["kubeconfig"]);
        assert.equal(provider.inputs.kubeconfig, KUBECONFIG);
        assert.equal(provider.inputs.clusterIdentifier, "ocp-core");

        const patch = run.one("kubernetes:config.openshift.io/v1:APIServerPatch", "ocp-core-apiserver-audit");
        assert.deepEqual(patch.inputs, {
            apiVersion: "config.openshift.io/v1",
            kind: "APIServer",
            metadata: { name: "cluster", annotations: { "pulumi.com/patchForce": "true", "pulumi.com/patchFieldManager": "akko-audit" } },
            spec: { audit: { profile: "WriteRequestBodies" } },
        });
        assert.ok(patch.provider.startsWith(`${provider.urn}::`), "the patch goes through the kubeconfig's provider");
        assert.equal(patch.importId, "");
        assert.equal((await resolve(c.profile)).value, "WriteRequestBodies");
    });

    it("the APIServer patch (its delete gives the profile back to the cluster's default) is protected unless allowAuditOff", async () => {
        new mod.OpenShiftAuditProfile("ocp-core", { kubeconfig: KUBECONFIG });
        new mod.OpenShiftAuditProfile("ocp-lab", { kubeconfig: KUBECONFIG, allowAuditOff: true });
        await settle();
        assert.deepEqual(
            run.resources.filter((r) => r.protect).map((r) => `${r.type} ${r.name}`),
            ["kubernetes:config.openshift.io/v1:APIServerPatch ocp-core-apiserver-audit"],
        );
        assert.equal(run.one("kubernetes:config.openshift.io/v1:APIServerPatch", "ocp-lab-apiserver-audit").protect, false);
    });

    it("a plain kubeconfig is still registered secret", async () => {
        new mod.OpenShiftAuditProfile("ocp", { kubeconfig: KUBECONFIG });
        await settle();
        assert.deepEqual(run.one("pulumi:providers:kubernetes", "ocp-k8s").secretInputs, ["kubeconfig"]);
    });

    it("sets customRules per group; None only with confirmAuditingOff", async () => {
        new mod.OpenShiftAuditProfile("ocp", {
            kubeconfig: KUBECONFIG,
            profile: "Default",
            customRules: [
                { group: "system:authenticated:oauth", profile: "AllRequestBodies" },
                { group: "system:serviceaccounts:batch", profile: "None" },
            ],
            confirmAuditingOff: true,
        });
        await settle();
        assert.deepEqual(run.one("kubernetes:config.openshift.io/v1:APIServerPatch", "ocp-apiserver-audit").inputs.spec, {
            audit: {
                profile: "Default",
                customRules: [
                    { group: "system:authenticated:oauth", profile: "AllRequestBodies" },
                    { group: "system:serviceaccounts:batch", profile: "None" },
                ],
            },
        });
    });

    it("refuses an unknown profile, None without confirmation, repeated or malformed groups — one line each, nothing registered", async () => {
        assert.throws(() => new mod.OpenShiftAuditProfile("ocp", { kubeconfig: KUBECONFIG, profile: "Verbose" }), {
            message: 'OpenShiftAuditProfile "ocp": field profile: got "Verbose"; allowed: Default | WriteRequestBodies | AllRequestBodies | None',
        });
        // Field by field first (the config's schemas), then the rules across fields (the config's rules).
        assert.throws(
            () =>
                new mod.OpenShiftAuditProfile("ocp", {
                    kubeconfig: KUBECONFIG,
                    customRules: [
                        { group: "dev", profile: "Default" },
                        { group: "bad group", profile: "Loud" },
                    ],
                }),
            {
                name: "ConfigError",
                message: [
                    "2 config problems:",
                    '  - OpenShiftAuditProfile "ocp": field customRules[1].group: got "bad group"; allowed: a group name such as system:authenticated:oauth',
                    '  - OpenShiftAuditProfile "ocp": field customRules[1].profile: got "Loud"; allowed: Default | WriteRequestBodies | AllRequestBodies | None',
                ].join("\n"),
            },
        );
        assert.throws(
            () =>
                new mod.OpenShiftAuditProfile("ocp", {
                    kubeconfig: KUBECONFIG,
                    profile: "None",
                    customRules: [
                        { group: "dev", profile: "None" },
                        { group: "dev", profile: "Default" },
                    ],
                }),
            {
                name: "ConfigError",
                message: [
                    "3 config problems:",
                    '  - OpenShiftAuditProfile "ocp": field profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns API-server auditing off)',
                    '  - OpenShiftAuditProfile "ocp": field customRules[0].profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns auditing off for group "dev")',
                    '  - OpenShiftAuditProfile "ocp": field customRules[1].group: got "dev"; allowed: a group not already listed (customRules[0] has it)',
                ].join("\n"),
            },
        );
        await settle();
        assert.deepEqual(run.resources, []);
    });
});
