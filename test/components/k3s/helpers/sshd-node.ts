/**
 * Real sshd on loopback, one per simulated k3s server node, each with its own temporary root standing in
 * for / (/etc/rancher/k3s, /var/log, the state directory) and stub systemctl/k3s/journalctl (see stubs.ts).
 * Commands go over a real `ssh` client with the node's host key pinned, uploads over real SFTP, like
 * remote.Command and remote.CopyToRemote do.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stubScripts } from "./stubs";

export const SSHD = "/usr/sbin/sshd";
export const sshdAvailable = () => existsSync(SSHD) && existsSync("/usr/bin/ssh") && process.getuid?.() === 0;
export const SKIP_REASON = "real sshd integration tests need /usr/sbin/sshd, ssh and root (CI: .ci/run installs openssh-server)";

let clientKeyDir: string | undefined;
/** One client key pair for the whole test process. */
function clientKey(): string {
    if (!clientKeyDir) {
        const dir = (clientKeyDir = mkdtempSync(path.join(os.tmpdir(), "akko-client-")));
        process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "akko-test-client", "-f", path.join(clientKeyDir, "id")]);
    }
    return path.join(clientKeyDir, "id");
}
export const clientPrivateKey = () => readFileSync(clientKey(), "utf8");

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

async function waitForPort(port: number, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
            const c = net.connect(port, "127.0.0.1");
            c.once("connect", () => {
                c.destroy();
                resolve(true);
            });
            c.once("error", () => resolve(false));
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not listen within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 25));
    }
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface SimNode {
    root: string;
    port: number;
    /** The node's host key line ("ssh-ed25519 AAAA..."), as a stack would pin it. */
    hostKey: string;
    stubDir: string;
    /** Runs one command line over real ssh (host key pinned), `stdin` as its standard input. */
    ssh(command: string, opts?: { onSpawn?: (p: ChildProcess) => void; stdin?: string }): Promise<RunResult>;
    /** Uploads files over real SFTP: remote path -> content. */
    sftpPut(files: Record<string, string>): Promise<RunResult>;
    /** Uploads a local directory over real SFTP to `<remoteParent>/<its name>`, creating the parents (as CopyToRemote does). */
    sftpPutDir(localDir: string, remoteParent: string): Promise<RunResult>;
    ctl(name: string, value?: string): void;
    read(p: string): string | undefined;
    write(p: string, content: string): void;
    restarts(): number;
    stop(): Promise<void>;
}

function run(cmd: string, args: string[], input?: string, onSpawn?: (p: ChildProcess) => void): Promise<RunResult> {
    return new Promise((resolve) => {
        const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        p.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
        p.stdin.end(input ?? "");
        onSpawn?.(p);
    });
}

