import { Hono } from "hono";
import { z } from "zod";
import { listProducts } from "../../core/products.ts";
import type { AppContext } from "../context.ts";

/** The query string of `GET /api/products`; a limit above the maximum is refused, not honoured. */
export const ProductListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  search: z.string().trim().max(200).optional().transform((value) => value || undefined),
  active: z.enum(["true", "false", "all", ""]).optional().transform((value) =>
    value === "true" ? true : value === "false" ? false : undefined
  ),
});

/** `/api/products` (the list; the product-management issue adds the rest). */
export function productApi(ctx: AppContext): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const query = ProductListQuery.parse(c.req.query());
    return c.json(await listProducts(ctx.db, query));
  });
  return app;
}
