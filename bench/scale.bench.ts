/**
 * Benchmark: build the program under the SDK's mocks for fleets of 10, 100, 1000 and 2000 k3s nodes plus 50
 * managed clusters, against a baseline that registers the same number of bare resources with the same SDK
 * and the same recorder. Each measurement runs in its own process (own peak RSS). Prints JSON.
 *
 *   npm run bench                      # sizes 10,100,1000,2000
 *   npm run bench -- --sizes 10,100
 */
import { spawnSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../components/config";
import { validateDeployableStack } from "../components/deployable";
import { buildPlan, finishRecording, startRecording } from "../components/plan";

const MANAGED = 50;

/** The baseline's resource: a custom resource with one input, nothing else. */
class Bare extends pulumi.CustomResource {
    constructor(name: string, props: Record<string, unknown>) {
        super("akko:bench:Bare", name, props);
    }
}
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";
const SUB = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers";

/** A synthetic fleet: `nodes` single-server k3s clusters (every 10th a 3-server HA one) + 50 managed clusters. */
export function syntheticFleet(nodes: number): StackConfig {
    const clusters: Record<string, unknown>[] = [];
    let left = nodes;
    for (let i = 0; left > 0; i++) {
        const size = i % 10 === 9 && left >= 3 ? 3 : 1;
        clusters.push({
            name: `k3s-${i}`,
            kind: "k3s",
            sshPrivateKeySecret: "sshKey",
            servers: Array.from({ length: size }, (_, j) => ({ host: `10.${(i >> 8) & 255}.${i & 255}.${j + 1}`, hostKey: HOST_KEY })),
        });
        left -= size;
    }
    for (let i = 0; i < MANAGED; i++) {
        switch (i % 4) {
            case 0:
                clusters.push({
                    name: `eks-${i}`,
                    kind: "eks",
                    clusterName: `eks-${i}`,
                    region: "eu-west-1",
                    firehoseEndpointUrl: `https://alloy-ingest.example.net/eks-${i}`,
                    firehoseAccessKeySecret: "firehoseKey",
                });
                break;
            case 1:
                clusters.push({ name: `gke-${i}`, kind: "gke", project: "akko-bench-fleet", location: "europe-west1", clusterName: `gke-${i}` });
                break;
            case 2:
                clusters.push({
                    name: `aks-${i}`,
                    kind: "aks",
                    clusterResourceId: `${SUB}/Microsoft.ContainerService/managedClusters/aks-${i}`,
                    workspaceResourceId: `${SUB}/Microsoft.OperationalInsights/workspaces/law`,
                    eventHubLocation: "francecentral",
                });
                break;
            default:
                clusters.push({ name: `ocp-${i}`, kind: "openshift", kubeconfigSecret: "kubeconfig" });
                break;
        }
    }
    const logs = {
        retentionDays: 30,
        gatewayPasswordSecret: "lokiPassword",
        kubeconfigSecret: "logsKubeconfig",
        ingress: { clusterIssuer: "letsencrypt", lokiHost: "loki.example.net" },
        receivers: { gcpCredentialsSecret: "gcpKey" },
    };
    const secrets = ["sshKey", "kubeconfig", "firehoseKey", "lokiPassword", "gcpKey", "logsKubeconfig"];
    return validateDeployableStack({
        stack: "bench",
        values: { clusters, logs, ...Object.fromEntries(secrets.map((k) => [k, "[secret]"])) },
        secretKeys: new Set(secrets),
    });
}

async function measure(mode: string, nodes: number): Promise<void> {
    const config = syntheticFleet(nodes);
    const count = Number(process.argv[process.argv.indexOf("--count") + 1]);
    // Fixed costs paid once per process, not per resource, are measured apart: loading the provider SDKs
    // (they load their modules on first use) and the JIT's warm-up, by one small run before the timed one.
    const loadStart = process.hrtime.bigint();
    const program =
        mode === "program" ? (require("../components/rollout/program") as typeof import("../components/rollout/program")).auditProgram : undefined;
    if (program) await buildPlan(syntheticFleet(1), program);
    else await bare(200);
    const warmupSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;

    const start = process.hrtime.bigint();
    const resources = program ? (await buildPlan(config, program)).resources : await bare(count);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(JSON.stringify({ resources, seconds, warmupSeconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

/** The baseline: `count` bare custom resources through the same SDK, mocks and recorder. */
async function bare(count: number): Promise<number> {
    const recorded = await startRecording({}, [], "bench");
    for (let i = 0; i < count; i++) new Bare(`bare-${i}`, { index: i });
    await finishRecording();
    return recorded.length;
}

function child(args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench child ${args.join(" ")} failed: ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as { resources: number; seconds: number; warmupSeconds: number; peakRssMb: number };
}

function main(): void {
    const i = process.argv.indexOf("--sizes");
    const sizes = (i >= 0 ? process.argv[i + 1] : "10,100,1000,2000").split(",").map(Number);
    const results = sizes.map((nodes) => {
        const program = child(["program", String(nodes)]);
        const bare = child(["bare", String(nodes), "--count", String(program.resources)]);
        return {
            k3sNodes: nodes,
            managedClusters: MANAGED,
            resources: program.resources,
            program: { seconds: round(program.seconds), peakRssMb: program.peakRssMb, sdkLoadAndWarmupSeconds: round(program.warmupSeconds) },
            bareBaseline: { seconds: round(bare.seconds), peakRssMb: bare.peakRssMb },
            ratioToBaseline: round(program.seconds / bare.seconds),
            memoryRatioToBaseline: round(program.peakRssMb / bare.peakRssMb),
            microsecondsPerResource: Math.round((program.seconds / program.resources) * 1e6),
        };
    });
    printResult("program build under mocks", "at most 1.5x the bare baseline in time and in peak memory", results);
}

export function round(x: number): number {
    return Math.round(x * 1000) / 1000;
}

/** Prints a benchmark's result as JSON (what every bench here prints). */
export function printResult(benchmark: string, aim: string, results: unknown[]): void {
    console.log(JSON.stringify({ benchmark, node: process.version, aim, results }, null, 2));
}

// Only as the entry point: bench/plan.bench.ts imports syntheticFleet from here.
if (require.main === module) {
    const at = process.argv.indexOf("--child");
    if (at >= 0) void measure(process.argv[at + 1], Number(process.argv[at + 2]));
    else main();
}
