/**
 * Static files (issue 12): compressed by what the client accepts, linked under content-hashed names
 * cached for a year, revalidated by ETag under their plain names; the islands bundle only on pages
 * with islands; a favicon.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { apiJson, appTest, fetchWithDeadline, importCsv, readBody, signIn } from "../helpers/test_app.ts";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/**
 * A GET whose body comes back as sent: `fetch` would undo the Content-Encoding, and the point here is
 * to see the compressed bytes.
 */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, timeout: 10_000 }, (response) => {
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      response.on("end", () => {
        const body = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
        let offset = 0;
        for (const chunk of chunks) {
          body.set(chunk, offset);
          offset += chunk.length;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
      response.on("error", reject);
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error(`GET ${url} got no answer within 10 s`)));
    outgoing.on("error", reject);
    outgoing.end();
  });
}

function staticFile(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`../../static/${name}`, import.meta.url));
}

/** The URL a page links a static file under: `/static/app.<hash>.css`. */
function linkedUrl(html: string, name: string): string {
  const [base, extension] = [name.slice(0, name.lastIndexOf(".")), name.slice(name.lastIndexOf(".") + 1)];
  const found = html.match(new RegExp(`"(/static/${base}\\.[0-9a-f]{10}\\.${extension})"`));
  if (!found) throw new Error(`the page does not link ${name} under a hashed name`);
  return found[1];
}

appTest(
  "static files are sent with brotli or gzip, as the client accepts, and unchanged otherwise",
  async (app) => {
    for (const name of ["app.css", "islands.js", "local_times.js"]) {
      const original = staticFile(name);
      const url = `${app.url}/static/${name}`;

      const br = await rawGet(url, { "accept-encoding": "gzip, deflate, br" });
      equal(br.status, 200);
      equal(br.headers["content-encoding"], "br", `${name}: brotli when offered`);
      equal(br.headers["vary"], "Accept-Encoding");
      deepEqual(
        new Uint8Array(brotliDecompressSync(br.body)),
        original,
        `${name}: the same bytes once unpacked`,
      );

      const gzip = await rawGet(url, { "accept-encoding": "gzip" });
      equal(gzip.headers["content-encoding"], "gzip", `${name}: gzip when only gzip is offered`);
      deepEqual(new Uint8Array(gunzipSync(gzip.body)), original);

      const refused = await rawGet(url, { "accept-encoding": "br;q=0, gzip;q=0" });
      equal(refused.headers["content-encoding"], undefined, `${name}: q=0 refuses an encoding`);
      deepEqual(refused.body, original);
      const plain = await rawGet(url);
      equal(plain.headers["content-encoding"], undefined, `${name}: nothing offered, nothing applied`);
      deepEqual(plain.body, original);
      if (name === "islands.js") {
        ok(br.body.length < original.length * 0.4, `brotli ${br.body.length} B of ${original.length} B`);
        ok(gzip.body.length < original.length * 0.45, `gzip ${gzip.body.length} B of ${original.length} B`);
      }
    }
  },
);

