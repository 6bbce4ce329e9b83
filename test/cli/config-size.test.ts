/**
 * A stack whose config cannot reach the program: the language host hands it over in one environment string
 * (PULUMI_CONFIG), capped by Linux at MAX_ARG_STRLEN. The CLI refuses a deployment before calling Pulumi
 * and warns on the offline commands. The Pulumi CLI is not involved: the refusal comes first.
 */
import { strict as assert } from "node:assert";
import { rmSync } from "node:fs";
import { main } from "../../cli/main";
import { copyProject, editStack, setSecrets } from "../helpers/project";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err };
}

describe("akko-audit: a stack config too big for the language host", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => {
        dir = copyProject();
        // 700 single-node k3s sites, each with its own SSH key secret: well past 128 KiB once handed over.
        editStack(dir, "prod", (config) => {
            for (let i = 0; i < 700; i++)
                config["akko-audit:clusters"].push({
                    name: `site-${i}`,
                    kind: "k3s",
                    sshPrivateKeySecret: `site${i}SshKey`,
                    servers: [{ host: `10.${i >> 8}.${i & 255}.10`, hostKey: HOST_KEY }],
                });
        });
        setSecrets(dir, "prod");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("up is refused before anything runs, with the size, the limit and the fix", async () => {
        const r = await cli(["up", "--stack", "prod", "--project-dir", dir]);
        assert.equal(r.code, 1);
        assert.equal(r.err.length, 1, r.err.join("\n"));
        assert.match(
            r.err[0],
            /^stack prod: PULUMI_CONFIG: got about \d+ bytes \(7\d\d secrets, about \d+ bytes of them\); allowed: at most 131072 bytes, Linux's MAX_ARG_STRLEN for one environment string \(beyond it pulumi up cannot start the program: argument list too long\); use SSH agent authentication \(akko-audit:sshAuth: \{ agent: true \}\) or one sshPrivateKeySecret shared by the clusters instead of a key per cluster, and move the clusters to a file in the project, named by akko-audit:clustersFile \(e\.g\. fleet\.yaml: not in PULUMI_CONFIG, whatever the fleet's size\)$/,
        );
    });

    it("the offline commands still work, with the same line as a warning", async () => {
        const r = await cli(["coverage", "--stack", "prod", "--project-dir", dir]);
        assert.equal(r.code, 0, r.err.join("\n"));
        assert.equal(r.err.length, 1);
        assert.ok(r.err[0].startsWith("warning: stack prod: PULUMI_CONFIG: got about "), r.err[0]);
    });
});
