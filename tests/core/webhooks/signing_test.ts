import { equal, match, notEqual } from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { generateWebhookSecret, webhookHeaders } from "../../../core/webhooks/signing.ts";

Deno.test("signatures verify with the Standard Webhooks reference library", async () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({
    type: "product.created",
    timestamp: "2026-11-28T12:00:00Z",
    data: { id: 1 },
  });
  const headers = await webhookHeaders(
    { id: "msg_1", timestamp: Math.floor(Date.now() / 1000), body },
    secret,
  );
  // Throws if the signature, id or timestamp does not match.
  const payload = new Webhook(secret).verify(body, headers);
  equal((payload as { type: string }).type, "product.created");
});

Deno.test("a changed body, id or secret fails verification", async () => {
  const secret = generateWebhookSecret();
  const message = { id: "msg_2", timestamp: Math.floor(Date.now() / 1000), body: '{"a":1}' };
  const headers = await webhookHeaders(message, secret);
  const rejects = (fn: () => unknown) => {
    try {
      fn();
    } catch {
      return true;
    }
    return false;
  };
  equal(rejects(() => new Webhook(secret).verify('{"a":2}', headers)), true);
  equal(rejects(() => new Webhook(secret).verify(message.body, { ...headers, "webhook-id": "msg_3" })), true);
  equal(rejects(() => new Webhook(generateWebhookSecret()).verify(message.body, headers)), true);
});

Deno.test("secrets are whsec_ plus base64 of random bytes, different every time", () => {
  const first = generateWebhookSecret();
  match(first, /^whsec_[A-Za-z0-9+/]{32}$/);
  notEqual(first, generateWebhookSecret());
});
