import type { DigestStore } from "../store";
import { failure, ObjectExistsError, withoutPrefix, withPrefix, xmlValues } from "./http";

export interface AzureStoreOptions {
    account: string;
    container: string;
    prefix?: string;
    /** A SAS token for the container (create, write, read, list; no delete), with or without its leading `?`. */
    sasToken: string;
    /** Default https://<account>.blob.core.windows.net; Azurite: http://127.0.0.1:10000/<account>. */
    endpoint?: string;
}

/** The Blob service version the requests speak (x-ms-version). */
export const AZURE_API_VERSION = "2023-11-03";

/**
 * A digest store on Azure Blob Storage. Put Blob with `If-None-Match: *` never overwrites (the service answers
 * 409 BlobAlreadyExists, or 412; both are taken as "exists"); the retention is the container's immutability
 * policy, which the program sets and locks.
 */
export function azureStore(o: AzureStoreOptions): DigestStore {
    const base = `${(o.endpoint ?? `https://${o.account}.blob.core.windows.net`).replace(/\/+$/, "")}/${encodeURIComponent(o.container)}`;
    const sas = o.sasToken.replace(/^\?/, "");
    const where = `azure://${o.account}/${o.container}`;
    const blobUrl = (key: string) => `${base}/${key.split("/").map(encodeURIComponent).join("/")}?${sas}`;
    const headers = { "x-ms-version": AZURE_API_VERSION };

    return {
        async list(prefix) {
            const out: string[] = [];
            let marker: string | undefined;
            do {
                const q = new URLSearchParams({ restype: "container", comp: "list", prefix: withPrefix(o.prefix, prefix) });
                if (marker) q.set("marker", marker);
                const res = await fetch(`${base}?${q}&${sas}`, { headers });
                if (!res.ok) throw await failure(`${where}: listing ${q.get("prefix")}`, res);
                const xml = await res.text();
                out.push(...xmlValues(xml, "Name").map((n) => withoutPrefix(o.prefix, n)));
                marker = xmlValues(xml, "NextMarker")[0] || undefined;
            } while (marker);
            return out.sort();
        },
        async get(name) {
            const key = withPrefix(o.prefix, name);
            const res = await fetch(blobUrl(key), { headers });
            if (res.status === 404) return undefined;
            if (!res.ok) throw await failure(`${where}: reading ${key}`, res);
            return res.text();
        },
        async putOnce(name, text) {
            const key = withPrefix(o.prefix, name);
            const res = await fetch(blobUrl(key), {
                method: "PUT",
                headers: {
                    ...headers,
                    "x-ms-blob-type": "BlockBlob",
                    "if-none-match": "*",
                    "content-type": name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8",
                },
                body: text,
            });
            if (res.status === 409 || res.status === 412) throw new ObjectExistsError(`${where}: ${key} exists already; digests are written once`);
            if (!res.ok) throw await failure(`${where}: writing ${key}`, res);
        },
    };
}
