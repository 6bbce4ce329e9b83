/**
 * akko-audit:clustersFile: the fleet in a committed file of the project, read by the one validator every
 * entry point uses (validateStackConfig), with real files in a temporary project directory.
 */
import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { fromRuntimeConfig, readStackFile, validateStackConfig } from "../../../components/config";
import { configProblems } from "../../helpers/config";
import { HOST_KEY } from "../../helpers/fleet";

const ALLOWED_PATH =
    "allowed: a file inside the project directory (the directory of Pulumi.yaml), as a relative path such as fleet.yaml: the file must be in the repository, so that pulumi preview on a pull request sees the same fleet";
const NO_KEY =
    "allowed: no private key in clustersFile fleet.yaml (it is committed in plain text): put it in secret config (pulumi config set --secret akko-audit:NAME) and name it in sshPrivateKeySecret, or use sshAuth: { agent: true }";
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";

const k3s = (name: string, host: string, extra: Record<string, unknown> = {}) => ({
    name,
    kind: "k3s",
    servers: [{ host, hostKey: HOST_KEY }],
    ...extra,
});

describe("akko-audit:clustersFile", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "akko-fleet-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Writes Pulumi.s.yaml (agent auth for every cluster) and the given files; returns the stack as read. */
    function project(config: Record<string, unknown>, files: Record<string, string> = {}) {
        for (const [name, text] of Object.entries(files)) {
            mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            writeFileSync(path.join(dir, name), text);
        }
        writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify({ config: { "akko-audit:sshAuth": { agent: true }, ...config } }));
        return readStackFile(dir, "s");
    }
    const problems = (config: Record<string, unknown>, files: Record<string, string> = {}) =>
        configProblems(() => validateStackConfig(project(config, files)));

    it("merges the inline clusters, then the file's, validated alike (defaults, the stack's sshAuth)", () => {
        const c = validateStackConfig(
            project(
                { "akko-audit:clusters": [k3s("inline", "10.0.0.1")], "akko-audit:clustersFile": "fleet/edge.yaml" },
                { "fleet/edge.yaml": stringify([k3s("file-a", "10.0.1.1"), k3s("file-b", "10.0.1.2", { auditLogMaxAgeDays: 7 })]) },
            ),
        );
        assert.deepEqual(
            c.clusters.map((x) => x.name),
            ["inline", "file-a", "file-b"],
        );
        const [, a, b] = c.clusters;
        assert.ok(a.kind === "k3s" && b.kind === "k3s");
        assert.deepEqual([a.sshAuth, a.servers[0].port, a.auditLogMaxAgeDays, b.auditLogMaxAgeDays], [{ agent: true }, 22, 30, 7]);
    });

    it("the file alone (no inline clusters), in JSON too; the parsed clusters equal the same fleet inline", () => {
        const fleet = [k3s("a", "10.0.0.1"), k3s("b", "10.0.0.2", { previousNames: ["old-b"] })];
        const inline = validateStackConfig(project({ "akko-audit:clusters": fleet })).clusters;
        assert.deepEqual(
            validateStackConfig(project({ "akko-audit:clustersFile": "fleet.yaml" }, { "fleet.yaml": stringify(fleet) })).clusters,
            inline,
        );
        assert.deepEqual(
            validateStackConfig(project({ "akko-audit:clustersFile": "fleet.json" }, { "fleet.json": JSON.stringify(fleet) })).clusters,
            inline,
        );
        // An empty inline list is allowed next to a file.
        assert.deepEqual(
            validateStackConfig(project({ "akko-audit:clusters": [], "akko-audit:clustersFile": "fleet.yaml" }, { "fleet.yaml": stringify(fleet) }))
                .clusters,
            inline,
        );
    });

    it("the program reads it too: from Pulumi's runtime config, relative to the project directory it is given", () => {
        writeFileSync(path.join(dir, "fleet.yaml"), stringify([k3s("a", "10.0.0.1")]));
        const runtime = { "akko-audit:clustersFile": "fleet.yaml", "akko-audit:sshAuth": '{"agent":true}' };
        assert.deepEqual(
            validateStackConfig(fromRuntimeConfig("s", runtime, () => false, dir)).clusters.map((c) => c.name),
            ["a"],
        );
        // Config built without a project (the Automation API's typed input) cannot resolve a path.
        assert.deepEqual(
            configProblems(() => validateStackConfig(fromRuntimeConfig("s", runtime, () => false))),
            [
                'akko-audit:clustersFile: got "fleet.yaml", but this config has no project directory to resolve it in; allowed: only in a project\'s stack config (Pulumi.<stack>.yaml)',
            ],
        );
    });

    it("problems of a file's cluster name the file and its index there, in the house format", () => {
        assert.deepEqual(
            problems(
                { "akko-audit:clusters": [k3s("inline", "10.0.0.1")], "akko-audit:clustersFile": "fleet.yaml" },
                {
                    "fleet.yaml": stringify([
                        k3s("ok", "10.0.1.1"),
                        { name: "bad", kind: "k3s", servers: [{ host: "10.0.1.2", port: 70000 }] },
                        { name: "typo", kind: "k3ss" },
                    ]),
                },
            ),
            [
                'akko-audit:clustersFile fleet.yaml: clusters[1] (cluster "bad", kind k3s): field servers[0].port: got 70000; allowed: a TCP port, 1 to 65535',
                'akko-audit:clustersFile fleet.yaml: clusters[2] (cluster "typo", kind k3ss): field kind: got "k3ss"; allowed: k3s | eks | gke | aks | openshift',
            ],
        );
        assert.deepEqual(
            problems(
                { "akko-audit:clustersFile": "fleet.yaml" },
                { "fleet.yaml": stringify([k3s("ok", "10.0.1.1"), { name: "nokey", kind: "k3s", servers: [{ host: "h" }] }]) },
            ),
            [
                'akko-audit:clustersFile fleet.yaml: clusters[1] (cluster "nokey", kind k3s): field servers[0].hostKey: missing; allowed: the node\'s public host key (ssh-keyscan -t ed25519 h), or dangerouslySkipHostKeyCheck: true on the cluster',
            ],
        );
    });

    it("duplicate names across inline and file, or within the file, name both places", () => {
        assert.deepEqual(
            problems(
                { "akko-audit:clusters": [k3s("edge", "10.0.0.1")], "akko-audit:clustersFile": "fleet.yaml" },
                { "fleet.yaml": stringify([k3s("other", "10.0.1.1"), k3s("edge", "10.0.1.2"), k3s("other", "10.0.1.3")]) },
            ),
            [
                'akko-audit:clustersFile fleet.yaml: clusters[1] (cluster "edge", kind k3s): field name: got "edge"; allowed: a name no other cluster uses (clusters[0] has it)',
                'akko-audit:clustersFile fleet.yaml: clusters[2] (cluster "other", kind k3s): field name: got "other"; allowed: a name no other cluster uses (clustersFile fleet.yaml: clusters[0] has it)',
            ],
        );
    });

    it("refuses a private key in the file, naming the field, never the value", () => {
        const found = problems(
            { "akko-audit:clustersFile": "fleet.yaml" },
            {
                "fleet.yaml": stringify([
                    k3s("a", "10.0.0.1"),
                    { name: "b", kind: "k3s", servers: [{ host: "10.0.0.2", hostKey: PEM, bastion: { host: "jump", hostKey: HOST_KEY } }] },
                    k3s("c", "10.0.0.3", { sshPrivateKey: PEM }),
                ]),
            },
        );
        assert.deepEqual(found, [
            `akko-audit:clustersFile fleet.yaml: clusters[1] (cluster "b", kind k3s): field servers[0].hostKey: got [redacted: a private key]; ${NO_KEY}`,
            `akko-audit:clustersFile fleet.yaml: clusters[2] (cluster "c", kind k3s): field sshPrivateKey: got [redacted: a private key]; ${NO_KEY}`,
            'akko-audit:clustersFile fleet.yaml: clusters[2] (cluster "c", kind k3s): unknown field "sshPrivateKey"; allowed fields: name, previousNames, kind, servers, sshPrivateKeySecret, sshAuth, bastionSshPrivateKeySecret, dangerouslySkipHostKeyCheck, auditLogPath, auditLogMaxAgeDays, auditLogMaxBackup, auditLogMaxSizeMb, readyTimeoutSeconds, serviceName, allowAuditOff',
        ]);
        assert.ok(!found.join("\n").includes("b3BlbnNz"));
    });

    describe("refusals of the file itself: one line each", () => {
        const FLEET = stringify([k3s("a", "10.0.0.1")]);

        it("a missing or unreadable file", () => {
            assert.deepEqual(problems({ "akko-audit:clustersFile": "fleet.yaml" }), [
                `akko-audit:clustersFile: got "fleet.yaml", but ${path.join(dir, "fleet.yaml")} does not exist; ${ALLOWED_PATH}`,
            ]);
            mkdirSync(path.join(dir, "fleet"));
            assert.deepEqual(problems({ "akko-audit:clustersFile": "fleet" }), [
                `akko-audit:clustersFile: got "fleet", but ${path.join(dir, "fleet")} cannot be read (EISDIR); ${ALLOWED_PATH}`,
            ]);
            if (process.getuid?.() !== 0) {
                writeFileSync(path.join(dir, "locked.yaml"), FLEET);
                chmodSync(path.join(dir, "locked.yaml"), 0o000);
                assert.deepEqual(problems({ "akko-audit:clustersFile": "locked.yaml" }), [
                    `akko-audit:clustersFile: got "locked.yaml", but ${path.join(dir, "locked.yaml")} cannot be read (EACCES); ${ALLOWED_PATH}`,
                ]);
            }
        });

        it("an absolute path, or one that leaves the project directory (by '..' or a link): the file must be in the repository", () => {
            const outside = mkdtempSync(path.join(tmpdir(), "akko-outside-"));
            try {
                writeFileSync(path.join(outside, "fleet.yaml"), FLEET);
                assert.deepEqual(problems({ "akko-audit:clustersFile": path.join(outside, "fleet.yaml") }), [
                    `akko-audit:clustersFile: got ${JSON.stringify(path.join(outside, "fleet.yaml"))} (an absolute path); ${ALLOWED_PATH}`,
                ]);
                const up = path.relative(dir, path.join(outside, "fleet.yaml"));
                assert.deepEqual(problems({ "akko-audit:clustersFile": up }), [
                    `akko-audit:clustersFile: got ${JSON.stringify(up)} (outside the project directory ${dir}); ${ALLOWED_PATH}`,
                ]);
                symlinkSync(path.join(outside, "fleet.yaml"), path.join(dir, "linked.yaml"));
                assert.deepEqual(problems({ "akko-audit:clustersFile": "linked.yaml" }), [
                    `akko-audit:clustersFile: got "linked.yaml" (a link to ${path.join(outside, "fleet.yaml")}, outside the project directory); ${ALLOWED_PATH}`,
                ]);
            } finally {
                rmSync(outside, { recursive: true, force: true });
            }
            // '..' that stays inside is only a path.
            assert.deepEqual(
                validateStackConfig(project({ "akko-audit:clustersFile": "fleet/../fleet.yaml" }, { "fleet.yaml": FLEET })).clusters.map(
                    (c) => c.name,
                ),
                ["a"],
            );
        });

        it("a file that is not a YAML list of clusters", () => {
            const LIST = "allowed: a non-empty YAML (or JSON) list of clusters, each as an entry of akko-audit:clusters";
            assert.deepEqual(
                problems({ "akko-audit:clustersFile": "fleet.yaml" }, { "fleet.yaml": stringify({ clusters: [k3s("a", "10.0.0.1")] }) }),
                [`akko-audit:clustersFile fleet.yaml: got {"clusters":[{"name":"a","kind":"k3s","servers":[{"host":"10.0.0.1","hostKey"...; ${LIST}`],
            );
            assert.deepEqual(problems({ "akko-audit:clustersFile": "fleet.yaml" }, { "fleet.yaml": "[]\n" }), [
                `akko-audit:clustersFile fleet.yaml: got []; ${LIST}`,
            ]);
            assert.deepEqual(problems({ "akko-audit:clustersFile": "fleet.yaml" }, { "fleet.yaml": "" }), [
                `akko-audit:clustersFile fleet.yaml: got null; ${LIST}`,
            ]);
            const bad = problems({ "akko-audit:clustersFile": "fleet.yaml" }, { "fleet.yaml": "- name: a\n  name: b\n" });
            assert.equal(bad.length, 1);
            assert.match(
                bad[0],
                /^akko-audit:clustersFile fleet\.yaml: not valid YAML: Map keys must be unique.*; allowed: a YAML \(or JSON\) list of clusters/,
            );
        });

        it("a value that is not a path, or a secret", () => {
            assert.deepEqual(problems({ "akko-audit:clustersFile": 5 }), [`akko-audit:clustersFile: got 5; ${ALLOWED_PATH}`]);
            assert.deepEqual(problems({ "akko-audit:clustersFile": "" }), [`akko-audit:clustersFile: got ""; ${ALLOWED_PATH}`]);
            assert.deepEqual(problems({ "akko-audit:clustersFile": { secure: "v1:abc:def" } }), [
                `akko-audit:clustersFile: got a secret value; allowed: a plain path (the file holds no secret), ${ALLOWED_PATH.slice("allowed: ".length)}`,
            ]);
        });

        it("no clusters at all: neither inline nor a file", () => {
            assert.deepEqual(problems({}), [
                "akko-audit:clusters: missing; allowed: a list of clusters, each with name and kind (k3s | eks | gke | aks | openshift), here or in akko-audit:clustersFile",
            ]);
        });
    });
});
