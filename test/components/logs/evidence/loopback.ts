import { createServer, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LokiEntry } from "../../../../components/logs/evidence/entries";

/** A request as the loopback server saw it. */
export interface Seen {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: IncomingMessage["headers"];
    body: Buffer;
}

/** An HTTP server on 127.0.0.1 that records each request and answers with `handle`. */
export async function loopback(handle: (r: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
    const seen: Seen[] = [];
    const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const u = new URL(req.url ?? "/", "http://x");
            const r: Seen = { method: req.method ?? "", path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
            seen.push(r);
            try {
                handle(r, res);
            } catch (e) {
                res.writeHead(500).end(`stub: ${(e as Error).message}`);
            }
        });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((ok) => server.close(() => ok())) };
}

/**
 * Stands in for Loki's `GET /loki/api/v1/query_range` (Loki HTTP API docs, "Query logs within a range of
 * time"): basic auth, a log query, start inclusive and end exclusive in nanoseconds, `limit` entries in
 * `direction=forward` order, answered as `{status: "success", data: {resultType: "streams", result: [{stream,
 * values: [[ts, line]]}]}}`. Entries are grouped into streams by their labels, as Loki does. The selector's
 * tenant is not applied: `entries` may hold another tenant's stream, which the reader must drop itself.
 */
export function lokiQueryRange(entries: () => LokiEntry[], auth: { username: string; password: string }) {
    return (r: Seen, res: ServerResponse) => {
        if (r.path !== "/loki/api/v1/query_range") return void res.writeHead(404).end("404 page not found");
        if (r.headers.authorization !== "Basic " + Buffer.from(`${auth.username}:${auth.password}`).toString("base64"))
            return void res.writeHead(401).end("authentication failed");
        const start = BigInt(r.query.get("start")!);
        const end = BigInt(r.query.get("end")!);
        const limit = Number(r.query.get("limit"));
        if (r.query.get("direction") !== "forward") return void res.writeHead(400).end("stub: forward only");
        const cluster = /cluster="([^"]+)"/.exec(r.query.get("query") ?? "")?.[1];
        const page = entries()
            .filter((e) => e.labels.cluster === cluster && BigInt(e.ts) >= start && BigInt(e.ts) < end)
            .sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0))
            .slice(0, limit);
        const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
        for (const e of page) {
            const k = JSON.stringify(e.labels);
            if (!streams.has(k)) streams.set(k, { stream: e.labels, values: [] });
            streams.get(k)!.values.push([e.ts, e.line]);
        }
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({ status: "success", data: { resultType: "streams", result: [...streams.values()], stats: {} } }),
        );
    };
}
