import { createHmac } from "node:crypto";
import * as bcrypt from "bcryptjs";

/** bcrypt cost: nginx (musl crypt) verifies $2b$ hashes; 10 keeps a push batch's auth cheap. */
export const BCRYPT_COST = 10;
const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The bcrypt salt for a user/password: derived from both (HMAC-SHA256), not random, so the same secret gives
 * the same htpasswd line and a second `pulumi up` changes nothing (a random salt would rewrite the Secret and
 * restart the gateway every time).
 */
export function deterministicSalt(user: string, password: string, cost = BCRYPT_COST): string {
    const digest = createHmac("sha256", `akko-audit-htpasswd:${user}`).update(password).digest();
    let chars = "";
    for (let i = 0; i < 22; i++) chars += BCRYPT_ALPHABET[digest[i] & 0x3f];
    // The 22nd character only carries 2 bits in bcrypt: keep it canonical.
    chars = chars.slice(0, 21) + ".Oeu"[digest[21] & 0x03];
    return `$2b$${String(cost).padStart(2, "0")}$${chars}`;
}

/** One `.htpasswd` line (`user:bcrypt-hash`) for the gateway's nginx. */
export function htpasswdLine(user: string, password: string): string {
    if (user.includes(":")) throw new Error("htpasswd: the user name must not contain ':'");
    return `${user}:${bcrypt.hashSync(password, deterministicSalt(user, password))}`;
}
