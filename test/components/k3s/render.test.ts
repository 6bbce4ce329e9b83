import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { parse } from "yaml";
import { K3sClusterSchema } from "../../../components/config/k3s";
import { manifestsHash, policyHash, renderDropIn } from "../../../components/k3s/render";
import { mergeK3sConfig } from "./helpers/effective-config";

const cluster = K3sClusterSchema.parse({
    name: "edge",
    kind: "k3s",
    sshPrivateKeySecret: "k",
    servers: [{ host: "10.0.0.1", hostKey: "ssh-ed25519 AAAA" }],
    auditLogMaxAgeDays: 7,
});

describe("renderDropIn", () => {
    it("appends (kube-apiserver-arg+) the six audit flags with the cluster's values", () => {
        assert.equal(
            renderDropIn(cluster),
            [
                "# Managed by akko-audit: `pulumi up` rewrites this file, `pulumi destroy` removes it. Do not edit.",
                "# kube-apiserver-arg+ appends to the node's own kube-apiserver-arg list instead of replacing it.",
                "kube-apiserver-arg+:",
                "  - audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
                "  - audit-log-path=/var/log/k3s-audit.log",
                "  - audit-log-maxage=7",
                "  - audit-log-maxbackup=10",
                "  - audit-log-maxsize=100",
                "  - audit-log-format=json",
                "",
            ].join("\n"),
        );
        assert.deepEqual(Object.keys(parse(renderDropIn(cluster))), ["kube-apiserver-arg+"]);
    });
});

describe("content hashes match what the node computes with sha256sum", () => {
    const sha256sum = (input: string) => execFileSync("sh", ["-c", "sha256sum | cut -d ' ' -f 1"], { input, encoding: "utf8" }).trim();
    it("policyHash = sha256(policy then drop-in)", () => {
        assert.equal(policyHash("a\n", "b\n"), sha256sum("a\nb\n"));
    });
    it("manifestsHash = sha256 over name\\ncontent, in order", () => {
        assert.equal(
            manifestsHash([
                { fileName: "x.yaml", content: "1\n" },
                { fileName: "y.yaml", content: "2" },
            ]),
            sha256sum("x.yaml\n1\ny.yaml\n2"),
        );
        assert.equal(manifestsHash([]), sha256sum(""));
    });
});

describe("effective k3s config (test helper, k3s merge rules)", () => {
    it("later files replace a key; key+ appends; a scalar joins as one element", () => {
        assert.deepEqual(
            mergeK3sConfig([
                { "kube-apiserver-arg": ["a=1"], "node-label": ["x=y"], "tls-san": "one" },
                { "kube-apiserver-arg+": ["b=2"], "node-label": ["z=w"] },
                { "kube-apiserver-arg+": "c=3", "tls-san+": ["two"] },
            ]),
            { "kube-apiserver-arg": ["a=1", "b=2", "c=3"], "node-label": ["z=w"], "tls-san": ["one", "two"] },
        );
    });
    it("a later file without + drops the earlier list (why the drop-in must use +)", () => {
        assert.deepEqual(mergeK3sConfig([{ "kube-apiserver-arg": ["a=1"] }, { "kube-apiserver-arg": ["b=2"] }]), { "kube-apiserver-arg": ["b=2"] });
    });
});

describe("renderK3sArtifacts (akko-audit render)", () => {
    it("one drop-in per k3s cluster, exactly what the nodes receive", async () => {
        const { renderK3sArtifacts } = await import("../../../components/k3s/render.js");
        assert.deepEqual(renderK3sArtifacts(cluster), [
            {
                path: "k3s/edge/90-akko-audit.yaml",
                content: renderDropIn(cluster),
                description: "k3s drop-in for /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml on the 1 server node(s) of edge",
            },
        ]);
    });
});
