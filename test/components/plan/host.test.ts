/**
 * The program as `pulumi up` / `pulumi preview` start it. What is real: the Pulumi nodejs language host's
 * handling of Pulumi.yaml's runtime options (typescript, tsconfig, nodeargs, main), its environment
 * (PULUMI_CONFIG in the legacy key form, PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT), and the
 * installed @pulumi/pulumi's own cmd/run (its TypeScript registration and entry-point lookup). What is
 * stubbed: the engine's gRPC resource monitor (the SDK's MockMonitor, answering with the engine's URNs).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { listStacks, readStackFile } from "../../../components/config/source";
import { CONFIG_NAMESPACE, validateStackConfig } from "../../../components/config/stack";
import { hostConfig, ProgramLoadError, readProjectFile, runAsLanguageHost, shlexSplit } from "../../../components/plan/host";
import { engineUrn } from "../../../components/plan/monitor";
import { destructiveReplaceProblems, Registration } from "../../../components/plan/steps";
import { ROOT } from "../../helpers/project";

const unsetSecrets = (dir: string, stack: string) =>
    validateStackConfig(readStackFile(dir, stack), { allowUnsetSecrets: true }).unsetSecrets.map((k) => `${CONFIG_NAMESPACE}:${k}`);

const made: string[] = [];

/** A view of the project with another Pulumi.yaml (every other entry a link to the real one). */
function projectWithPulumiYaml(text: string, files: Record<string, string> = {}): string {
    const dir = mkdtempSync(path.join(tmpdir(), "akko-host-"));
    made.push(dir);
    for (const e of readdirSync(ROOT)) if (e !== "Pulumi.yaml" && e !== ".git" && !(e in files)) symlinkSync(path.join(ROOT, e), path.join(dir, e));
    writeFileSync(path.join(dir, "Pulumi.yaml"), text);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return dir;
}

