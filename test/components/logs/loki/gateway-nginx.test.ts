import { strict as assert } from "node:assert";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CENTRAL_PUSH_USER, DELETE_USER, pushUser } from "../../../../components/logs/loki/access";
import { htpasswdLine } from "../../../../components/logs/loki/htpasswd";
import { findManifest, skipWithoutHelm } from "../../../helpers/helm";
import { exampleConfig, release, renderReleases } from "../helpers/rendered-charts";

// The gateway's real nginx.conf, rendered by the pinned Loki chart from the prod example's values (delete API
// on), run by a real nginx (Debian's; the chart's image runs nginx 1.31 with the same map/if/auth_basic
// modules). Stubbed, and only because no Loki runs here: the backend, a Node server that answers with the
// path and the X-Scope-OrgID nginx sent it. Also changed for a local run: listen address, backend address,
// the htpasswd, log and temp paths. Skips when nginx is not installed.

const PASSWORDS: Record<string, string> = {
    "akko-audit": "read-pa55",
    [pushUser("edge-paris")]: "edge-pa55",
    [pushUser("factory-lyon")]: "lyon-pa55",
    [pushUser("ocp-core")]: "ocp-pa55",
    [CENTRAL_PUSH_USER]: "central-pa55",
    [DELETE_USER]: "delete-pa55",
};
const READ_TENANTS = "edge-paris|factory-lyon|payments-eu|payments-us|analytics|hds-sante|clinic-lyon|ocp-core|fake";

function hasNginx(): boolean {
    return spawnSync("nginx", ["-v"], { stdio: "ignore" }).status === 0;
}

