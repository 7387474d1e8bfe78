import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { appTest, readBody, type TestApp } from "../helpers/test_app.ts";

/** Sends a JSON body to `/api/products{path}` and returns the status and the parsed answer. */
async function api(app: TestApp, method: string, path: string, body?: unknown) {
  const response = await app.fetch(`/api/products${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await readBody(response);
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

appTest("PATCH changes only the fields sent; the others are untouched and updated_at moves", async (app) => {
  const created = await api(app, "POST", "", {
    sku: "PATCH-1",
    name: "Original",
    description: "Stays as it is",
    price: 10,
    active: true,
  });
  equal(created.status, 201);
  // updated_at has millisecond resolution in the answer; make sure the clock has moved on.
  await new Promise((resolve) => setTimeout(resolve, 20));

  const patched = await api(app, "PATCH", `/${created.body.id}`, { price: "12.34" });
  equal(patched.status, 200);
  deepStrictEqual(
    { ...patched.body, updated_at: undefined },
    { ...created.body, price: 12.34, updated_at: undefined },
    "only price changed",
  );
  ok(
    Date.parse(patched.body.updated_at) > Date.parse(created.body.updated_at),
    `updated_at moved from ${created.body.updated_at} to ${patched.body.updated_at}`,
  );
  deepStrictEqual((await api(app, "GET", `/${created.body.id}`)).body, patched.body, "and it is stored");

  const renamed = await api(app, "PATCH", `/${created.body.id}`, { name: "Renamed", active: false });
  equal(renamed.body.name, "Renamed");
  equal(renamed.body.active, false);
  equal(renamed.body.price, 12.34, "the earlier change is kept");
  equal(renamed.body.description, "Stays as it is");
});

appTest("PATCH of an unknown product id answers 404 with the JSON error", async (app) => {
  const missing = await api(app, "PATCH", "/999999", { name: "Nobody" });
  equal(missing.status, 404);
  equal(missing.body.error.code, "not_found");
  match(missing.body.error.message, /999999/);
});

appTest("PATCH with a bad price answers 422 naming the field and changes nothing", async (app) => {
  const created = await api(app, "POST", "", { sku: "PRICE-1", name: "Priced", price: 5 });
  for (const price of ["1.999", "abc", -1]) {
    const refused = await api(app, "PATCH", `/${created.body.id}`, { price });
    equal(refused.status, 422, String(price));
    equal(refused.body.error.code, "validation_error", String(price));
    const [detail] = refused.body.error.details;
    equal(detail.field, "price", String(price));
    ok(detail.message.length > 0, String(price));
  }
  equal((await api(app, "GET", `/${created.body.id}`)).body.price, 5);
});

appTest("PATCH to a SKU another product has in another letter case answers 409", async (app) => {
  const first = await api(app, "POST", "", { sku: "Clash-1", name: "First" });
  const second = await api(app, "POST", "", { sku: "Other-2", name: "Second" });
  const clash = await api(app, "PATCH", `/${second.body.id}`, { sku: "CLASH-1" });
  equal(clash.status, 409);
  equal(clash.body.error.code, "conflict");
  equal(clash.body.error.details[0].field, "sku");
  equal(clash.body.error.details[0].existing_id, first.body.id);
  equal((await api(app, "GET", `/${second.body.id}`)).body.sku, "Other-2", "nothing changed");
});

appTest("PATCH with a body that is not JSON answers 415", async (app) => {
  const created = await api(app, "POST", "", { sku: "FORM-1", name: "Form" });
  const response = await app.fetch(`/api/products/${created.body.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "name=Changed",
  });
  equal(response.status, 415);
  const body = JSON.parse(await readBody(response));
  match(body.error.message, /application\/json/);
  equal((await api(app, "GET", `/${created.body.id}`)).body.name, "Form");
});
