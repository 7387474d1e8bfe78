import { equal, match, ok } from "node:assert/strict";
import { apiJson, appTest } from "../helpers/test_app.ts";

/** A self-signed certificate for CN=localhost, made fresh for the test; no CA trusts it. */
async function selfSignedCertificate(): Promise<{ cert: string; key: string }> {
  const dir = await Deno.makeTempDir({ prefix: "webhook-tls-" });
  try {
    const openssl = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-days",
        "1",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      ],
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    if (!openssl.success) {
      throw new Error(`openssl could not make a certificate: ${new TextDecoder().decode(openssl.stderr)}`);
    }
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

appTest(
  "a receiver whose certificate is not trusted fails the test send as a tls error, logged",
  async (app) => {
    const { cert, key } = await selfSignedCertificate();
    let requests = 0;
    const aborter = new AbortController();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert,
      key,
      signal: aborter.signal,
      onListen: () => {},
      // A failed handshake is expected here; keep it out of the test output.
      onError: () => new Response("error", { status: 500 }),
    }, () => {
      requests += 1;
      return new Response("ok");
    });
    try {
      const created = await apiJson(app, "POST", "/api/webhooks", {
        url: `https://127.0.0.1:${server.addr.port}/`,
        event_types: ["product.created"],
      });
      equal(created.status, 201, JSON.stringify(created.body));

      const tested = await apiJson(app, "POST", `/api/webhooks/${created.body.id}/test`);
      equal(tested.status, 200);
      equal(tested.body.ok, false);
      equal(tested.body.status, null, "no HTTP answer: the handshake failed first");
      equal(tested.body.error, "tls");
      match(tested.body.message, /TLS handshake failed/);
      match(
        tested.body.message,
        /certificate|issuer|self.signed/i,
        "the message names the certificate problem",
      );
      equal(requests, 0, "the receiver never got the request");

      const logs = await apiJson(app, "GET", `/api/webhooks/${created.body.id}/logs`);
      equal(logs.status, 200);
      equal(logs.body.length, 1);
      const [attempt] = logs.body;
      equal(attempt.event_type, "webhook.test");
      equal(attempt.error_kind, "tls");
      equal(attempt.response_status, null);
      equal(attempt.error_message, tested.body.message);
      ok(attempt.created_at);
    } finally {
      aborter.abort();
      await server.finished;
    }
  },
  { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_TIMEOUT_SECONDS: "10" },
);
