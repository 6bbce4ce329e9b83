/**
 * k3s rollout benchmark: the real per-node sequence (the bundle upload over SFTP, then the apply Command) over
 * real sshd on loopback, against simulated nodes (stub systemctl/k3s answer at once, so this measures the
 * program's own overhead: SSH sessions, the detached run and its polling). Prints JSON.
 *   single: 1 single-node cluster; parallel8 / parallel32: that many independent clusters at once;
 *   ha3: one cluster of 3 servers, one after the other (as the component chains them);
 *   noChange32: the apply run again on 32 clusters with the bundle already there (the engine would skip
 *   both resources when nothing changed; this is the cost of a re-run that changes nothing, e.g. a new
 *   secret manifest: no upload, no restart).
 * Also reported: SSH sessions per node, and the bytes of inputs per node in Pulumi state (the two
 * resources as the component registers them under the SDK's mocks, with an ed25519 key and with the agent).
 * With stubs that answer at once, the figures are CPU-bound (SSH handshakes on this machine's cores); the
 * `restartDelay2s` block repeats single/parallel32/ha3 with a simulated 2 s API-server restart, closer to a
 * real node where the wall time is waiting, not computing.
 * Each figure is the median wall time of BENCH_RUNS runs (default 3); ratios are to `single`.
 */
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { applyNode, nodeCommands, simCluster } from "../test/components/k3s/helpers/simulate";
import { stateBytesPerNode } from "./k3s-state";
import { SimNode, SKIP_REASON, sshdAvailable, startNode } from "../test/components/k3s/helpers/sshd-node";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function reset(n: SimNode): void {
    for (const p of [
        "etc/rancher/k3s/audit-policy.yaml",
        "etc/rancher/k3s/config.yaml.d/90-akko-audit.yaml",
        "var/lib/akko-audit",
        "var/log/k3s-audit.log",
        "ctl/restarts",
    ]) {
        rmSync(path.join(n.root, p), { recursive: true, force: true });
    }
}

let sessions = 0;
async function applyCluster(name: string, servers: SimNode[], upload: boolean): Promise<void> {
    const c = simCluster(name, servers);
    for (let i = 0; i < servers.length; i++) {
        if (upload) {
            const r = await applyNode(c, i, servers[i]);
            sessions += 2;
            if (r.result?.status !== "ok") throw new Error(`${name} server ${i}: ${r.upload.stderr}${r.apply?.stderr ?? ""}`);
        } else {
            const r = await servers[i].ssh(nodeCommands(c, i, servers[i]).apply);
            sessions += 1;
            if (r.code !== 0) throw new Error(`${name} server ${i}: ${r.stderr}`);
        }
    }
}

/** CPU seconds the whole machine spent (all processes: the client, every sshd, the node scripts, the stubs). */
function machineCpuSeconds(): number {
    const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = f.map(Number);
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
}
/** CPU seconds of the last timed() call's median run. */
let lastCpu = 0;

async function timed(clusters: SimNode[][], opts: { fresh: boolean; readyDelay?: number }): Promise<number> {
    const times: number[] = [];
    const cpus: number[] = [];
    for (const n of clusters.flat()) n.ctl("ready-delay", String(opts.readyDelay ?? 0));
    for (let run = 0; run < RUNS; run++) {
        if (opts.fresh) clusters.flat().forEach(reset);
        const start = process.hrtime.bigint();
        const cpuStart = machineCpuSeconds();
        await Promise.all(clusters.map((servers, i) => applyCluster(`bench-${i}`, servers, opts.fresh)));
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        cpus.push(machineCpuSeconds() - cpuStart);
        for (const n of clusters.flat()) if (opts.fresh && n.restarts() !== 1) throw new Error(`${n.root}: ${n.restarts()} restarts, expected 1`);
    }
    times.sort((a, b) => a - b);
    cpus.sort((a, b) => a - b);
    lastCpu = cpus[Math.floor(cpus.length / 2)];
    return Math.round(times[Math.floor(times.length / 2)]);
}

async function main(): Promise<void> {
    if (!sshdAvailable()) {
        console.log(JSON.stringify({ skipped: SKIP_REASON }));
        return;
    }
    const singles = await Promise.all(Array.from({ length: 32 }, (_, i) => startNode(`bench${i}`)));
    const ha = await Promise.all([0, 1, 2].map((i) => startNode(`benchha${i}`)));
    try {
        sessions = 0;
        const single = await timed([[singles[0]]], { fresh: true });
        const sessionsPerNode = sessions / RUNS;
        const cpu1 = lastCpu;
        const parallel8 = await timed(
            singles.slice(0, 8).map((n) => [n]),
            { fresh: true },
        );
        const parallel32 = await timed(
            singles.map((n) => [n]),
            { fresh: true },
        );
        // Every simulated node runs on this machine's cores: 32 nodes' own work (sshd, scripts, stubs) cannot
        // take less than its CPU time divided by the cores. A ratio near 1 to that floor means nothing in the
        // rollout waits on anything but CPU; on a real fleet each node has its own.
        const cpu32 = lastCpu;
        const cores = require("node:os").cpus().length as number;
        const ha3 = await timed([ha], { fresh: true });
        const noChange32 = await timed(
            singles.map((n) => [n]),
            { fresh: false },
        );
        const slow = {
            single: await timed([[singles[0]]], { fresh: true, readyDelay: 2 }),
            parallel32: await timed(
                singles.map((n) => [n]),
                { fresh: true, readyDelay: 2 },
            ),
            ha3: await timed([ha], { fresh: true, readyDelay: 2 }),
        };
        const ratio = (ms: number, base = single) => Math.round((ms / base) * 100) / 100;
        console.log(
            JSON.stringify(
                {
                    benchmark: "k3s audit rollout over real SSH (simulated nodes)",
                    runs: RUNS,
                    cpus: require("node:os").cpus().length,
                    unit: "ms",
                    sshSessionsPerNode: { apply: sessionsPerNode, target: "<= 2 (bundle upload, apply with preflight)" },
                    stateInputBytesPerNode: { ...(await stateBytesPerNode()), target: "<= 4096" },
                    single: { clusters: 1, wallMs: single, machineCpuSeconds: Math.round(cpu1 * 100) / 100 },
                    parallel8: { clusters: 8, wallMs: parallel8, ratioToSingle: ratio(parallel8) },
                    parallel32: {
                        clusters: 32,
                        wallMs: parallel32,
                        ratioToSingle: ratio(parallel32),
                        target: "<= 2",
                        machineCpuSeconds: Math.round(cpu32 * 10) / 10,
                        cpuFloorMs: Math.round((cpu32 / cores) * 1000),
                        ratioToCpuFloor: Math.round((parallel32 / ((cpu32 / cores) * 1000)) * 100) / 100,
                    },
                    ha3: { servers: 3, wallMs: ha3, ratioToSingle: ratio(ha3), target: "about 3 (servers one at a time)" },
                    noChange32: { clusters: 32, wallMs: noChange32, ratioToSingle: ratio(noChange32), restarts: 0 },
                    restartDelay2s: {
                        single: { wallMs: slow.single },
                        parallel32: { wallMs: slow.parallel32, ratioToSingle: ratio(slow.parallel32, slow.single) },
                        ha3: { wallMs: slow.ha3, ratioToSingle: ratio(slow.ha3, slow.single) },
                    },
                },
                null,
                2,
            ),
        );
    } finally {
        await Promise.all([...singles, ...ha].map((n) => n.stop()));
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
