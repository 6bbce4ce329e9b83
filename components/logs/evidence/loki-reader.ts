import { compareTs, LokiEntry } from "./entries";

/** What the evidence reads from Loki: one cluster's stored entries in [startMs, endMs). */
export interface LokiReader {
    entries(cluster: string, startMs: number, endMs: number): Promise<LokiEntry[]>;
}

/** Loki's query_range answer for a log query (docs: "Query logs within a range of time", resultType streams). */
interface QueryRangeAnswer {
    status: string;
    data?: { resultType: string; result: { stream: Record<string, string>; values: [string, string, ...unknown[]][] }[] };
}

export const DEFAULT_PAGE_LIMIT = 5000;
const ms2ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

/**
 * Reads through Loki's HTTP API (the gateway, basic auth). The cluster's own tenant only: the read user's
 * queries span every tenant, so the selector names `__tenant_id__` and every entry's is checked. Pages forward
 * by time, `limit` entries at a time; a page's last instant is read again on the next page (entries of one
 * instant can straddle pages) and what was already seen there is skipped.
 */
export function lokiHttpReader(opts: { url: string; username: string; password: string; pageLimit?: number; fetch?: typeof fetch }): LokiReader {
    const limit = opts.pageLimit ?? DEFAULT_PAGE_LIMIT;
    const doFetch = opts.fetch ?? fetch;
    const auth = "Basic " + Buffer.from(`${opts.username}:${opts.password}`).toString("base64");
    const base = opts.url.replace(/\/+$/, "");
    return {
        async entries(cluster, startMs, endMs) {
            const query = `{cluster=${JSON.stringify(cluster)}, __tenant_id__=${JSON.stringify(cluster)}}`;
            const out: LokiEntry[] = [];
            const seenAtLast = new Set<string>();
            let start = ms2ns(startMs);
            const end = ms2ns(endMs);
            for (;;) {
                const params = new URLSearchParams({ query, start, end, limit: String(limit), direction: "forward" });
                const res = await doFetch(`${base}/loki/api/v1/query_range?${params}`, {
                    headers: { authorization: auth, accept: "application/json" },
                });
                if (!res.ok)
                    throw new Error(
                        `Loki ${base}: query_range for cluster ${cluster} answered HTTP ${res.status} ${(await res.text()).slice(0, 200).trim()}`,
                    );
                const body = (await res.json()) as QueryRangeAnswer;
                if (body.status !== "success" || body.data?.resultType !== "streams")
                    throw new Error(`Loki ${base}: query_range for cluster ${cluster}: not a streams answer (status ${JSON.stringify(body.status)})`);
                const page: LokiEntry[] = [];
                // Whether the page was full, and where it ended, count every entry Loki returned: another
                // tenant's entries (skipped below) still took their place in the limit.
                let returned = 0;
                let lastReturned = start;
                for (const s of body.data.result) {
                    returned += s.values.length;
                    for (const [ts] of s.values) if (BigInt(ts) > BigInt(lastReturned)) lastReturned = ts;
                    const tenant = s.stream.__tenant_id__;
                    if (tenant !== undefined && tenant !== cluster) continue;
                    for (const [ts, line] of s.values) page.push({ ts, labels: s.stream, line });
                }
                page.sort((a, b) => compareTs(a.ts, b.ts));
                const key = (e: LokiEntry) => `${e.ts}\u0000${e.line}\u0000${JSON.stringify(e.labels)}`;
                const fresh = page.filter((e) => !(e.ts === start && seenAtLast.has(key(e))));
                out.push(...fresh.filter((e) => BigInt(e.ts) >= BigInt(ms2ns(startMs)) && BigInt(e.ts) < BigInt(end)));
                if (returned < limit) return out;
                const last = lastReturned;
                if (last === start && fresh.length === 0)
                    throw new Error(`Loki ${base}: more than ${limit} entries of cluster ${cluster} at one instant (${last}); raise the page limit`);
                if (last !== start) seenAtLast.clear();
                for (const e of page) if (e.ts === last) seenAtLast.add(key(e));
                start = last;
            }
        },
    };
}
