import { createHash } from "node:crypto";
import type { DigestStore } from "../store";
import { failure, ObjectExistsError, StoreError, withoutPrefix, withPrefix, xmlValues } from "./http";
import { amzDate, AwsCredentials, awsUriEncode, sha256HexOf, signV4 } from "./sigv4";

export interface S3StoreOptions {
    bucket: string;
    region: string;
    /** A custom endpoint (MinIO, another S3-compatible store); default `https://s3.<region>.amazonaws.com`. */
    endpoint?: string;
    /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`; what MinIO and most emulators need. */
    pathStyle?: boolean;
    /** Objects live under this prefix; names given to the store are relative to it. */
    prefix?: string;
    /** Days each digest stays locked (S3 Object Lock, compliance mode: nobody, root included, can delete it early). */
    retentionDays: number;
    credentials: AwsCredentials;
    now?: () => number;
}

/**
 * A digest store on S3 (REST, SigV4 by hand: the job is one bundled file with no SDK). Writes are
 * conditional (`If-None-Match: *`, S3 answers 412 when the key exists) and locked in compliance mode until
 * `retentionDays` from now; S3 requires Content-MD5 (or a checksum) on a PUT that sets a retention.
 */
export function s3Store(o: S3StoreOptions): DigestStore {
    const now = o.now ?? Date.now;
    const endpoint = new URL(o.endpoint ?? `https://s3.${o.region}.amazonaws.com`);
    const pathStyle = o.pathStyle ?? o.endpoint !== undefined;
    const host = pathStyle ? endpoint.host : `${o.bucket}.${endpoint.host}`;
    const base = `${endpoint.protocol}//${host}`;
    const bucketPath = pathStyle ? `/${awsUriEncode(o.bucket)}` : "";
    const where = `s3://${o.bucket}`;

    async function send(method: string, key: string | undefined, query: Record<string, string>, body?: Buffer, extra: Record<string, string> = {}) {
        const path = `${bucketPath}/${key === undefined ? "" : awsUriEncode(key, true)}`;
        const payloadHash = sha256HexOf(body ?? "");
        const headers: Record<string, string> = {
            host,
            "x-amz-date": amzDate(now()),
            "x-amz-content-sha256": payloadHash,
            ...(o.credentials.sessionToken ? { "x-amz-security-token": o.credentials.sessionToken } : {}),
            ...extra,
        };
        const { authorization } = signV4({ method, path, query, headers, payloadHash, region: o.region, service: "s3", credentials: o.credentials });
        const qs = new URLSearchParams(query).toString();
        const { host: _host, ...sent } = headers;
        return fetch(`${base}${path}${qs ? `?${qs}` : ""}`, {
            method,
            headers: { ...sent, authorization },
            ...(body ? { body } : {}),
        });
    }

    return {
        async list(prefix) {
            const out: string[] = [];
            let token: string | undefined;
            do {
                const query: Record<string, string> = { "list-type": "2", prefix: withPrefix(o.prefix, prefix) };
                if (token) query["continuation-token"] = token;
                const res = await send("GET", undefined, query);
                if (!res.ok) throw await failure(`${where}: listing ${query.prefix}`, res);
                const xml = await res.text();
                out.push(...xmlValues(xml, "Key").map((k) => withoutPrefix(o.prefix, k)));
                token = xmlValues(xml, "IsTruncated")[0] === "true" ? xmlValues(xml, "NextContinuationToken")[0] : undefined;
            } while (token);
            return out.sort();
        },
        async get(name) {
            const key = withPrefix(o.prefix, name);
            const res = await send("GET", key, {});
            if (res.status === 404) return undefined;
            if (!res.ok) throw await failure(`${where}: reading ${key}`, res);
            return res.text();
        },
        async putOnce(name, text) {
            const key = withPrefix(o.prefix, name);
            const body = Buffer.from(text, "utf8");
            const res = await send("PUT", key, {}, body, {
                "content-type": name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8",
                "content-md5": createHash("md5").update(body).digest("base64"),
                "if-none-match": "*",
                "x-amz-object-lock-mode": "COMPLIANCE",
                "x-amz-object-lock-retain-until-date": new Date(now() + o.retentionDays * 86_400_000).toISOString(),
            });
            if (res.status === 412) throw new ObjectExistsError(`${where}: ${key} exists already; digests are written once`);
            // 409 ConditionalRequestConflict: another write of the same key is in flight.
            if (res.status === 409) throw new StoreError(`${where}: ${key} is being written by another request (HTTP 409)`);
            if (!res.ok) throw await failure(`${where}: writing ${key}`, res);
        },
    };
}
