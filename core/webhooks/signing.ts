/**
 * Webhook signatures as the Standard Webhooks specification defines them: HMAC-SHA256 over
 * `"{id}.{timestamp}.{body}"` with the secret's base64-decoded bytes, sent as `v1,<base64>`.
 */
import { Buffer } from "node:buffer";

const SECRET_PREFIX = "whsec_";

/** A new signing secret: `whsec_` + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64");
}

/** What is signed: the message id (the same on every retry), the Unix time in seconds and the exact body. */
export interface SignedMessage {
  id: string;
  timestamp: number;
  body: string;
}

/** The `webhook-signature` header value for a message. */
export async function signWebhook(message: SignedMessage, secret: string): Promise<string> {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("A webhook secret starts with whsec_.");
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(Buffer.from(secret.slice(SECRET_PREFIX.length), "base64")),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = new TextEncoder().encode(`${message.id}.${message.timestamp}.${message.body}`);
  return `v1,${Buffer.from(await crypto.subtle.sign("HMAC", key, signed)).toString("base64")}`;
}

/**
 * The three headers a receiver needs to verify a delivery. With several secrets (during a rotation)
 * the signature header lists one signature per secret, space-separated; any one verifies.
 */
export async function webhookHeaders(
  message: SignedMessage,
  secrets: string | string[],
): Promise<Record<string, string>> {
  const signatures = await Promise.all([secrets].flat().map((secret) => signWebhook(message, secret)));
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": signatures.join(" "),
  };
}
