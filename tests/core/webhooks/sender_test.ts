import { deepStrictEqual, equal, match } from "node:assert/strict";
import { sendWebhookRequest } from "../../../core/webhooks/sender.ts";

const BODY = JSON.stringify({ type: "webhook.test", data: {} });

/** A resolver that records what it was asked and answers as given, so no real DNS query is made. */
function fakeResolver(answer: () => Promise<string[]>) {
  const asked: string[] = [];
  return {
    asked,
    resolveHost: (host: string) => {
      asked.push(host);
      return answer();
    },
  };
}

Deno.test("a host name that does not resolve is a dns failure, and nothing is connected to", async () => {
  const resolver = fakeResolver(() =>
    Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND shop.example"), { code: "ENOTFOUND" }))
  );
  const result = await sendWebhookRequest("http://shop.example/hook", BODY, {}, {
    allowPrivate: false,
    timeoutMs: 2_000,
    resolveHost: resolver.resolveHost,
  });
  deepStrictEqual(resolver.asked, ["shop.example"]);
  equal(result.errorKind, "dns");
  equal(result.errorMessage, "The host shop.example could not be resolved.");
  equal(result.ok, false);
  equal(result.status, null, "no response: no request was sent");
  equal(result.responseExcerpt, null);
});

Deno.test("a host name that resolves to a private address is blocked before connecting", async () => {
  const resolver = fakeResolver(() => Promise.resolve(["10.0.0.5"]));
  const result = await sendWebhookRequest("http://shop.example/hook", BODY, {}, {
    allowPrivate: false,
    timeoutMs: 2_000,
    resolveHost: resolver.resolveHost,
  });
  deepStrictEqual(resolver.asked, ["shop.example"]);
  equal(result.errorKind, "blocked");
  match(result.errorMessage ?? "", /shop\.example resolves to 10\.0\.0\.5, which is a private address/);
  equal(result.ok, false);
  equal(result.status, null);
});

Deno.test("a closed port on 127.0.0.1 is a refused connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const result = await sendWebhookRequest(`http://127.0.0.1:${port}/hook`, BODY, {}, {
    allowPrivate: true,
    timeoutMs: 5_000,
  });
  equal(result.errorKind, "refused");
  match(result.errorMessage ?? "", /connection was refused/);
  equal(result.ok, false);
  equal(result.status, null);
});
