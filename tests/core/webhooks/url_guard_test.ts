import { deepStrictEqual, equal, match, rejects } from "node:assert/strict";
import { ValidationError } from "../../../core/platform/errors.ts";
import { checkWebhookUrl, UnresolvableHostError } from "../../../core/webhooks/url_guard.ts";

const strict = { allowPrivate: false };

Deno.test("internal addresses are refused in every spelling", async () => {
  const cases: [string, RegExp][] = [
    ["http://127.0.0.1/hook", /is a loopback address/],
    ["http://10.0.0.1/", /is a private address/],
    ["http://192.168.1.10/", /is a private address/],
    ["http://172.16.5.4/", /is a private address/],
    ["http://169.254.169.254/latest/meta-data/", /is a link-local \(cloud metadata\) address/],
    ["http://100.64.0.1/", /is a carrier-grade NAT address/],
    ["http://0.0.0.0/", /is an unspecified address/],
    ["http://224.0.0.1/", /is a multicast address/],
    ["http://2130706433/", /127\.0\.0\.1 is a loopback address/], // decimal
    ["http://0x7f.0x0.0x0.0x1/", /127\.0\.0\.1 is a loopback address/], // hex
    ["http://0177.0.0.1/", /127\.0\.0\.1 is a loopback address/], // octal
    ["http://127.1/", /127\.0\.0\.1 is a loopback address/], // short form
    ["http://[::1]/", /is a loopback address/],
    ["http://[::ffff:127.0.0.1]/", /is an IPv4-mapped IPv6 address/],
    ["http://[::ffff:7f00:1]/", /is an IPv4-mapped IPv6 address/],
    ["http://[fd00::1]/", /is a unique-local IPv6 address/],
    ["http://[fe80::1]/", /is a link-local \(cloud metadata\) address/],
  ];
  for (const [url, expected] of cases) {
    await rejects(checkWebhookUrl(url, strict), (error: Error) => {
      equal(error instanceof ValidationError, true, url);
      match(error.message, expected, url);
      return true;
    }, url);
  }
});

Deno.test("a hostname that resolves to loopback is refused after resolution", async () => {
  await rejects(
    checkWebhookUrl("http://localhost:8000/hook", strict),
    /localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/,
  );
});

Deno.test("other schemes, user info and malformed URLs are refused with the reason", async () => {
  await rejects(checkWebhookUrl("ftp://93.184.216.34/", strict), /Only http and https/);
  await rejects(checkWebhookUrl("file:///etc/passwd", strict), /Only http and https/);
  await rejects(checkWebhookUrl("https://user:pw@93.184.216.34/", strict), /user name or password/);
  await rejects(checkWebhookUrl("not a url", strict), /is not a valid URL/);
  await rejects(checkWebhookUrl(`https://93.184.216.34/${"a".repeat(1000)}`, strict), /longer than 1000/);
});

Deno.test("public addresses pass, and private ones pass when allowed", async () => {
  const publicUrl = await checkWebhookUrl("https://93.184.216.34/hooks?x=1", strict);
  deepStrictEqual(publicUrl.addresses, ["93.184.216.34"]);
  equal(publicUrl.url.pathname, "/hooks");
  const local = await checkWebhookUrl("http://127.0.0.1:9000/", { allowPrivate: true });
  deepStrictEqual(local.addresses, ["127.0.0.1"]);
});

Deno.test("a host name that does not resolve is refused on save with the host named", async () => {
  // An injected resolver: the test never sends a DNS query.
  const notFound = () =>
    Promise.reject(
      Object.assign(new Error("getaddrinfo ENOTFOUND no-such-host.invalid"), { code: "ENOTFOUND" }),
    );
  await rejects(
    checkWebhookUrl("https://no-such-host.invalid/h", { allowPrivate: false, resolveHost: notFound }),
    (error: Error) => {
      equal(error instanceof UnresolvableHostError, true);
      equal(error instanceof ValidationError, true, "a 422 on save, like every refused URL");
      match(error.message, /no-such-host\.invalid could not be resolved/);
      deepStrictEqual((error as ValidationError).details, [{ field: "url", message: error.message }]);
      return true;
    },
  );
});

