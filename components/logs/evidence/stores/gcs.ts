import { createSign } from "node:crypto";
import type { DigestStore } from "../store";
import { failure, ObjectExistsError, StoreError, withoutPrefix, withPrefix } from "./http";

/** The fields of a service-account key file (JSON) that the token exchange uses. */
export interface ServiceAccountKey {
    client_email: string;
    private_key: string;
    token_uri?: string;
}

export interface GcsStoreOptions {
    bucket: string;
    prefix?: string;
    /** A service-account key; without one, the token comes from the metadata server (Workload Identity, a GCE node). */
    serviceAccountKey?: ServiceAccountKey;
    /** Default https://storage.googleapis.com (a test or an emulator points elsewhere). */
    endpoint?: string;
    /** Default the GKE/GCE metadata server's token URL. */
    metadataTokenUrl?: string;
    now?: () => number;
}

const SCOPE = "https://www.googleapis.com/auth/devstorage.read_write";
const METADATA_TOKEN_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";
const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A signed JWT for the OAuth2 JWT-bearer grant (RFC 7523), as Google's service-account flow wants it. */
export function serviceAccountAssertion(key: ServiceAccountKey, nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
    const claims = b64url(
        JSON.stringify({ iss: key.client_email, scope: SCOPE, aud: key.token_uri ?? "https://oauth2.googleapis.com/token", iat, exp: iat + 3600 }),
    );
    const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(key.private_key);
    return `${header}.${claims}.${b64url(signature)}`;
}

/**
 * A digest store on Google Cloud Storage (JSON API). Writes are conditional on the object not existing
 * (`ifGenerationMatch=0`: GCS answers 412 otherwise); the retention is the bucket's (a locked retention
 * policy), which the program sets, so a write carries no lock of its own.
 */
export function gcsStore(o: GcsStoreOptions): DigestStore {
    const now = o.now ?? Date.now;
    const api = (o.endpoint ?? "https://storage.googleapis.com").replace(/\/+$/, "");
    const where = `gs://${o.bucket}`;
    let token: { value: string; until: number } | undefined;

    async function bearer(): Promise<string> {
        if (token && token.until > now() + 60_000) return token.value;
        let res: Response;
        if (o.serviceAccountKey) {
            const uri = o.serviceAccountKey.token_uri ?? "https://oauth2.googleapis.com/token";
            res = await fetch(uri, {
                method: "POST",
                headers: { "content-type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({
                    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    assertion: serviceAccountAssertion(o.serviceAccountKey, now()),
                }).toString(),
            });
            if (!res.ok) throw await failure(`${where}: token for ${o.serviceAccountKey.client_email} from ${uri}`, res);
        } else {
            const url = o.metadataTokenUrl ?? METADATA_TOKEN_URL;
            res = await fetch(url, { headers: { "metadata-flavor": "Google" } });
            if (!res.ok) throw await failure(`${where}: token from the metadata server ${url}`, res);
        }
        const body = (await res.json()) as { access_token?: string; expires_in?: number };
        if (!body.access_token) throw new StoreError(`${where}: the token answer has no access_token`);
        token = { value: body.access_token, until: now() + (body.expires_in ?? 300) * 1000 };
        return token.value;
    }

    const objectUrl = (key: string) => `${api}/storage/v1/b/${encodeURIComponent(o.bucket)}/o/${encodeURIComponent(key)}`;

    return {
        async list(prefix) {
            const out: string[] = [];
            let pageToken: string | undefined;
            do {
                const q = new URLSearchParams({ prefix: withPrefix(o.prefix, prefix), fields: "items(name),nextPageToken" });
                if (pageToken) q.set("pageToken", pageToken);
                const res = await fetch(`${api}/storage/v1/b/${encodeURIComponent(o.bucket)}/o?${q}`, {
                    headers: { authorization: `Bearer ${await bearer()}` },
                });
                if (!res.ok) throw await failure(`${where}: listing ${q.get("prefix")}`, res);
                const body = (await res.json()) as { items?: { name: string }[]; nextPageToken?: string };
                out.push(...(body.items ?? []).map((i) => withoutPrefix(o.prefix, i.name)));
                pageToken = body.nextPageToken;
            } while (pageToken);
            return out.sort();
        },
        async get(name) {
            const key = withPrefix(o.prefix, name);
            const res = await fetch(`${objectUrl(key)}?alt=media`, { headers: { authorization: `Bearer ${await bearer()}` } });
            if (res.status === 404) return undefined;
            if (!res.ok) throw await failure(`${where}: reading ${key}`, res);
            return res.text();
        },
        async putOnce(name, text) {
            const key = withPrefix(o.prefix, name);
            const q = new URLSearchParams({ uploadType: "media", name: key, ifGenerationMatch: "0" });
            const res = await fetch(`${api}/upload/storage/v1/b/${encodeURIComponent(o.bucket)}/o?${q}`, {
                method: "POST",
                headers: {
                    authorization: `Bearer ${await bearer()}`,
                    "content-type": name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8",
                },
                body: text,
            });
            if (res.status === 412) throw new ObjectExistsError(`${where}: ${key} exists already; digests are written once`);
            if (!res.ok) throw await failure(`${where}: writing ${key}`, res);
        },
    };
}