describe("the program as the Pulumi nodejs language host loads it", function () {
    this.timeout(180_000);
    after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

    it("Pulumi.yaml loads with tsx through nodeargs (the CLI's and the tests' loader), not the host's vendored ts-node 7", () => {
        assert.deepEqual(readProjectFile(ROOT), {
            name: "akko-audit",
            entryPoint: ".",
            options: { typescript: false, tsconfig: undefined, nodeargs: ["--import", "tsx"] },
        });
    });

    for (const stack of listStacks(ROOT)) {
        it(`loads index.ts for Pulumi.${stack}.yaml and registers the fleet with the engine's URNs`, async () => {
            const run = await runAsLanguageHost(ROOT, stack, { unsetSecrets: unsetSecrets(ROOT, stack) });
            const [root, rollout] = run.resources;
            assert.deepEqual([root.type, root.name, root.parent], ["pulumi:pulumi:Stack", `akko-audit-${stack}`, ""]);
            // A child of the root stack carries no Stack type in its URN; deeper ones the whole parent chain.
            assert.deepEqual([rollout.urn, rollout.parent], [`urn:pulumi:${stack}::akko-audit::akko:audit:Rollout::akko-audit`, root.urn]);
            const clusters = validateStackConfig(readStackFile(ROOT, stack), { allowUnsetSecrets: true }).clusters;
            for (const c of clusters) {
                const component = run.resources.filter((r) => r.parent === rollout.urn && r.name === c.name);
                assert.equal(component.length, 1, `one component for cluster ${c.name}`);
                assert.ok(component[0].urn.startsWith(`urn:pulumi:${stack}::akko-audit::akko:audit:Rollout$akko:audit:`));
                if (c.kind !== "k3s") continue;
                for (const s of c.servers) {
                    const apply: Registration | undefined = run.resources.find((r) => r.name === `${c.name}-${s.host}-apply`);
                    assert.equal(
                        apply?.urn,
                        `urn:pulumi:${stack}::akko-audit::akko:audit:Rollout$akko:audit:K3sAuditLogging$akko:audit:K3sServerAuditLogging$command:remote:Command::${c.name}-${s.host}-apply`,
                    );
                    assert.deepEqual(apply!.ignoreChanges, ["triggers"]);
                }
            }
            // The rule over what the engine receives: nothing whose delete turns audit off can be replaced.
            assert.deepEqual(destructiveReplaceProblems(run.resources), []);
            assert.ok(!JSON.stringify(run).includes("not-set-yet"), "secret values are recorded as digests only");
        });
    }

    it("with the host's default (typescript: true) and 0.1.0's tsconfig, index.ts fails to compile: the test can fail", async () => {
        const dir = projectWithPulumiYaml(
            readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace(/\n\s*typescript: false\n\s*nodeargs: .*\n/, "\n    typescript: true\n"),
            // 0.1.0's tsconfig: "node" resolution, which does not read package `exports` maps.
            {
                "tsconfig.json": readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")
                    .replace('"module": "node16"', '"module": "commonjs"')
                    .replace('"moduleResolution": "node16"', '"moduleResolution": "node"'),
            },
        );
        assert.equal(readProjectFile(dir).options.typescript, true);
        await assert.rejects(runAsLanguageHost(dir, "dev", { unsetSecrets: unsetSecrets(dir, "dev") }), (e: Error) => {
            assert.ok(e instanceof ProgramLoadError, e.message);
            // (ts-node names the file relative to the working directory: the copy links to the real tree.)
            assert.match(
                e.message,
                /TSError: ⨯ Unable to compile TypeScript:\n\S*components\/logs\/dashboard\/dashboard\.ts\(1,28\): error TS2307: Cannot find module '@grafana\/grafana-foundation-sdk\/dashboard'/,
            );
            return true;
        });
    });

    it("the program's own refusal reaches the caller: missing secrets are named with the command that sets them", async () => {
        await assert.rejects(runAsLanguageHost(ROOT, "dev"), (e: Error) => {
            assert.ok(e instanceof ProgramLoadError);
            assert.match(
                e.message,
                /3 config problems:\n {2}- akko-audit:clusters\[0\] \(cluster "dev", kind k3s\): field sshPrivateKeySecret: got "devSshKey", but akko-audit:devSshKey is not set; allowed: a secret config key, set it with `pulumi config set --secret akko-audit:devSshKey`\n/,
            );
            return true;
        });
    });

    it("hands the program its config as the host does: legacy keys, JSON values, secrets by digest of their ciphertext", () => {
        const dir = projectWithPulumiYaml(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        writeFileSync(
            path.join(dir, "Pulumi.s.yaml"),
            "config:\n  akko-audit:logs:\n    retentionDays: 30\n  akko-audit:k:\n    secure: v1:abc\n  other:flag: true\n",
        );
        const { config, secretKeys } = hostConfig(dir, "s", ["akko-audit:unset"]);
        assert.deepEqual(config, {
            "akko-audit:config:logs": '{"retentionDays":30}',
            "akko-audit:config:k": "[secret 35b72d5e5fff]",
            "other:config:flag": "true",
            "akko-audit:config:unset": "[secret not-set-yet]",
        });
        assert.deepEqual(secretKeys, ["akko-audit:k", "akko-audit:unset"]);
    });

    it("splits nodeargs like the host's shlex", () => {
        assert.deepEqual(shlexSplit(`--import tsx  --max-old-space-size=4096 "a b" 'c d' e\\ f`), [
            "--import",
            "tsx",
            "--max-old-space-size=4096",
            "a b",
            "c d",
            "e f",
        ]);
        assert.deepEqual(shlexSplit(""), []);
    });

    it("engine URNs: the root stack's children have no Stack prefix, grandchildren the whole type chain", () => {
        const stackUrn = "urn:pulumi:prod::akko-audit::pulumi:pulumi:Stack::akko-audit-prod";
        const rollout = engineUrn("prod", "akko-audit", stackUrn, "akko:audit:Rollout", "akko-audit");
        const cluster = engineUrn("prod", "akko-audit", rollout, "akko:audit:K3sAuditLogging", "edge");
        assert.equal(rollout, "urn:pulumi:prod::akko-audit::akko:audit:Rollout::akko-audit");
        assert.equal(
            engineUrn("prod", "akko-audit", cluster, "command:remote:Command", "edge-x"),
            "urn:pulumi:prod::akko-audit::akko:audit:Rollout$akko:audit:K3sAuditLogging$command:remote:Command::edge-x",
        );
        assert.equal(engineUrn("prod", "akko-audit", "", "pulumi:pulumi:Stack", "akko-audit-prod"), stackUrn);
    });
});
