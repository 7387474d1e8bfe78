import { equal, match, ok } from "node:assert/strict";
import {
  apiJson,
  appTest,
  fetchWithDeadline,
  importCsv,
  readBody,
  signIn,
  storedProducts,
  TEST_ADMIN,
  type TestApp,
} from "../helpers/test_app.ts";

const MB = 1024 * 1024;
const EMOJI = "\u{1F600}";

/**
 * Sends a request head (and `body`) on a raw connection and returns the status and body of the
 * answer, with a deadline; for requests fetch will not make (a Content-Length it does not send).
 * The request carries the test token unless `credentials` says otherwise (a `Cookie:` line, or "").
 */
async function rawRequest(
  app: TestApp,
  head: string,
  body = "",
  credentials = `Authorization: Bearer ${app.token}\r\n`,
): Promise<{ status: number; body: string }> {
  const url = new URL(app.url);
  const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(url.port) });
  const timer = setTimeout(() => connection.close(), 10_000);
  try {
    await connection.write(
      new TextEncoder().encode(
        `${head}\r\nHost: 127.0.0.1\r\n${credentials}Connection: close\r\n\r\n${body}`,
      ),
    );
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16 * 1024);
    while (true) {
      const read = await connection.read(buffer).catch(() => null);
      if (read === null) break;
      chunks.push(buffer.slice(0, read));
      const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
      const end = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      // Content-Length counts bytes (an HTML page has non-ASCII ones); the head before `end` is ASCII.
      const received = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
      if (end !== -1 && length !== undefined && received >= end + 4 + Number(length)) break;
    }
    const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    clearTimeout(timer);
    try {
      connection.close();
    } catch {
      // already closed by the deadline or the server
    }
  }
}

function assertTooLarge(status: number, bodyText: string, what: string) {
  equal(status, 413, what);
  const body = JSON.parse(bodyText);
  equal(body.error.code, "payload_too_large", what);
  match(body.error.message, /larger than 1 MB/, what);
}

appTest(
  "a JSON body over 1 MB is a 413 in the JSON error shape, for products and webhook tests",
  async (app) => {
    const big = JSON.stringify({ sku: "BIG-1", name: "Big", description: "x".repeat(MB + 10) });
    const response = await app.fetch(`/api/products`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    assertTooLarge(response.status, await readBody(response), "POST /api/products");

    const hook = await apiJson(app, "POST", "/api/webhooks", { url: "http://127.0.0.1:9/", event_type: "*" });
    equal(hook.status, 201, JSON.stringify(hook.body));
    const test = await app.fetch(`/api/webhooks/${hook.body.id}/test`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payload: { blob: "y".repeat(MB + 10) } }),
    });
    assertTooLarge(test.status, await readBody(test), "POST /api/webhooks/{id}/test");
    equal((await storedProducts(app.db.sql)).length, 0);
    const logs = await apiJson(app, "GET", `/api/webhooks/${hook.body.id}/logs`);
    equal(logs.body.length, 0, "the oversize test event was not sent");
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);

appTest("a Content-Length over 1 MB is refused before the body is read", async (app) => {
  // The head promises 5 MB and nothing follows: the answer can only come from the header.
  const answer = await rawRequest(
    app,
    "POST /api/products HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 5000000",
  );
  assertTooLarge(answer.status, answer.body, "declared 5 MB");
});

appTest("a chunked JSON body is cut off once it passes 1 MB", async (app) => {
  // No length, 1.25 MB in 64 KB chunks and no final chunk: only counting while reading stops it.
  const chunk = "z".repeat(64 * 1024);
  const chunks = ['{"sku":"', ...Array(20).fill(chunk)].map((part) =>
    `${part.length.toString(16)}\r\n${part}\r\n`
  );
  const answer = await rawRequest(
    app,
    "POST /api/products HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
    chunks.join(""),
  );
  assertTooLarge(answer.status, answer.body, "chunked");
});

appTest("a JSON body just under 1 MB is read and validated as usual", async (app) => {
  const answer = await apiJson(app, "POST", "/api/products", {
    sku: "NEAR-1",
    name: "Near",
    description: "x".repeat(MB - 100),
  });
  equal(answer.status, 422);
  match(answer.body.error.message, /description: Use at most 100,000 characters/);
});

