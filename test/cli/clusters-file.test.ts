/**
 * akko-audit:clustersFile end to end: the offline CLI (loadStackForCli) and the program as the Pulumi nodejs
 * language host starts it (render's plan.json) read the same file, relative to the project directory.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { main } from "../../cli/main";
import { HOST_KEY, k3sFleet } from "../helpers/fleet";
import { ROOT } from "../helpers/project";

async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("akko-audit:clustersFile: the CLI and the program read the same fleet file", function () {
    this.timeout(180_000);
    let dir: string;
    // The project as a user has it (every entry a link to this checkout), plus a stack whose fleet is in a file.
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "akko-fleetproj-"));
        for (const e of readdirSync(ROOT)) if (e !== ".git" && !/^Pulumi\..+\.yaml$/.test(e)) symlinkSync(path.join(ROOT, e), path.join(dir, e));
        const dev = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        dev.config["akko-audit:clustersFile"] = "fleet.yaml";
        dev.config["akko-audit:sshAuth"] = { agent: true };
        writeFileSync(path.join(dir, "Pulumi.fleet.yaml"), stringify(dev));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("render: the file's clusters are validated, rendered and registered by the program after the inline one", async () => {
        writeFileSync(path.join(dir, "fleet.yaml"), stringify(k3sFleet(3)));
        const out = path.join(dir, "out");
        const r = await run("render", "--stack", "fleet", "--out", out, "--project-dir", dir);
        assert.equal(r.code, 0, r.err);
        assert.equal(r.err, "");
        assert.match(r.out, /^stack fleet: 4 clusters valid; wrote /);
        const names = ["dev", "edge-0000", "edge-0001", "edge-0002"];
        const fleet = JSON.parse(readFileSync(path.join(out, "fleet.json"), "utf8"));
        assert.deepEqual(
            fleet.clusters.map((c: { name: string }) => c.name),
            names,
        );
        // plan.json comes from the program run as the language host runs it (cwd: the project directory).
        const plan = readFileSync(path.join(out, "plan.json"), "utf8");
        for (const n of names.slice(1)) assert.ok(plan.includes(`"${n}-10.0.${Number(n.slice(-1))}.10-apply"`), `${n}'s node is registered`);
    });

    it("a bad file entry: one line naming the file and its index, exit 1, nothing written", async () => {
        writeFileSync(
            path.join(dir, "fleet.yaml"),
            stringify([...k3sFleet(2), { name: "dev", kind: "k3s", servers: [{ host: "h", hostKey: HOST_KEY }] }]),
        );
        const out = path.join(dir, "out");
        const r = await run("render", "--stack", "fleet", "--out", out, "--project-dir", dir);
        assert.equal(r.code, 1);
        assert.equal(
            r.err,
            [
                'akko-audit:clustersFile fleet.yaml: clusters[2] (cluster "dev", kind k3s): field name: got "dev"; allowed: a name no other cluster uses (clusters[0] has it)',
                "stack fleet: 1 config problem(s); nothing was written",
            ].join("\n"),
        );
    });
});
