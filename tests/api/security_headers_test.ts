import { equal, match, notEqual, ok } from "node:assert/strict";
import { appTest, fetchWithDeadline, readBody } from "../helpers/test_app.ts";

/** The policy the issue asks for, spelled out: only the app's own scripts, styles and connections. */
const EXPECTED_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

appTest(
  "every kind of response carries the security headers and a request id, and no HSTS over plain HTTP",
  async (app) => {
    const cases: [what: string, path: string, status: number, type: RegExp][] = [
      ["a page", "/", 200, /^text\/html/],
      ["an API JSON answer", "/api/products", 200, /^application\/json/],
      ["a static file", "/static/app.css", 200, /^text\/css/],
      ["a page 404", "/no-such-page", 404, /^text\/html/],
      ["an API 404", "/api/no-such-route", 404, /^application\/json/],
      ["an error page (bad query)", "/?limit=5000", 400, /^text\/html/],
      ["an API error (bad query)", "/api/products?limit=5000", 400, /^application\/json/],
      ["health", "/healthz", 200, /^application\/json/],
    ];
    for (const [what, path, status, type] of cases) {
      const response = await app.fetch(path);
      await readBody(response);
      equal(response.status, status, `${what}: status`);
      match(response.headers.get("content-type") ?? "", type, `${what}: content type`);
      equal(response.headers.get("content-security-policy"), EXPECTED_CSP, `${what}: CSP`);
      equal(response.headers.get("x-content-type-options"), "nosniff", `${what}: nosniff`);
      equal(response.headers.get("referrer-policy"), "strict-origin-when-cross-origin", `${what}: referrer`);
      equal(response.headers.get("x-frame-options"), "DENY", `${what}: frame options`);
      equal(response.headers.get("strict-transport-security"), null, `${what}: no HSTS over http`);
      match(response.headers.get("x-request-id") ?? "", UUID, `${what}: a generated request id`);
    }
  },
);

appTest("behind a proxy that terminated HTTPS, responses carry Strict-Transport-Security", async (app) => {
  const response = await fetchWithDeadline(`${app.url}/`, { headers: { "X-Forwarded-Proto": "https" } });
  await readBody(response);
  equal(response.status, 200);
  match(response.headers.get("strict-transport-security") ?? "", /^max-age=\d{7,}/);
});

appTest("a well-formed incoming X-Request-Id is echoed; a malformed one is replaced", async (app) => {
  const echoed = await fetchWithDeadline(`${app.url}/api/products`, {
    headers: { "X-Request-Id": "lb-7f3a9c.01:retry=2" },
  });
  await readBody(echoed);
  equal(echoed.headers.get("x-request-id"), "lb-7f3a9c.01:retry=2");

  for (const bad of ["has space", "x".repeat(129), 'quote"and<angle>']) {
    const replaced = await fetchWithDeadline(`${app.url}/api/products`, { headers: { "X-Request-Id": bad } });
    await readBody(replaced);
    const id = replaced.headers.get("x-request-id") ?? "";
    notEqual(id, bad);
    match(id, UUID, `"${bad.slice(0, 20)}" is replaced by a fresh id`);
  }

  const a = await fetchWithDeadline(`${app.url}/healthz`);
  const b = await fetchWithDeadline(`${app.url}/healthz`);
  await readBody(a);
  await readBody(b);
  ok(a.headers.get("x-request-id") !== b.headers.get("x-request-id"), "each request gets its own id");
});