describe("Loki gateway access (the chart's nginx.conf run by nginx)", function () {
    let dir: string;
    let nginx: ChildProcess | undefined;
    let backend: http.Server;
    let base: string;

    before(async function () {
        skipWithoutHelm(this);
        if (!hasNginx()) {
            console.log("      skipped: no nginx on PATH (apt-get install nginx-light runs this test)");
            this.skip();
        }
        const config = exampleConfig("prod", { deleteApi: { enabled: true, passwordSecret: "lokiDeletePassword" } }, ["lokiDeletePassword"]);
        const conf: string = findManifest(release(renderReleases(config), "loki").manifests, "ConfigMap", "loki-gateway").data["nginx.conf"];
        backend = http.createServer((req, res) => {
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({ path: req.url, orgId: req.headers["x-scope-orgid"] ?? null }));
        });
        await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
        const backendPort = (backend.address() as AddressInfo).port;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "akko-gw-"));
        // nginx's workers (nobody when run as root) read the htpasswd file at request time.
        fs.chmodSync(dir, 0o755);
        const htpasswd = path.join(dir, "htpasswd");
        fs.writeFileSync(
            htpasswd,
            Object.entries(PASSWORDS)
                .map(([u, p]) => htpasswdLine(u, p) + "\n")
                .join(""),
            { mode: 0o644 },
        );
        const port = 20000 + (process.pid % 20000);
        const local = conf
            .replace(/worker_processes\s+\d+;/, "worker_processes 1;")
            .replace(/\/tmp\//g, `${dir}/`)
            .replace(/\/dev\/stderr/g, `${dir}/nginx.log`)
            .replace(/listen\s+8080;/, `listen 127.0.0.1:${port};`)
            .replace(/resolver [^;]+;/, "resolver 127.0.0.1;")
            .replace(/http:\/\/loki\.akko-audit-logs\.svc\.cluster\.local:3100/g, `http://127.0.0.1:${backendPort}`)
            .replace("/etc/nginx/secrets/.htpasswd", htpasswd)
            .replace(/access_log syslog:[^;]+;/, "");
        assert.ok(local.includes(`listen 127.0.0.1:${port};`), "the rendered gateway listens on 8080");
        fs.writeFileSync(path.join(dir, "nginx.conf"), local);
        nginx = spawn("nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        nginx.stderr!.on("data", (d) => (stderr += d));
        base = `http://127.0.0.1:${port}`;
        for (let i = 0; ; i++) {
            try {
                await fetch(`${base}/`);
                break;
            } catch {
                if (i > 50 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
                await new Promise((r) => setTimeout(r, 100));
            }
        }
    });

    after(async () => {
        if (nginx && nginx.exitCode === null) {
            nginx.kill("SIGTERM");
            await new Promise((r) => nginx!.once("exit", r));
        }
        backend?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function call(p: string, user?: string, opts: { tenant?: string; method?: string; password?: string } = {}) {
        const headers: Record<string, string> = {};
        if (user) headers.authorization = "Basic " + Buffer.from(`${user}:${opts.password ?? PASSWORDS[user]}`).toString("base64");
        if (opts.tenant) headers["x-scope-orgid"] = opts.tenant;
        const res = await fetch(base + p, { method: opts.method ?? "GET", headers, ...(opts.method === "POST" ? { body: "{}" } : {}) });
        const text = await res.text();
        return { status: res.status, body: res.headers.get("content-type") === "application/json" ? JSON.parse(text) : text };
    }

    it("the readiness probe's / is open; everything else asks for credentials, and a wrong password gets nothing", async () => {
        assert.deepEqual(await call("/"), { status: 200, body: "OK" });
        assert.equal((await call("/loki/api/v1/push", undefined, { method: "POST" })).status, 401);
        assert.equal((await call("/loki/api/v1/query_range")).status, 401);
        const wrong = await call("/loki/api/v1/push", pushUser("edge-paris"), { method: "POST", tenant: "edge-paris", password: "lyon-pa55" });
        assert.equal(wrong.status, 401);
    });

    it("a k3s agent pushes into its own tenant only, and cannot query", async () => {
        const own = await call("/loki/api/v1/push", pushUser("edge-paris"), { method: "POST", tenant: "edge-paris" });
        assert.deepEqual(own, { status: 200, body: { path: "/loki/api/v1/push", orgId: "edge-paris" } });
        const other = await call("/loki/api/v1/push", pushUser("edge-paris"), { method: "POST", tenant: "factory-lyon" });
        assert.deepEqual(other, { status: 403, body: "akko-audit: tenant not allowed for this user\n" });
        assert.equal((await call("/loki/api/v1/push", pushUser("edge-paris"), { method: "POST", tenant: "edge-paris|factory-lyon" })).status, 403);
        assert.equal((await call("/loki/api/v1/push", pushUser("edge-paris"), { method: "POST" })).status, 403);
        assert.deepEqual(await call("/loki/api/v1/query_range?query={}", pushUser("edge-paris"), { tenant: "edge-paris" }), {
            status: 403,
            body: "akko-audit: not allowed for this user\n",
        });
        assert.equal((await call("/loki/api/v1/delete", pushUser("edge-paris"), { method: "POST", tenant: "edge-paris" })).status, 403);
    });

    it("the central Alloy pushes into the tenants of the clusters it receives, no other", async () => {
        for (const t of ["payments-eu", "payments-us", "analytics", "hds-sante", "clinic-lyon"]) {
            assert.deepEqual(await call("/loki/api/v1/push", CENTRAL_PUSH_USER, { method: "POST", tenant: t }), {
                status: 200,
                body: { path: "/loki/api/v1/push", orgId: t },
            });
        }
        for (const t of ["edge-paris", "ocp-core", "fake"]) {
            assert.equal((await call("/loki/api/v1/push", CENTRAL_PUSH_USER, { method: "POST", tenant: t })).status, 403, t);
        }
    });

    it("the read user queries every tenant at once (its own header ignored), and cannot push, delete or reach Loki's internals", async () => {
        const q = await call("/loki/api/v1/query_range?query=%7Bcluster%3D%22x%22%7D", "akko-audit", { tenant: "edge-paris" });
        assert.deepEqual(q, { status: 200, body: { path: "/loki/api/v1/query_range?query=%7Bcluster%3D%22x%22%7D", orgId: READ_TENANTS } });
        assert.equal((await call("/loki/api/v1/labels", "akko-audit")).body.orgId, READ_TENANTS);
        assert.equal((await call("/loki/api/v1/push", "akko-audit", { method: "POST" })).status, 403);
        assert.equal((await call("/loki/api/v1/delete", "akko-audit", { method: "POST" })).status, 403);
        assert.equal((await call("/loki/api/v1/rules", "akko-audit")).status, 403);
        for (const p of ["/flush", "/config", "/ingester/shutdown", "/api/prom/push", "/otlp/v1/logs"]) {
            assert.equal((await call(p, "akko-audit", { method: "POST" })).status, 403, p);
        }
    });

    it("the read user reads the ruler's rules and alerts of one named tenant (GET only), never writes rules", async () => {
        for (const p of ["/prometheus/api/v1/rules", "/prometheus/api/v1/alerts", "/loki/api/v1/rules"]) {
            assert.deepEqual(await call(p, "akko-audit", { tenant: "factory-lyon" }), { status: 200, body: { path: p, orgId: "factory-lyon" } }, p);
            // The ruler API reads one tenant: without one (or with one not its own) the gateway refuses.
            assert.deepEqual(await call(p, "akko-audit"), { status: 403, body: "akko-audit: tenant not allowed for this user\n" }, p);
            assert.equal((await call(p, "akko-audit", { tenant: "other" })).status, 403, p);
        }
        assert.equal((await call("/loki/api/v1/rules/akko", "akko-audit", { tenant: "factory-lyon", method: "POST" })).status, 403);
        assert.equal((await call("/loki/api/v1/rules/akko/g", "akko-audit", { tenant: "factory-lyon", method: "DELETE" })).status, 403);
        assert.equal((await call("/prometheus/api/v1/rules", pushUser("edge-paris"), { tenant: "edge-paris" })).status, 403);
    });

    it("the delete user (deleteApi on) deletes in one named tenant, and does nothing else", async () => {
        const del = await call("/loki/api/v1/delete?query=%7Bcluster%3D%22edge-paris%22%7D&start=1", DELETE_USER, {
            method: "POST",
            tenant: "edge-paris",
        });
        assert.deepEqual(del.body, { path: "/loki/api/v1/delete?query=%7Bcluster%3D%22edge-paris%22%7D&start=1", orgId: "edge-paris" });
        assert.equal((await call("/loki/api/v1/delete", DELETE_USER, { method: "POST", tenant: "edge-paris|analytics" })).status, 403);
        assert.equal((await call("/loki/api/v1/query_range", DELETE_USER, { tenant: "edge-paris" })).status, 403);
        assert.equal((await call("/loki/api/v1/push", DELETE_USER, { method: "POST", tenant: "edge-paris" })).status, 403);
    });
});
