import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from "node:crypto";
import { sha256Hex } from "./entries";

/** Digest format version; a verifier refuses versions it does not know. */
export const DIGEST_VERSION = 1;

/**
 * A signed statement of what Loki held for one cluster and one closed time window (kind "window"), or of
 * entries that arrived for it after it was closed (kind "backfill"). Digests of a cluster form one chain:
 * each carries its sequence number and the hash and signature of the one before (CloudTrail's digest chain).
 */
export interface Digest {
    version: number;
    kind: "window" | "backfill";
    cluster: string;
    seq: number;
    /** [start, end) in RFC 3339, UTC; windows of a chain are contiguous. */
    window: { start: string; end: string };
    /** When the job read Loki for this digest. */
    computedAt: string;
    /** Entries recorded: their count and the SHA-256 of the leaves file stored beside the digest. */
    entries: { count: number; leavesSha256: string };
    /** The previous digest of the chain (absent only at seq 0). */
    previous?: { sha256: string; signature: string };
    /** The signing key: its id (first 16 hex of the SHA-256 of the raw public key) and the raw key, base64. */
    key: { id: string; publicKey: string };
    /** Present when the key changed: the previous key's signature over this key (rotationStatement). */
    rotation?: { fromKeyId: string; endorsement: string };
    /** Ed25519 signature over the canonical form without this field, base64. */
    signature: string;
}

export type UnsignedDigest = Omit<Digest, "signature">;

/** JSON with object keys sorted and no whitespace: the bytes that are signed and hashed. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        return `{${Object.keys(o)
            .filter((k) => o[k] !== undefined)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}

/** The digest file's bytes. */
export function digestText(d: Digest): string {
    return canonicalJson(d) + "\n";
}

/** What the next digest's `previous.sha256` is. */
export function digestHash(d: Digest): string {
    return sha256Hex(digestText(d));
}

export interface SigningKey {
    id: string;
    publicKey: string;
    privateKey: KeyObject;
}

/** The raw 32-byte Ed25519 public key, base64. */
function rawPublicKey(k: KeyObject): string {
    const der = k.export({ format: "der", type: "spki" });
    return der.subarray(der.length - 32).toString("base64");
}

export function keyIdOf(publicKeyBase64: string): string {
    return sha256Hex(Buffer.from(publicKeyBase64, "base64")).slice(0, 16);
}

/** An Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes it). Throws a one-line reason. */
export function signingKey(pem: string): SigningKey {
    let k: KeyObject;
    try {
        k = createPrivateKey(pem);
    } catch {
        throw new Error("not a PKCS#8 PEM private key (openssl genpkey -algorithm ed25519)");
    }
    if (k.asymmetricKeyType !== "ed25519") throw new Error(`a ${k.asymmetricKeyType ?? "unknown"} key; allowed: Ed25519 only`);
    const publicKey = rawPublicKey(createPublicKey(k));
    return { id: keyIdOf(publicKey), publicKey, privateKey: k };
}

function publicKeyObject(raw: string): KeyObject {
    // SPKI DER of an Ed25519 key: a fixed 12-byte prefix, then the raw key (RFC 8410).
    const prefix = Buffer.from("302a300506032b6570032100", "hex");
    return createPublicKey({ key: Buffer.concat([prefix, Buffer.from(raw, "base64")]), format: "der", type: "spki" });
}

export function signDigest(d: UnsignedDigest, key: SigningKey): Digest {
    const signature = sign(null, Buffer.from(canonicalJson(d), "utf8"), key.privateKey).toString("base64");
    return { ...d, signature };
}

/** True when the digest's signature verifies with the key it names (whether that key is trusted is the chain's question). */
export function signatureValid(d: Digest): boolean {
    try {
        const { signature, ...rest } = d;
        return verify(null, Buffer.from(canonicalJson(rest), "utf8"), publicKeyObject(d.key.publicKey), Buffer.from(signature, "base64"));
    } catch {
        return false;
    }
}

/** The statement an outgoing key signs to hand the chain to a new key. */
export function rotationStatement(cluster: string, seq: number, newKey: { id: string; publicKey: string }): string {
    return canonicalJson({ cluster, seq, newKeyId: newKey.id, newPublicKey: newKey.publicKey, purpose: "akko-audit evidence key rotation" });
}

export function endorse(cluster: string, seq: number, newKey: { id: string; publicKey: string }, oldKey: SigningKey): string {
    return sign(null, Buffer.from(rotationStatement(cluster, seq, newKey), "utf8"), oldKey.privateKey).toString("base64");
}

export function endorsementValid(d: Digest, oldPublicKey: string): boolean {
    if (!d.rotation) return false;
    try {
        return verify(
            null,
            Buffer.from(rotationStatement(d.cluster, d.seq, d.key), "utf8"),
            publicKeyObject(oldPublicKey),
            Buffer.from(d.rotation.endorsement, "base64"),
        );
    } catch {
        return false;
    }
}
