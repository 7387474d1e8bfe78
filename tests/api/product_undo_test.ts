/** Undo of a product delete through the pages' forms, and where those forms may send the browser back to. */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { apiJson, appTest, readBody, signIn } from "../helpers/test_app.ts";

appTest(
  "Undo restores a deleted product unless its SKU was taken since, and returns only to the list",
  async (app) => {
    const created = await apiJson(app, "POST", "/api/products", {
      sku: "UNDO-1",
      name: "Kettle",
      price: 12.5,
    });
    equal(created.status, 201);
    const id = created.body.id;
    const browser = await signIn(app);
    const post = (path: string, fields: Record<string, string>) =>
      browser.fetch(path, {
        method: "POST",
        body: new URLSearchParams({ _csrf: browser.csrfToken, ...fields }),
        redirect: "manual",
      });

    // A return address off the list (another site, another page) is replaced by the list itself.
    for (
      const [sent, expected] of [["//evil.example/?x", "/"], ["/settings", "/"], [
        "/?search=kettle",
        "/?search=kettle",
      ]]
    ) {
      const deleted = await post(`/products/${id}/delete`, { return: sent });
      equal(deleted.status, 303);
      equal(
        deleted.headers.get("location"),
        `${expected}${expected.includes("?") ? "&" : "?"}notice=deleted&product=${id}`,
      );
      await readBody(deleted);
      const list = await readBody(await browser.fetch(deleted.headers.get("location")!));
      match(list, /Deleted UNDO-1 \(“Kettle”\)\./);
      const restored = await post(`/products/${id}/restore`, { return: sent });
      equal(restored.status, 303);
      equal(
        restored.headers.get("location"),
        `${expected}${expected.includes("?") ? "&" : "?"}notice=restored&product=${id}`,
      );
      await readBody(restored);
    }
    const back = await apiJson(app, "GET", `/api/products/${id}`);
    deepStrictEqual([back.body.sku, back.body.name, back.body.price, back.body.created_at], [
      "UNDO-1",
      "Kettle",
      12.5,
      created.body.created_at,
    ]);

    // Restoring twice, or a product never deleted: nothing to restore.
    const twice = await post(`/products/${id}/restore`, {});
    equal(twice.status, 404);
    match(await readBody(twice), /no deleted product with id/);

    // Someone took the SKU meanwhile: the product cannot come back, and the page says why.
    await readBody(await post(`/products/${id}/delete`, {}));
    equal((await apiJson(app, "POST", "/api/products", { sku: "undo-1", name: "Other" })).status, 201);
    const clash = await post(`/products/${id}/restore`, {});
    equal(clash.status, 409);
    match(await readBody(clash), /UNDO-1 cannot be restored: another product with SKU/);
    const [{ count }] = await app.db
      .sql`SELECT count(*)::int AS count FROM deleted_products WHERE id = ${id}`;
    equal(count, 1, "still kept, should the other product go");
  },
);
