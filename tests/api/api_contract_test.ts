/** What the fuzzed OpenAPI document promises, pinned by name: 405s, self-revocation, prices, stored text. */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { apiJson, appTest, readBody } from "../helpers/test_app.ts";

appTest(
  "a method a path does not answer is a 405 listing those it does, in the JSON error shape",
  async (app) => {
    for (
      const [method, path, allowed] of [
        ["PUT", "/api/products/bulk", "DELETE, POST"],
        ["POST", "/api/products/export", "GET"],
        ["DELETE", "/api/imports", "GET"],
        ["POST", "/healthz", "GET"],
      ]
    ) {
      const response = await app.fetch(path, { method });
      const body = JSON.parse(await readBody(response));
      equal(response.status, 405, `${method} ${path}`);
      equal(response.headers.get("allow"), allowed, `${method} ${path}`);
      equal(body.error.code, "method_not_allowed");
    }
    const product = await app.fetch("/api/products/not-a-number");
    equal(product.status, 404);
    await readBody(product);
  },
);

appTest("a token cannot revoke itself (409), and another write token can revoke it", async (app) => {
  const created = await apiJson(app, "POST", "/api/tokens", { name: "deploy bot", scope: "write" });
  equal(created.status, 201);
  const bot = { url: app.url, token: created.body.token as string };
  const itself = await apiJson(bot, "DELETE", `/api/tokens/${created.body.id}`);
  equal(itself.status, 409);
  match(itself.body.error.message, /cannot revoke itself/);
  equal((await apiJson(bot, "GET", "/api/products")).status, 200, "still works");
  equal((await apiJson(app, "DELETE", `/api/tokens/${created.body.id}`)).status, 200);
  equal((await apiJson(bot, "GET", "/api/products")).status, 401);
});

appTest("a JSON price is read to the cent, whatever float arithmetic made of it", async (app) => {
  const prices = [0.57, 57 * 0.01, 19.99, 5, 99_999_999.99];
  for (const [index, price] of prices.entries()) {
    const created = await apiJson(app, "POST", "/api/products", { sku: `P-${index}`, name: "Priced", price });
    equal(created.status, 201, JSON.stringify(created.body));
    equal(created.body.price, Math.round(price * 100) / 100);
  }
  for (const price of [0.001, -1, 100_000_000, 1e21]) {
    const refused = await apiJson(app, "POST", "/api/products", { sku: "BAD", name: "Priced", price });
    equal(refused.status, 422, `price ${price}`);
    deepStrictEqual(refused.body.error.details.map((d: { field: string }) => d.field), ["price"]);
  }
});

appTest("a token name is stored text: a NUL is a 422 naming the field, never a 500", async (app) => {
  const refused = await apiJson(app, "POST", "/api/tokens", { name: "bot\u0000", scope: "read" });
  equal(refused.status, 422);
  deepStrictEqual(refused.body.error.details.map((d: { field: string }) => d.field), ["name"]);
  match(refused.body.error.message, /NUL character/);
  const emoji = await apiJson(app, "POST", "/api/tokens", { name: "🤖".repeat(200), scope: "read" });
  equal(emoji.status, 201, "200 characters, however many UTF-16 units");
});

appTest("a search is counted in characters like every field: 200 emoji pass, 201 are a 400", async (app) => {
  const search = (count: number) =>
    app.fetch(`/api/products?search=${encodeURIComponent("🔎".repeat(count))}`);
  const fits = await search(200);
  equal(fits.status, 200);
  await readBody(fits);
  const tooLong = await search(201);
  equal(tooLong.status, 400);
  match(JSON.parse(await readBody(tooLong)).error.message, /search: Use at most 200 characters/);
});
