/**
 * Benchmark: `policy simulate` over a generated audit log of realistic shapes, against a bare loop that
 * only JSON.parses the same lines with the same line splitter (the practical limit). Each measurement runs
 * in its own process so peak RSS is its own. Prints JSON.
 *
 *   npm run bench:policy                 # 1,000,000 events
 *   npm run bench:policy -- --events 200000
 */
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { forEachLine, parsePolicy, simulate } from "../policy/engine";

const POLICY = path.join(__dirname, "..", "policy", "audit-policy.yaml");

function arg(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Deterministic pseudo-random numbers so every run measures the same file. */
function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const managedFields = [
    {
        manager: "kubectl-client-side-apply",
        operation: "Update",
        apiVersion: "apps/v1",
        time: "2026-11-25T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": {} } } } },
    },
];

function event(r: () => number, i: number): object {
    const base = {
        kind: "Event",
        apiVersion: "audit.k8s.io/v1",
        auditID: `0b0f${i.toString(16).padStart(28, "0")}`,
        stage: r() < 0.1 ? "RequestReceived" : "ResponseComplete",
        requestReceivedTimestamp: "2026-11-25T10:00:00.000000Z",
        stageTimestamp: "2026-11-25T10:00:00.004000Z",
        sourceIPs: ["10.0.3.17"],
    };
    const ns = `team-${Math.floor(r() * 40)}`;
    const x = r();
    if (x < 0.4) {
        const node = `worker-${Math.floor(r() * 50)}`;
        return {
            ...base,
            level: "Metadata",
            verb: r() < 0.5 ? "get" : "watch",
            user: { username: `system:node:${node}`, groups: ["system:nodes", "system:authenticated"] },
            userAgent: "kubelet/v1.31.2 (linux/amd64)",
            objectRef: { resource: r() < 0.5 ? "pods" : "secrets", namespace: ns, name: `app-${i % 97}`, apiVersion: "v1" },
            requestURI: `/api/v1/namespaces/${ns}/pods/app-${i % 97}`,
            responseStatus: { metadata: {}, code: 200 },
        };
    }
    if (x < 0.6) {
        const probe = ["/readyz", "/livez", "/healthz", "/metrics", "/version"][Math.floor(r() * 5)];
        return {
            ...base,
            level: "Metadata",
            verb: "get",
            user: { username: "system:anonymous", groups: ["system:unauthenticated"] },
            userAgent: "kube-probe/1.31",
            requestURI: probe,
            responseStatus: { metadata: {}, code: 200 },
        };
    }
    const user = { username: `dev${Math.floor(r() * 30)}@example.com`, groups: ["developers", "system:authenticated"] };
    if (x < 0.8) {
        return {
            ...base,
            level: "Metadata",
            verb: r() < 0.5 ? "list" : "get",
            user,
            userAgent: "kubectl/v1.31.2",
            objectRef: { resource: "deployments", apiGroup: "apps", namespace: ns, apiVersion: "v1" },
            requestURI: `/apis/apps/v1/namespaces/${ns}/deployments`,
            responseStatus: { metadata: {}, code: 200 },
        };
    }
    if (x < 0.95) {
        const obj = {
            kind: "Deployment",
            apiVersion: "apps/v1",
            metadata: { name: `web-${i % 13}`, namespace: ns, labels: { app: "web" }, managedFields },
            spec: {
                replicas: 3,
                selector: { matchLabels: { app: "web" } },
                template: {
                    metadata: { labels: { app: "web" } },
                    spec: {
                        containers: [
                            {
                                name: "web",
                                image: "registry.example.com/web:1.4.2",
                                ports: [{ containerPort: 8080 }],
                                resources: { limits: { cpu: "500m", memory: "256Mi" } },
                            },
                        ],
                    },
                },
            },
        };
        return {
            ...base,
            level: "RequestResponse",
            verb: r() < 0.7 ? "patch" : "create",
            user,
            userAgent: "kubectl/v1.31.2",
            objectRef: { resource: "deployments", apiGroup: "apps", namespace: ns, name: `web-${i % 13}`, apiVersion: "v1" },
            requestURI: `/apis/apps/v1/namespaces/${ns}/deployments/web-${i % 13}`,
            requestObject: obj,
            responseObject: obj,
            responseStatus: { metadata: {}, code: 200 },
        };
    }
    return {
        ...base,
        level: "RequestResponse",
        verb: r() < 0.8 ? "get" : "create",
        user,
        userAgent: "kubectl/v1.31.2",
        objectRef: { resource: "pods", subresource: "exec", namespace: ns, name: `app-${i % 97}`, apiVersion: "v1" },
        requestURI: `/api/v1/namespaces/${ns}/pods/app-${i % 97}/exec?command=sh&stdin=true&tty=true`,
        responseStatus: { metadata: {}, code: 101 },
    };
}

async function generate(file: string, events: number): Promise<void> {
    const r = rng(42);
    const out = createWriteStream(file);
    let chunk = "";
    for (let i = 0; i < events; i++) {
        chunk += JSON.stringify(event(r, i)) + "\n";
        if (chunk.length > 1 << 20) {
            if (!out.write(chunk)) await new Promise<void>((res) => out.once("drain", () => res()));
            chunk = "";
        }
    }
    out.write(chunk);
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

/** Child mode: one measurement, printed as JSON. */
async function measure(mode: string, file: string): Promise<void> {
    const start = process.hrtime.bigint();
    let events = 0;
    if (mode === "bare") {
        await forEachLine(createReadStream(file, { highWaterMark: 1 << 20 }), (line) => {
            if (line.length > 0) {
                JSON.parse(line);
                events++;
            }
        });
    } else {
        const report = await simulate(parsePolicy(readFileSync(POLICY, "utf8")), createReadStream(file, { highWaterMark: 1 << 20 }));
        events = report.events;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(JSON.stringify({ events, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

function child(mode: string, file: string) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", mode, file], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { events: number; seconds: number; peakRssMb: number };
}

async function mainBench(): Promise<void> {
    const events = arg("events", 1_000_000);
    const dir = mkdtempSync(path.join(tmpdir(), "akko-bench-"));
    try {
        const small = path.join(dir, "small.jsonl");
        const big = path.join(dir, "big.jsonl");
        await generate(small, Math.max(1, Math.floor(events / 10)));
        await generate(big, events);
        const bare = child("bare", big);
        const sim = child("simulate", big);
        const simSmall = child("simulate", small);
        const rate = (m: { events: number; seconds: number }) => Math.round(m.events / m.seconds);
        console.log(
            JSON.stringify(
                {
                    benchmark: "policy simulate",
                    node: process.version,
                    events,
                    inputBytes: statSync(big).size,
                    bareJsonParse: { seconds: round(bare.seconds), eventsPerSecond: rate(bare), peakRssMb: bare.peakRssMb },
                    simulate: { seconds: round(sim.seconds), eventsPerSecond: rate(sim), peakRssMb: sim.peakRssMb },
                    ratioToBareLoop: round(rate(sim) / rate(bare)),
                    aim: ">= 0.5",
                    memory: {
                        peakRssMbAtTenthOfEvents: simSmall.peakRssMb,
                        peakRssMbAtAllEvents: sim.peakRssMb,
                        note: "constant memory: peak RSS does not grow with the file",
                    },
                },
                null,
                2,
            ),
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function round(x: number): number {
    return Math.round(x * 1000) / 1000;
}

const childAt = process.argv.indexOf("--child");
if (childAt >= 0) void measure(process.argv[childAt + 1], process.argv[childAt + 2]);
else void mainBench();
