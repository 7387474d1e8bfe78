/** Random secrets handed out once (session ids, API tokens) and the digests stored in their place. */
import { Buffer } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";

/** A new random secret: 32 bytes, base64url, optionally with a readable prefix. */
export function newSecret(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

/**
 * The stored form of a secret. SHA-256 suffices here (unlike for passwords): the secret is 256
 * random bits, so there is nothing to guess.
 */
export function digest(secret: string): string {
  return createHash("sha256").update(Buffer.from(secret, "utf8")).digest("base64url");
}
