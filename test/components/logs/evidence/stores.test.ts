import { strict as assert } from "node:assert";
import { createHash, generateKeyPairSync, verify } from "node:crypto";
import { ServerResponse } from "node:http";
import { azureStore } from "../../../../components/logs/evidence/stores/azure";
import { gcsStore } from "../../../../components/logs/evidence/stores/gcs";
import { ObjectExistsError } from "../../../../components/logs/evidence/stores/http";
import { s3Store } from "../../../../components/logs/evidence/stores/s3";
import { sha256HexOf, signV4 } from "../../../../components/logs/evidence/stores/sigv4";
import { loopback, Seen } from "./loopback";

// Each server below stands in for the provider (no S3, GCS or Azure here): it checks the request shape the
// provider documents and answers as the provider does, including the refusal of a conditional write.
const NOW = Date.parse("2026-12-01T12:00:00Z");
const NAME = "edge/0000000000-window-20261201T100000Z.json";
const BODY = '{"seq":0}\n';

/** list/get/putOnce, a second putOnce refused as "exists", a missing object, paging through the listing. */
async function exercise(store: ReturnType<typeof s3Store>) {
    await store.putOnce(NAME, BODY);
    await assert.rejects(
        store.putOnce(NAME, "other"),
        (e: Error) => e instanceof ObjectExistsError && /exists already; digests are written once$/.test(e.message),
    );
    await store.putOnce("edge/0000000001-window-20261201T110000Z.json", "b");
    await store.putOnce("edge/0000000002-window-20261201T120000Z.json", "c");
    await store.putOnce("other/0000000000-window-20261201T100000Z.json", "d");
    assert.equal(await store.get(NAME), BODY);
    assert.equal(await store.get("edge/missing.json"), undefined);
    assert.deepEqual(await store.list("edge/"), [
        NAME,
        "edge/0000000001-window-20261201T110000Z.json",
        "edge/0000000002-window-20261201T120000Z.json",
    ]);
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

describe("evidence stores against loopback servers", () => {
    it("S3 (path style, prefix): SigV4 over what is sent, Content-MD5, If-None-Match, Object Lock in compliance mode; 412 when the key exists; ListObjectsV2 paged", async () => {
        const objects = new Map<string, Buffer>();
        const creds = { accessKeyId: "AKIDTEST", secretAccessKey: "secret/key", sessionToken: "session-token" };
        const s3 = await loopback((r: Seen, res: ServerResponse) => {
            // The signature must verify over the request as received (S3 recomputes it the same way).
            const signed = /SignedHeaders=([^,]+)/.exec(String(r.headers.authorization))![1].split(";");
            const headers = Object.fromEntries(signed.map((h) => [h, String(r.headers[h])]));
            const expected = signV4({
                method: r.method,
                path: r.path,
                query: Object.fromEntries(r.query),
                headers,
                payloadHash: String(r.headers["x-amz-content-sha256"]),
                region: "eu-west-1",
                service: "s3",
                credentials: creds,
            }).authorization;
            if (r.headers.authorization !== expected) return void res.writeHead(403).end("<Error><Code>SignatureDoesNotMatch</Code></Error>");
            assert.equal(r.headers["x-amz-content-sha256"], sha256HexOf(r.body));
            assert.equal(r.headers["x-amz-security-token"], "session-token");
            assert.ok(signed.includes("x-amz-security-token") && signed.includes("host"));
            assert.equal(r.path.split("/")[1], "evidence");
            const key = decodeURIComponent(r.path.split("/").slice(2).join("/"));
            if (r.method === "PUT") {
                assert.equal(r.headers["content-md5"], createHash("md5").update(r.body).digest("base64"));
                assert.equal(r.headers["if-none-match"], "*");
                assert.equal(r.headers["x-amz-object-lock-mode"], "COMPLIANCE");
                assert.equal(r.headers["x-amz-object-lock-retain-until-date"], "2027-03-01T12:00:00.000Z");
                assert.ok(signed.includes("content-md5") && signed.includes("x-amz-object-lock-retain-until-date"));
                if (objects.has(key)) return void res.writeHead(412).end("<Error><Code>PreconditionFailed</Code></Error>");
                objects.set(key, r.body);
                return void res.writeHead(200).end();
            }
            if (r.query.get("list-type") === "2") {
                const keys = [...objects.keys()].filter((k) => k.startsWith(r.query.get("prefix")!)).sort();
                const from = Number(r.query.get("continuation-token") ?? "0");
                const page = keys.slice(from, from + 2);
                const more = from + 2 < keys.length;
                return void res
                    .writeHead(200, { "content-type": "application/xml" })
                    .end(
                        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>evidence</Name><Prefix>${xmlEscape(r.query.get("prefix")!)}</Prefix>` +
                            page.map((k) => `<Contents><Key>${xmlEscape(k)}</Key><Size>1</Size></Contents>`).join("") +
                            `<IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${from + 2}</NextContinuationToken>` : ""}</ListBucketResult>`,
                    );
            }
            const o = objects.get(key);
            if (!o) return void res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
            res.writeHead(200).end(o);
        });
        try {
            const store = s3Store({
                bucket: "evidence",
                region: "eu-west-1",
                endpoint: s3.url,
                prefix: "digests/",
                retentionDays: 90,
                credentials: creds,
                now: () => NOW,
            });
            await exercise(store);
            assert.deepEqual([...objects.keys()].sort()[0], "digests/edge/0000000000-window-20261201T100000Z.json");
            assert.ok(s3.seen.filter((r) => r.query.get("list-type") === "2").length >= 2, "the listing was paged");
            const bad = s3Store({
                bucket: "evidence",
                region: "eu-west-1",
                endpoint: s3.url,
                retentionDays: 1,
                credentials: { ...creds, secretAccessKey: "wrong" },
            });
            await assert.rejects(
                bad.get(NAME),
                new Error(
                    "s3://evidence: reading edge/0000000000-window-20261201T100000Z.json: HTTP 403 <Error><Code>SignatureDoesNotMatch</Code></Error>",
                ),
            );
        } finally {
            await s3.close();
        }
    });

    it("GCS: a JWT-bearer token (RS256, verified with the key's public half), upload with ifGenerationMatch=0 (412 when it exists), paged listing", async () => {
        const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        const objects = new Map<string, string>();
        let tokenUri = "";
        const gcs = await loopback((r: Seen, res: ServerResponse) => {
            if (r.path === "/token") {
                const form = new URLSearchParams(r.body.toString());
                assert.equal(form.get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
                const [h, c, sig] = form.get("assertion")!.split(".");
                assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { alg: "RS256", typ: "JWT" });
                const claims = JSON.parse(Buffer.from(c, "base64url").toString());
                assert.deepEqual(claims, {
                    iss: "writer@proj.iam.gserviceaccount.com",
                    scope: "https://www.googleapis.com/auth/devstorage.read_write",
                    aud: tokenUri,
                    iat: NOW / 1000,
                    exp: NOW / 1000 + 3600,
                });
                assert.ok(verify("RSA-SHA256", Buffer.from(`${h}.${c}`), publicKey, Buffer.from(sig, "base64url")));
                return void res
                    .writeHead(200, { "content-type": "application/json" })
                    .end(JSON.stringify({ access_token: "tok-1", expires_in: 3599, token_type: "Bearer" }));
            }
            if (r.headers.authorization !== "Bearer tok-1") return void res.writeHead(401).end('{"error":{"code":401}}');
            if (r.method === "POST" && r.path === "/upload/storage/v1/b/evidence/o") {
                assert.equal(r.query.get("uploadType"), "media");
                assert.equal(r.query.get("ifGenerationMatch"), "0");
                const name = r.query.get("name")!;
                if (objects.has(name))
                    return void res
                        .writeHead(412)
                        .end('{"error":{"code":412,"message":"At least one of the pre-conditions you specified did not hold."}}');
                objects.set(name, r.body.toString());
                return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name, generation: "1" }));
            }
            if (r.path === "/storage/v1/b/evidence/o") {
                const names = [...objects.keys()].filter((k) => k.startsWith(r.query.get("prefix")!)).sort();
                const from = Number(r.query.get("pageToken") ?? "0");
                const more = from + 2 < names.length;
                return void res.writeHead(200, { "content-type": "application/json" }).end(
                    JSON.stringify({
                        items: names.slice(from, from + 2).map((name) => ({ name })),
                        ...(more ? { nextPageToken: String(from + 2) } : {}),
                    }),
                );
            }
            const m = /^\/storage\/v1\/b\/evidence\/o\/(.+)$/.exec(r.path);
            assert.ok(m && r.query.get("alt") === "media", `unexpected ${r.method} ${r.path}`);
            const o = objects.get(decodeURIComponent(m[1]));
            if (o === undefined) return void res.writeHead(404).end('{"error":{"code":404}}');
            res.writeHead(200).end(o);
        });
        tokenUri = `${gcs.url}/token`;
        try {
            const key = {
                client_email: "writer@proj.iam.gserviceaccount.com",
                private_key: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
                token_uri: tokenUri,
            };
            await exercise(gcsStore({ bucket: "evidence", endpoint: gcs.url, serviceAccountKey: key, now: () => NOW }));
            assert.equal(gcs.seen.filter((r) => r.path === "/token").length, 1, "the token is reused until it expires");
            // Without a key: the metadata server's token (Workload Identity).
            const meta = await loopback((r, res) => {
                assert.equal(r.headers["metadata-flavor"], "Google");
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "tok-1", expires_in: 3599 }));
            });
            try {
                assert.equal(await gcsStore({ bucket: "evidence", endpoint: gcs.url, metadataTokenUrl: meta.url + "/token" }).get(NAME), BODY);
            } finally {
                await meta.close();
            }
        } finally {
            await gcs.close();
        }
    });

    it("Azure: Put Blob with a SAS, BlockBlob and If-None-Match: * (409 BlobAlreadyExists when it exists), List Blobs with markers", async () => {
        const blobs = new Map<string, string>();
        const sas = "sv=2022-11-02&sr=c&sp=rcwl&sig=c2lnbmF0dXJl";
        const az = await loopback((r: Seen, res: ServerResponse) => {
            assert.equal(r.query.get("sig"), "c2lnbmF0dXJl");
            assert.equal(r.query.get("sp"), "rcwl");
            assert.equal(r.headers["x-ms-version"], "2023-11-03");
            const [, account, container, ...rest] = r.path.split("/");
            assert.deepEqual([account, container], ["devstoreaccount1", "evidence"]);
            const name = decodeURIComponent(rest.join("/"));
            if (r.method === "PUT") {
                assert.equal(r.headers["x-ms-blob-type"], "BlockBlob");
                assert.equal(r.headers["if-none-match"], "*");
                if (blobs.has(name))
                    return void res.writeHead(409, { "x-ms-error-code": "BlobAlreadyExists" }).end("<Error><Code>BlobAlreadyExists</Code></Error>");
                blobs.set(name, r.body.toString());
                return void res.writeHead(201).end();
            }
            if (r.query.get("comp") === "list") {
                assert.equal(r.query.get("restype"), "container");
                const names = [...blobs.keys()].filter((k) => k.startsWith(r.query.get("prefix")!)).sort();
                const from = Number(r.query.get("marker") ?? "0");
                const more = from + 2 < names.length;
                return void res.writeHead(200, { "content-type": "application/xml" }).end(
                    `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="evidence"><Blobs>` +
                        names
                            .slice(from, from + 2)
                            .map((n) => `<Blob><Name>${xmlEscape(n)}</Name><Properties></Properties></Blob>`)
                            .join("") +
                        `</Blobs><NextMarker>${more ? from + 2 : ""}</NextMarker></EnumerationResults>`,
                );
            }
            const b = blobs.get(name);
            if (b === undefined) return void res.writeHead(404).end("<Error><Code>BlobNotFound</Code></Error>");
            res.writeHead(200).end(b);
        });
        try {
            await exercise(
                azureStore({ account: "devstoreaccount1", container: "evidence", sasToken: "?" + sas, endpoint: `${az.url}/devstoreaccount1` }),
            );
        } finally {
            await az.close();
        }
    });
});