appTest("a NUL or a lone surrogate in a product field is a 422 naming the field", async (app) => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ sku: "NUL-1", name: "a\u0000b" }, "name", /NUL character/],
    [{ sku: "NUL\u0000", name: "x" }, "sku", /NUL character/],
    [{ sku: "S-1", name: "x", description: "\ud800" }, "description", /unpaired UTF-16 surrogate/],
    [{ sku: "S-2\udfff", name: "x" }, "sku", /unpaired UTF-16 surrogate/],
  ];
  for (const [input, field, message] of cases) {
    const answer = await apiJson(app, "POST", "/api/products", input);
    equal(answer.status, 422, JSON.stringify(input));
    equal(answer.body.error.details[0].field, field);
    match(answer.body.error.details[0].message, message);
  }
  const created = await apiJson(app, "POST", "/api/products", { sku: "OK-1", name: "Fine" });
  equal(created.status, 201);
  const changed = await apiJson(app, "PATCH", `/api/products/${created.body.id}`, { name: "bad\ud83d" });
  equal(changed.status, 422);
  equal(changed.body.error.details[0].field, "name");
  // The export still streams every product as CSV.
  const exported = await app.fetch(`/api/products/export`);
  equal(exported.status, 200);
  equal((await readBody(exported)).trim(), "sku,name,description,price,active\r\nOK-1,Fine,,,true");
});

appTest("a NUL in a query-string parameter is a 400 naming it, never a 500", async (app) => {
  const paths = [
    "/api/products?search=%00",
    "/api/products?search=a%00b&page=1",
    "/api/products/export?search=%00",
    "/api/products?active=%00",
    "/api/products?price_min=%00",
    "/api/products?page=%00",
  ];
  for (const path of paths) {
    const response = await app.fetch(`${path}`);
    equal(response.status, 400, path);
    const body = JSON.parse(await readBody(response));
    equal(body.error.code, "bad_request", path);
    const name = /\?(?:.*&)?(\w+)=[^&]*%00/.exec(path)![1];
    match(body.error.message, new RegExp(`^${name}: `), path);
  }
  const search = await app.fetch(`/api/products?search=%00`);
  match(JSON.parse(await readBody(search)).error.message, /search: Remove a NUL character/);
  // The page shows the problem instead of failing.
  const page = await app.fetch(`/?search=%00`);
  ok(page.status < 500, `the products page answered ${page.status}`);
  await readBody(page);
});

appTest("a NUL or a lone surrogate in a webhook field is a 422 naming the field", async (app) => {
  const bad = await apiJson(app, "POST", "/api/webhooks", {
    url: "http://127.0.0.1:9/\u0000",
    event_type: "*",
  });
  equal(bad.status, 422);
  equal(bad.body.error.details[0].field, "url");
  match(bad.body.error.details[0].message, /NUL character/);
  const types = await apiJson(app, "POST", "/api/webhooks", {
    url: "http://127.0.0.1:9/",
    event_types: ["\ud800"],
  });
  equal(types.status, 422);
  equal(types.body.error.details[0].field, "event_types.0");
  match(types.body.error.details[0].message, /unpaired UTF-16 surrogate/);
}, { WEBHOOK_ALLOW_PRIVATE: "true" });

appTest("a 255-emoji SKU is accepted by the API and the CSV import alike, 256 by neither", async (app) => {
  const sku255 = EMOJI.repeat(255);
  const sku256 = EMOJI.repeat(256);
  const viaApi = await apiJson(app, "POST", "/api/products", { sku: sku255, name: "API" });
  equal(viaApi.status, 201, JSON.stringify(viaApi.body).slice(0, 300));
  equal(viaApi.body.sku, sku255);
  const refused = await apiJson(app, "POST", "/api/products", { sku: sku256, name: "API" });
  equal(refused.status, 422);
  match(refused.body.error.details[0].message, /at most 255 characters/);

  const { final, job } = await importCsv(
    app,
    `sku,name\n${EMOJI.repeat(254)}x,CSV\n${sku256},Too long\n`,
  );
  equal(final.status, "complete", final.message);
  equal(job.inserted, 1);
  equal(job.failed, 1);
  const report = await readBody(await app.fetch(`/api/imports/${job.id}/errors.csv`));
  match(report, /sku is 256 characters long; the limit is 255/);

  const stored = await storedProducts(app.db.sql);
  equal(stored.length, 2);
  ok(stored.some((product) => product.sku === sku255 && product.name === "API"));
  ok(stored.some((product) => product.sku === `${EMOJI.repeat(254)}x` && product.name === "CSV"));
});

appTest("a delivery id with a NUL in a path or in ?sent= names nothing, never a 500", async (app) => {
  const hook = await apiJson(app, "POST", "/api/webhooks", { url: "http://127.0.0.1:9/", event_type: "*" });
  equal(hook.status, 201);
  const api = await apiJson(app, "POST", `/api/webhooks/${hook.body.id}/deliveries/msg_%00/redeliver`);
  equal(api.status, 404);
  match(api.body.error.message, /has no delivery/);
  const form = await app.fetch(`/webhooks/${hook.body.id}/deliveries/%00/redeliver`, {
    method: "POST",
  });
  equal(form.status, 404);
  await readBody(form);
  const page = await app.fetch(`/webhooks/${hook.body.id}?sent=%00`);
  equal(page.status, 200);
  await readBody(page);
}, { WEBHOOK_ALLOW_PRIVATE: "true" });

