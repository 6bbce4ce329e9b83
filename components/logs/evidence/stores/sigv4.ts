import { createHash, createHmac } from "node:crypto";

/** AWS credentials: an access key, its secret, and the session token of temporary credentials. */
export interface AwsCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

/** RFC 3986 percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ (and `/` in paths). */
export function awsUriEncode(s: string, keepSlash = false): string {
    let out = "";
    for (const byte of Buffer.from(s, "utf8")) {
        const c = String.fromCharCode(byte);
        if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) out += c;
        else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
    }
    return out;
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
export const sha256HexOf = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * Signs a request with AWS Signature Version 4 (header form). `path` is already encoded as it goes on the
 * wire (S3 signs it as sent, without encoding it a second time); `query` holds the decoded parameters, which
 * are encoded and sorted here. Every header given is signed (names lowercased, values trimmed); `host` and
 * `x-amz-date` must be among them. Returns the Authorization header's value.
 */
export function signV4(req: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    payloadHash: string;
    region: string;
    service: string;
    credentials: AwsCredentials;
}): { authorization: string; canonicalRequest: string; stringToSign: string } {
    const amzDate = Object.entries(req.headers).find(([k]) => k.toLowerCase() === "x-amz-date")?.[1];
    if (!amzDate) throw new Error("SigV4: the request has no x-amz-date header");
    const day = amzDate.slice(0, 8);
    const query = Object.entries(req.query)
        .map(([k, v]) => [awsUriEncode(k), awsUriEncode(v)])
        .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
    const headers = Object.entries(req.headers)
        .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, " ")] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const signedHeaders = headers.map(([k]) => k).join(";");
    const canonicalRequest = [req.method, req.path, query, headers.map(([k, v]) => `${k}:${v}\n`).join(""), signedHeaders, req.payloadHash].join(
        "\n",
    );
    const scope = `${day}/${req.region}/${req.service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256HexOf(canonicalRequest)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${req.credentials.secretAccessKey}`, day), req.region), req.service), "aws4_request");
    const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
    return {
        authorization: `AWS4-HMAC-SHA256 Credential=${req.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
        canonicalRequest,
        stringToSign,
    };
}

/** `20150830T123600Z` */
export function amzDate(ms: number): string {
    return new Date(ms)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}Z$/, "Z");
}
