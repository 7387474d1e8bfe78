import { Hono } from "hono";
import { z } from "zod";
import { createBulkDeleteJob, runBulkDelete } from "../../core/imports/bulk_delete.ts";
import { UnsupportedMediaTypeError, ValidationError } from "../../core/platform/errors.ts";
import { progressChannelName } from "../../core/imports/progress.ts";
import { productsCsvStream } from "../../core/products/export.ts";
import { parseProductInput, ProductCreateSchema, ProductUpdateSchema } from "../../core/products/input.ts";
import {
  createProduct,
  deleteProduct,
  getProduct,
  listProducts,
  type ProductFilters,
  productJson,
  SORT_KEYS,
  updateProduct,
} from "../../core/products/store.ts";
import { idFromPath } from "../../core/platform/path_id.ts";
import type { AppContext } from "../context.ts";

/** The most products one page may hold; a larger `limit` is refused, not honoured. */
export const MAX_PAGE_SIZE = 200;

const priceBound = z.coerce.number("a price bound must be a number").min(0, "a price bound must be 0 or more")
  .max(99_999_999.99).optional();

/** Filters of the list, the page and the export, from a query string. */
export const ProductFiltersQuery = z.object({
  search: z.string().trim().max(200).optional().transform((value) => value || undefined),
  active: z.enum(["true", "false", "all", ""]).optional().transform((value) =>
    value === "true" ? true : value === "false" ? false : undefined
  ),
  price_min: z.union([z.literal("").transform(() => undefined), priceBound]),
  price_max: z.union([z.literal("").transform(() => undefined), priceBound]),
}).refine((q) => q.price_min === undefined || q.price_max === undefined || q.price_min <= q.price_max, {
  message: "price_min must not be greater than price_max",
  path: ["price_min"],
});

/** The query string of `GET /api/products` and of the products page. */
export const ProductListQuery = z.object({
  page: z.coerce.number().int("page must be a whole number").min(1, "page starts at 1").max(1_000_000)
    .default(1),
  limit: z.coerce.number().int("limit must be a whole number").min(1, "limit must be at least 1")
    .max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`).default(50),
  sort: z.enum(SORT_KEYS).default("updated"),
  order: z.enum(["asc", "desc"]).optional(),
}).and(ProductFiltersQuery).transform((q) => ({
  page: q.page,
  limit: q.limit,
  sort: q.sort,
  // Newest first by default; names and SKUs A→Z.
  order: q.order ?? (q.sort === "updated" ? "desc" as const : "asc" as const),
  search: q.search,
  active: q.active,
  priceMin: q.price_min,
  priceMax: q.price_max,
}));

/** Filters from a query string, for the export. */
export function parseFilters(query: Record<string, string>): ProductFilters {
  const q = ProductFiltersQuery.parse(query);
  return { search: q.search, active: q.active, priceMin: q.price_min, priceMax: q.price_max };
}

/** Parses a path id (product ids are PostgreSQL bigints, used up to JavaScript's safe integers). */
export function productId(raw: string): number {
  return idFromPath(raw, "product");
}

/** A request's JSON body; anything but `application/json` is a 415, malformed JSON a 422. */
export async function jsonBody(request: Request, subject = "product"): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new UnsupportedMediaTypeError(
      `Send the ${subject} as JSON (Content-Type: application/json); got "${type}".`,
    );
  }
  try {
    return await request.json();
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}

/** Starts deleting every product in the background and returns its job at once. */
export async function startBulkDelete(ctx: AppContext): Promise<string> {
  const job = await createBulkDeleteJob(ctx.sql);
  const channel = new BroadcastChannel(progressChannelName(job.id));
  runBulkDelete(ctx.sql, job.id, (event) => channel.postMessage(event))
    .catch(() => {}) // recorded on the job
    .finally(() => {
      channel.close();
      ctx.webhooks.wake();
    });
  return job.id;
}

/** `/api/products`: list, export, create, read, update, delete, delete all. */
export function productApi(ctx: AppContext): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const page = await listProducts(ctx.db, ProductListQuery.parse(c.req.query()));
    return c.json({ ...page, items: page.items.map(productJson) });
  });

  app.get("/export", (c) => {
    const body = productsCsvStream(ctx.db, ctx.sql, parseFilters(c.req.query()));
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="products-${new Date().toISOString().slice(0, 10)}.csv"`,
      },
    });
  });

  app.post("/", async (c) => {
    const input = parseProductInput(ProductCreateSchema, await jsonBody(c.req.raw));
    const product = await createProduct(ctx.db, input);
    return c.json(productJson(product), 201, { Location: `/api/products/${product.id}` });
  });

  app.delete("/bulk", async (c) => {
    const taskId = await startBulkDelete(ctx);
    return c.json({ task_id: taskId, message: "Bulk delete started" }, 202);
  });

  app.get("/:id", async (c) => c.json(productJson(await getProduct(ctx.db, productId(c.req.param("id"))))));

  const update = async (c: { req: { param(name: string): string; raw: Request } }) => {
    const id = productId(c.req.param("id"));
    const input = parseProductInput(ProductUpdateSchema, await jsonBody(c.req.raw));
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