/** A 413 page: HTML (forms are pages), saying the limit and that nothing was saved. */
function assertFormTooLarge(status: number, type: string | null, bodyText: string, what: string) {
  equal(status, 413, what);
  match(type ?? "", /^text\/html/, what);
  match(
    bodyText,
    /This form sent more than 2 MB, more than any of this app's forms needs; nothing was saved/,
    what,
  );
}

/** A form-encoded body with the fields given, padded with a filler field to `bytes` bytes or more. */
function paddedForm(fields: Record<string, string>, bytes: number): string {
  const form = new URLSearchParams(fields).toString();
  return `${form}&filler=${"x".repeat(Math.max(0, bytes - form.length))}`;
}

appTest(
  "a form body over 2 MB is a 413 page at sign-in and on signed-in forms, and changes nothing",
  async (app) => {
    const login = await fetchWithDeadline(`${app.url}/login`, {
      method: "POST",
      headers: { origin: app.url, "content-type": "application/x-www-form-urlencoded" },
      body: paddedForm({ ...TEST_ADMIN, next: "/" }, 2 * MB + 10),
      redirect: "manual",
    });
    const loginPage = await readBody(login);
    assertFormTooLarge(login.status, login.headers.get("content-type"), loginPage, "POST /login");
    equal(login.headers.get("set-cookie"), null, "no session was started");

    const session = await signIn(app);
    const tokensBefore = (await apiJson(app, "GET", "/api/tokens")).body.length;
    const token = await session.fetch("/settings/tokens", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: paddedForm({ _csrf: session.csrfToken, name: "Too big", scope: "write" }, 2 * MB + 10),
      redirect: "manual",
    });
    assertFormTooLarge(token.status, token.headers.get("content-type"), await readBody(token), "tokens");
    const product = await session.fetch("/products", {
      method: "POST",
      body: new URLSearchParams({
        _csrf: session.csrfToken,
        sku: "BIG-1",
        name: "Big",
        description: "é".repeat(MB),
      }),
      redirect: "manual",
    });
    assertFormTooLarge(
      product.status,
      product.headers.get("content-type"),
      await readBody(product),
      "products",
    );

    equal((await apiJson(app, "GET", "/api/tokens")).body.length, tokensBefore, "no token was created");
    equal((await storedProducts(app.db.sql)).length, 0, "no product was created");
  },
);

appTest(
  "a form's Content-Length over 2 MB is refused before the body is read, a chunked one at 2 MB",
  async (app) => {
    // The head promises 5 MB and nothing follows: the answer can only come from the header.
    const declared = await rawRequest(
      app,
      "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000000",
      "",
      "",
    );
    equal(declared.status, 413, "declared 5 MB");
    match(declared.body, /more than 2 MB/);

    // No length, 2.5 MB in 64 KB chunks and no final chunk: only counting while reading stops it.
    const chunk = "z".repeat(64 * 1024);
    const chunks = ["email=", ...Array(40).fill(chunk)].map((part) =>
      `${part.length.toString(16)}\r\n${part}\r\n`
    );
    const chunked = await rawRequest(
      app,
      "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
      chunks.join(""),
      "",
    );
    equal(chunked.status, 413, "chunked");
    match(chunked.body, /more than 2 MB/);
  },
);

appTest(
  "a form under the limit still works (a 100,000-emoji description); a body that is not a form is a 415",
  async (app) => {
    const session = await signIn(app);
    const description = EMOJI.repeat(100_000);
    const body = new URLSearchParams({ _csrf: session.csrfToken, sku: "LONG-1", name: "Long", description });
    ok(body.toString().length > MB, "the encoded form is over the JSON limit");
    const created = await session.fetch("/products", { method: "POST", body, redirect: "manual" });
    await readBody(created);
    equal(created.status, 303);
    const stored = await storedProducts(app.db.sql);
    equal(stored.length, 1);
    equal(stored[0].sku, "LONG-1");
    equal(stored[0].description, description);

    const wrongType = await fetchWithDeadline(`${app.url}/login`, {
      method: "POST",
      headers: { origin: app.url, "content-type": "text/plain" },
      body: new URLSearchParams(TEST_ADMIN).toString(),
      redirect: "manual",
    });
    equal(wrongType.status, 415, "a body that is not a form is not read as one");
    match(await readBody(wrongType), /Send this form as application\/x-www-form-urlencoded/);
  },
);
