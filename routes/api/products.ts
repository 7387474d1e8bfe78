/** The product API: list, export, create, read, change, delete, bulk actions, delete all. */
import { type Context, Hono } from "hono";
import { submitBulkAction, submitDeleteAll } from "../../core/imports/mod.ts";
import {
  countSelection,
  createProduct,
  deleteProduct,
  getProduct,
  listProducts,
  parseBulkAction,
  parseProductCreate,
  parseProductUpdate,
  productJson,
  productsCsvStream,
  updateProduct,
} from "../../core/products/mod.ts";
import type { AppContext, AppEnv } from "../context.ts";
import {
  auditContext,
  csvResponse,
  jsonBody,
  productExportSelection,
  productId,
  ProductListQuery,
} from "../http.ts";

/** `/api/products`: list, export, create, read, update, delete, bulk actions, delete all. */
export function productApi(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const page = await listProducts(ctx.db, ProductListQuery.parse(c.req.query()));
    return c.json({ ...page, items: page.items.map(productJson) });
  });

  app.get("/export", (c) => {
    const body = productsCsvStream(ctx.db, ctx.sql, productExportSelection(c.req.query()));
    return csvResponse(body, `products-${new Date().toISOString().slice(0, 10)}.csv`);
  });

  app.post("/", async (c) => {
    const input = parseProductCreate(await jsonBody(c.req.raw, "product"));
    const product = await createProduct(ctx.db, input, { audit: auditContext(c) });
    return c.json(productJson(product), 201, { Location: `/api/products/${product.id}` });
  });

  app.delete("/bulk", async (c) => {
    const job = await submitDeleteAll(ctx.sql, ctx.jobs, { audit: auditContext(c) });
    return c.json({ task_id: job.id, message: "Bulk delete started" }, 202);
  });

  // Always a job, however small the selection, so a client handles one answer: a task to follow.
  app.post("/bulk", async (c) => {
    const { action, selection } = parseBulkAction(await jsonBody(c.req.raw, "bulk action"));
    const total = await countSelection(ctx.db, selection);
    const job = await submitBulkAction(ctx.sql, ctx.jobs, { action, selection, total }, {
      audit: auditContext(c),
    });
    return c.json({ task_id: job.id, message: `Bulk ${action} of ${total} products started`, total }, 202, {
      Location: `/api/imports/${job.id}`,
    });
  });

  // Digits only, so /bulk and /export are not taken for ids (a PUT there is a 405, not a 404).
  app.get(
    "/:id{[0-9]+}",
    async (c) => c.json(productJson(await getProduct(ctx.db, productId(c.req.param("id"))))),
  );

  const update = async (c: Context<AppEnv>) => {
    const id = productId(c.req.param("id") ?? "");
    const input = parseProductUpdate(await jsonBody(c.req.raw, "product"));
    return productJson(await updateProduct(ctx.db, id, input, { audit: auditContext(c) }));
  };
  app.put("/:id{[0-9]+}", async (c) => c.json(await update(c)));
  app.patch("/:id{[0-9]+}", async (c) => c.json(await update(c)));

  app.delete("/:id{[0-9]+}", async (c) => {
    await deleteProduct(ctx.db, productId(c.req.param("id")), { audit: auditContext(c) });
    return c.json({ message: "Deleted" });
  });

  return app;
}