appTest(
  "pages link content-hashed static files cached for a year; plain names revalidate with an ETag",
  async (app) => {
    const login = await readBody(await fetchWithDeadline(`${app.url}/login`));
    const cssUrl = linkedUrl(login, "app.css");
    const css = staticFile("app.css");
    const hash = createHash("sha256").update(css).digest("hex").slice(0, 10);
    equal(cssUrl, `/static/app.${hash}.css`, "the name carries the content's hash");

    const hashed = await rawGet(`${app.url}${cssUrl}`);
    equal(hashed.status, 200);
    match(hashed.headers["content-type"] as string, /^text\/css/);
    equal(hashed.headers["cache-control"], "public, max-age=31536000, immutable");
    deepEqual(hashed.body, css);

    const plain = await rawGet(`${app.url}/static/app.css`);
    equal(plain.headers["cache-control"], "no-cache", "a plain name is checked before reuse");
    const etag = plain.headers["etag"] as string;
    equal(etag, `"${hash}"`);
    const again = await rawGet(`${app.url}/static/app.css`, { "if-none-match": etag });
    equal(again.status, 304, "unchanged: Not Modified");
    equal(again.body.length, 0);
    equal(again.headers["etag"], etag);
    // The ETag of the brotli copy names the same content: revalidating it is a 304 too.
    const brotli = await rawGet(`${app.url}/static/app.css`, { "accept-encoding": "br" });
    equal(brotli.headers["etag"], `"${hash}-br"`);
    equal((await rawGet(`${app.url}/static/app.css`, { "if-none-match": `"${hash}-br"` })).status, 304);
    equal((await rawGet(`${app.url}/static/app.css`, { "if-none-match": '"0123456789"' })).status, 200);

    const missing = await rawGet(`${app.url}/static/app.0123456789.css`);
    equal(missing.status, 404, `a hash that is not the current one names nothing: ${missing.status}`);
  },
);

appTest(
  "the islands bundle is linked only by pages that render an island, times' script only with times",
  async (app) => {
    await importCsv(app, "sku,name\nASSET-1,With a time\n");
    // A loopback address (allowed below): tests never resolve or reach another host.
    const webhook = await apiJson(app, "POST", "/api/webhooks", {
      url: "http://127.0.0.1:9/hook",
      event_types: ["product.created"],
    });
    equal(webhook.status, 201, JSON.stringify(webhook.body));
    const session = await signIn(app);
    const pages = [
      "/",
      "/products/new",
      "/imports",
      "/webhooks",
      `/webhooks/${webhook.body.id}`,
      "/settings/tokens",
      "/settings/users",
      "/settings/password",
      "/settings/audit",
      "/no-such-page",
    ];
    const withIslands: string[] = [];
    const withoutIslands: string[] = [];
    for (const path of pages) {
      const html = await readBody(await session.fetch(path));
      const hasIsland = html.includes("data-island=");
      const linksBundle = /<script type="module" src="\/static\/islands\.[0-9a-f]{10}\.js">/.test(html);
      equal(linksBundle, hasIsland, `${path}: the bundle is linked exactly when an island is rendered`);
      equal(
        html.match(/islands\.[0-9a-f]{10}\.js/g)?.length ?? 0,
        hasIsland ? 1 : 0,
        `${path}: once at most`,
      );
      const hasTime = html.includes("data-local-time=");
      equal(/src="\/static\/local_times\.[0-9a-f]{10}\.js"/.test(html), hasTime, `${path}: times' script`);
      (hasIsland ? withIslands : withoutIslands).push(path);
    }
    const login = await readBody(await fetchWithDeadline(`${app.url}/login`));
    ok(!login.includes("islands."), "the sign-in page loads no script");
    withoutIslands.push("/login");
    ok(withIslands.includes("/") && withIslands.includes("/imports"), `islands on ${withIslands.join(", ")}`);
    ok(withoutIslands.length >= 3, `pages without islands: ${withoutIslands.join(", ")}`);
  },
  { WEBHOOK_ALLOW_PRIVATE: "true" },
);

appTest("every page links an SVG favicon, and /favicon.ico leads to it", async (app) => {
  const login = await readBody(await fetchWithDeadline(`${app.url}/login`));
  const iconUrl = linkedUrl(login, "favicon.svg");
  match(
    login,
    new RegExp(`<link rel="icon" type="image/svg\\+xml" href="${iconUrl.replaceAll(".", "\\.")}"`),
  );
  const icon = await rawGet(`${app.url}${iconUrl}`);
  equal(icon.status, 200);
  equal(icon.headers["content-type"], "image/svg+xml");
  match(new TextDecoder().decode(icon.body), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  ok(icon.body.length < 1_000, "small");

  const legacy = await rawGet(`${app.url}/favicon.ico`);
  equal(legacy.status, 301, "signed out too: no sign-in redirect");
  equal(legacy.headers["location"], iconUrl);
});