/** Starts one simulated server node: temp root, stubs, host key, its own sshd_config, sshd -D -e. */
export async function startNode(label = "node"): Promise<SimNode> {
    const root = mkdtempSync(path.join(os.tmpdir(), `akko-${label}-`));
    const dirs = ["home", "etc/rancher/k3s/config.yaml.d", "var/log", "var/lib/rancher/k3s/server/manifests", "ctl", "stub/bin", "ssh", "stage"];
    for (const d of dirs) mkdirSync(path.join(root, d), { recursive: true });
    const ctl = (name: string, value?: string) => {
        const f = path.join(root, "ctl", name);
        if (value === undefined) rmSync(f, { force: true });
        else writeFileSync(f, value);
    };
    ctl("version", "v1.30.4+k3s1");
    ctl("execstart", "/usr/local/bin/k3s server");
    // The node runs before we touch it: the "API server" was started with the node's own config.
    writeFileSync(path.join(root, "ctl", "started-at"), `${Math.floor(Date.now() / 1000) - 60}\n`);
    writeFileSync(path.join(root, "ctl", "running-config"), "");
    for (const [name, text] of Object.entries(stubScripts(root))) {
        writeFileSync(path.join(root, "stub/bin", name), text);
        chmodSync(path.join(root, "stub/bin", name), 0o755);
    }
    const sshDir = path.join(root, "ssh");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path.join(sshDir, "host_ed25519")]);
    const hostKey = readFileSync(path.join(sshDir, "host_ed25519.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    writeFileSync(path.join(sshDir, "authorized_keys"), readFileSync(`${clientKey()}.pub`, "utf8"));
    const port = await freePort();
    writeFileSync(path.join(sshDir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
    const config = [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${path.join(sshDir, "host_ed25519")}`,
        `PidFile ${path.join(sshDir, "sshd.pid")}`,
        `AuthorizedKeysFile ${path.join(sshDir, "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        // No AcceptEnv: inputs must travel in the command, as on most real nodes.
        "Subsystem sftp internal-sftp",
        // The node's own home inside its root: bash sources ~/.bashrc for ssh commands, and this machine's
        // root .bashrc runs `pyenv init` (~0.4 s CPU per session), which would swamp every measurement.
        `SetEnv HOME=${path.join(root, "home")}`,
        "MaxStartups 100:30:200",
        "MaxSessions 50",
        "LogLevel ERROR",
        "",
    ].join("\n");
    writeFileSync(path.join(sshDir, "sshd_config"), config);
    mkdirSync("/run/sshd", { recursive: true });
    const sshd = spawn(SSHD, ["-D", "-e", "-f", path.join(sshDir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let sshdErr = "";
    sshd.stderr!.on("data", (d) => (sshdErr += d));
    try {
        await waitForPort(port, 5000);
    } catch (e) {
        sshd.kill();
        throw new Error(`${(e as Error).message}: ${sshdErr}`);
    }

    const sshOpts = (portFlag: string) => [
        "-F",
        "/dev/null",
        "-i",
        clientKey(),
        portFlag,
        String(port),
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${path.join(sshDir, "known_hosts")}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "ConnectTimeout=5",
        // What the command provider's Go SSH client negotiates; OpenSSH's default (sntrup761) costs more CPU.
        "-o",
        "KexAlgorithms=curve25519-sha256",
    ];
    return {
        root,
        port,
        hostKey,
        stubDir: path.join(root, "stub/bin"),
        ssh: (command, opts) => run("ssh", [...sshOpts("-p"), "root@127.0.0.1", command], opts?.stdin, opts?.onSpawn),
        sftpPutDir(localDir, remoteParent) {
            // "-mkdir": an existing directory is no error. Relative parents are relative to the login directory.
            const parents = remoteParent
                .split("/")
                .map((_, i, parts) => parts.slice(0, i + 1).join("/"))
                .filter((p) => p !== "");
            const batch = [...parents.map((p) => `-mkdir ${p}`), `put -r ${localDir} ${remoteParent}/${path.basename(localDir)}`];
            return run("sftp", [...sshOpts("-P"), "-b", "-", "root@127.0.0.1"], batch.join("\n") + "\n");
        },
        async sftpPut(files) {
            const local = mkdtempSync(path.join(os.tmpdir(), "akko-up-"));
            const batch = Object.entries(files).map(([remote, content], i) => {
                writeFileSync(path.join(local, String(i)), content);
                return `put ${path.join(local, String(i))} ${remote}`;
            });
            const r = await run("sftp", [...sshOpts("-P"), "-b", "-", "root@127.0.0.1"], batch.join("\n") + "\n");
            rmSync(local, { recursive: true, force: true });
            return r;
        },
        ctl,
        read: (p) => (existsSync(path.join(root, p)) ? readFileSync(path.join(root, p), "utf8") : undefined),
        write: (p, content) => {
            mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
            writeFileSync(path.join(root, p), content);
        },
        restarts: () =>
            existsSync(path.join(root, "ctl/restarts"))
                ? readFileSync(path.join(root, "ctl/restarts"), "utf8").trim().split("\n").filter(Boolean).length
                : 0,
        async stop() {
            await new Promise<void>((resolve) => {
                if (sshd.exitCode !== null || sshd.signalCode !== null) return resolve();
                sshd.once("exit", () => resolve());
                sshd.kill();
            });
            rmSync(root, { recursive: true, force: true });
        },
    };
}

/**
 * For a mocha suite of simulated nodes: skips it (saying why) without a real sshd, stops every node it started
 * after each test (after `cleanup`, e.g. unmounting what a test mounted), and returns the node factory.
 */
export function simNodeSuite(cleanup?: () => void): (label: string) => Promise<SimNode> {
    const nodes: SimNode[] = [];
    before(function () {
        if (!sshdAvailable()) {
            console.log(`      skipped: ${SKIP_REASON}`);
            this.skip();
        }
    });
    afterEach(async () => {
        cleanup?.();
        await Promise.all(nodes.splice(0).map((n) => n.stop()));
    });
    return async (label) => {
        const n = await startNode(label);
        nodes.push(n);
        return n;
    };
}
