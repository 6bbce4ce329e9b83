/**
 * effective-args.sh reading the running server (AKKO_ARGS_SOURCE=process). k3s rewrites its process title
 * to "<binary> server" (gspt.SetProcTitle, to hide its flags from ps), so /proc/<pid>/cmdline has no flags:
 * the script must then take the unit's ExecStart, not conclude "no --config". Run locally: /proc is real (a
 * perl process retitles itself the same way), systemctl is a stub (systemd cannot run here) answering
 * MainPID and the unit's ExecStart.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "../../../../components/k3s/scripts/effective-args.sh");
const EXPECT = "audit-log-path=/var/log/k3s-audit.log\naudit-policy-file=/etc/rancher/k3s/audit-policy.yaml";

describe("effective-args.sh from the running k3s server (its title hides its flags)", function () {
    this.timeout(20_000);
    let dir: string;
    let server: ChildProcess;
    before(async () => {
        dir = mkdtempSync(path.join(tmpdir(), "akko-eff-"));
        server = spawn("perl", ["-e", '$0 = "/usr/local/bin/k3s server"; sleep 600'], { stdio: "ignore" });
        await new Promise((r) => setTimeout(r, 300)); // perl has set its title
        mkdirSync(path.join(dir, "root/etc/rancher/k3s/config.yaml.d"), { recursive: true });
        mkdirSync(path.join(dir, "bin"));
    });
    after(() => {
        server.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
    });

    function run(execStart: string) {
        const stub = path.join(dir, "bin/systemctl");
        writeFileSync(
            stub,
            [
                "#!/bin/sh",
                'case "$3" in',
                `MainPID) echo "MainPID=${server.pid}" ;;`,
                `ExecStart) echo 'ExecStart={ path=/usr/local/bin/k3s ; argv[]=${execStart} ; ignore_errors=no ; start_time=[n/a] }' ;;`,
                "Environment) echo 'Environment=' ;;",
                "EnvironmentFiles) echo 'EnvironmentFiles=' ;;",
                "esac",
            ].join("\n") + "\n",
        );
        chmodSync(stub, 0o755);
        return spawnSync("sh", [SCRIPT], {
            encoding: "utf8",
            env: {
                PATH: process.env.PATH,
                AKKO_NODE: "n1",
                AKKO_ROOT: path.join(dir, "root"),
                AKKO_PATH_PREFIX: path.join(dir, "bin"),
                AKKO_ARGS_SOURCE: "process",
                AKKO_EXPECT_ARGS: EXPECT,
            },
        });
    }

    it("the running process shows only '<binary> server': the unit's ExecStart is what it started with", () => {
        const moved = run("/usr/local/bin/k3s server --config /srv/k3s.yaml");
        assert.equal(moved.status, 3, moved.stdout);
        assert.equal(
            moved.stderr,
            "akko-audit: node n1: k3s reads its config from /srv/k3s.yaml (--config on the k3s command line of unit k3s), so it never reads the audit drop-in /etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml (only /srv/k3s.yaml.d/*.yaml); move that config back to /etc/rancher/k3s/config.yaml and remove --config on the k3s command line of unit k3s (a moved k3s config is not supported)\n",
        );
        const plain = run("/usr/local/bin/k3s server");
        assert.equal(plain.status, 0, plain.stderr);
        assert.deepEqual(
            plain.stdout
                .trim()
                .split("\n")
                .map((l) => l.split("\t")[0]),
            ["audit-log-path=/var/log/k3s-audit.log", "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml"],
        );
    });
});
