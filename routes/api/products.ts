/** The product API: list, export, create, read, change, delete, delete all. */
import { Hono } from "hono";
import { submitDeleteAll } from "../../core/imports/mod.ts";
import {
  createProduct,
  deleteProduct,
  getProduct,
  listProducts,
  parseProductCreate,
  parseProductUpdate,
  productJson,
  productsCsvStream,
  updateProduct,
} from "../../core/products/mod.ts";
import type { AppContext } from "../context.ts";
import { csvResponse, jsonBody, productFilters, productId, ProductListQuery } from "../http.ts";

/** `/api/products`: list, export, create, read, update, delete, delete all. */
export function productApi(ctx: AppContext): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const page = await listProducts(ctx.db, ProductListQuery.parse(c.req.query()));
    return c.json({ ...page, items: page.items.map(productJson) });
  });

  app.get("/export", (c) => {
    const body = productsCsvStream(ctx.db, ctx.sql, productFilters(c.req.query()));
    return csvResponse(body, `products-${new Date().toISOString().slice(0, 10)}.csv`);
  });

  app.post("/", async (c) => {
    const product = await createProduct(ctx.db, parseProductCreate(await jsonBody(c.req.raw, "product")));
    return c.json(productJson(product), 201, { Location: `/api/products/${product.id}` });
  });

  app.delete("/bulk", async (c) => {
    const job = await submitDeleteAll(ctx.sql, ctx.jobs);
    return c.json({ task_id: job.id, message: "Bulk delete started" }, 202);
  });

  app.get("/:id", async (c) => c.json(productJson(await getProduct(ctx.db, productId(c.req.param("id"))))));

  const update = async (c: { req: { param(name: string): string; raw: Request } }) => {
    const id = productId(c.req.param("id"));
    const input = parseProductUpdate(await jsonBody(c.req.raw, "product"));
    return productJson(await updateProduct(ctx.db, id, input));
  };
  app.put("/:id", async (c) => c.json(await update(c)));
  app.patch("/:id", async (c) => c.json(await update(c)));

  app.delete("/:id", async (c) => {
    await deleteProduct(ctx.db, productId(c.req.param("id")));
    return c.json({ message: "Deleted" });
  });

  return app;
}