Deno.test("IPv6 addresses that embed a non-public IPv4 address are refused, naming it", async () => {
  const cases: [string, RegExp][] = [
    // IPv4-compatible: the URL parser writes [::127.0.0.1] as [::7f00:1], plain unicast to ipaddr.js.
    ["http://[::127.0.0.1]/", /IPv4-compatible IPv6 address that embeds 127\.0\.0\.1, a loopback address/],
    ["http://[::10.0.0.1]/", /IPv4-compatible IPv6 address that embeds 10\.0\.0\.1, a private address/],
    ["http://[::a9fe:a9fe]/", /embeds 169\.254\.169\.254, a link-local/],
    ["http://[::ffff:10.1.2.3]/", /IPv4-mapped IPv6 address that embeds 10\.1\.2\.3, a private address/],
    ["http://[::ffff:0:127.0.0.1]/", /IPv4-translated IPv6 address that embeds 127\.0\.0\.1, a loopback/],
    [
      "http://[64:ff9b::7f00:1]/",
      /NAT64 \(64:ff9b::\/96\) IPv6 address that embeds 127\.0\.0\.1, a loopback/,
    ],
    ["http://[64:ff9b::192.168.0.1]/", /NAT64 .* embeds 192\.168\.0\.1, a private address/],
    ["http://[2002:7f00:1::]/", /6to4 IPv6 address that embeds 127\.0\.0\.1, a loopback address/],
    ["http://[2002:a00:1::1]/", /6to4 IPv6 address that embeds 10\.0\.0\.1, a private address/],
    // Teredo: server 65.54.227.120, client 127.0.0.1 stored bit-flipped (80ff:fffe).
    [
      "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
      /Teredo IPv6 address that embeds 127\.0\.0\.1, a loopback/,
    ],
    // Teredo with a private server address.
    ["http://[2001:0:a00:1::]/", /Teredo IPv6 address that embeds 10\.0\.0\.1, a private address/],
  ];
  for (const [url, expected] of cases) {
    await rejects(checkWebhookUrl(url, strict), (error: Error) => {
      equal(error instanceof ValidationError, true, url);
      match(error.message, expected, url);
      return true;
    }, url);
  }
});

Deno.test("an embedding of a public IPv4 address is refused too, pointing to the address itself", async () => {
  await rejects(
    checkWebhookUrl("http://[2002:5db8:d822::1]/", strict),
    /6to4 IPv6 address \(it embeds 93\.184\.216\.34; use that IPv4 address instead\)/,
  );
  await rejects(checkWebhookUrl("http://[::93.184.216.34]/", strict), /IPv4-compatible .*93\.184\.216\.34/);
});

Deno.test("a host name resolving to an embedding of a private address is refused", async () => {
  // An injected resolver: no DNS query is sent.
  await rejects(
    checkWebhookUrl("https://hooks.example.test/", {
      ...strict,
      resolveHost: () => Promise.resolve(["::7f00:1"]),
    }),
    /resolves to ::7f00:1, which is an IPv4-compatible IPv6 address that embeds 127\.0\.0\.1/,
  );
});

Deno.test("with WEBHOOK_ALLOWED_HOSTS, any other host is refused before a name is looked up", async () => {
  const lookedUp: string[] = [];
  const resolveHost = (host: string) => {
    lookedUp.push(host);
    return Promise.resolve(["93.184.215.14"]);
  };
  const options = { allowPrivate: false, allowedHosts: ["hooks.example.test", "203.0.113.7"], resolveHost };
  await rejects(
    checkWebhookUrl("https://elsewhere.example.test/hook", options),
    (error: ValidationError) => {
      match(error.message, /only sends webhooks to hooks\.example\.test, 203\.0\.113\.7 .*not elsewhere/);
      return true;
    },
  );
  deepStrictEqual(lookedUp, []);
  const allowed = await checkWebhookUrl("https://hooks.example.test/hook", options);
  deepStrictEqual(allowed.addresses, ["93.184.215.14"]);
  deepStrictEqual(lookedUp, ["hooks.example.test"]);
  // A listed address still meets the guard: 203.0.113.7 is documentation space, not public.
  await rejects(checkWebhookUrl("http://203.0.113.7/", options), /reserved|not public|public addresses/);
});
