/** Products one at a time: read, create, change, delete, each change with its webhook event. */
import { type Kysely, type Selectable, sql as rawSql } from "kysely";
import { ConflictError, NotFoundError } from "../platform/errors.ts";
import type { Database, ProductTable } from "../platform/schema.ts";
import { type AuditContext, recordAudit } from "../audit/mod.ts";
import { recordEventIn } from "../webhooks/mod.ts";
import type { ProductCreate, ProductUpdate } from "./input.ts";

/** A product as stored. */
export type Product = Selectable<ProductTable>;

/** A product in API responses: price as a number, dates as ISO strings. */
export function productJson(product: Product) {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: product.price === null ? null : Number(product.price),
    active: product.active,
    created_at: product.created_at.toISOString(),
    updated_at: product.updated_at.toISOString(),
  };
}

/** The product with this id, or a {@linkcode NotFoundError}. */
export async function getProduct(db: Kysely<Database>, id: number): Promise<Product> {
  const product = await db.selectFrom("products").selectAll().where("id", "=", id).executeTakeFirst();
  if (!product) throw new NotFoundError(`There is no product with id ${id}.`);
  return product;
}

function isSkuConflict(error: unknown): boolean {
  const pg = error as { code?: string; constraint_name?: string };
  return pg?.code === "23505" && pg.constraint_name === "products_sku_lower_key";
}

async function skuConflict(db: Kysely<Database>, sku: string): Promise<ConflictError> {
  const existing = await db.selectFrom("products").select(["id", "sku"])
    .where(rawSql`lower(sku)`, "=", rawSql`lower(${sku})`).executeTakeFirst();
  return new ConflictError(
    `A product with SKU "${existing?.sku ?? sku}" already exists; SKUs are unique regardless of letter case.`,
    [{ field: "sku", message: "This SKU is already used by another product", existing_id: existing?.id }],
  );
}

/** Options of a one-product change: who makes it, to record in the audit log with the change. */
export interface ProductChangeOptions {
  /** When given, an audit entry is written in the change's transaction. */
  audit?: AuditContext;
}

function describe(product: Product): string {
  return `SKU "${product.sku}" (${product.name})`;
}

/** What a one-product change leaves behind in its transaction: the webhook event and the audit entry. */
async function recordChange(
  trx: Kysely<Database>,
  change: {
    type: "product.created" | "product.updated" | "product.deleted";
    product: Product;
    summary: string;
  },
  options: ProductChangeOptions,
): Promise<void> {
  await recordEventIn(trx, change.type, productJson(change.product));
  await recordAudit(trx, options.audit, {
    action: change.type,
    targetType: "product",
    targetId: change.product.id,
    summary: change.summary,
  });
}

/** Creates a product and queues its `product.created` event; a SKU equal to another's in any letter case is a {@linkcode ConflictError}. */
export async function createProduct(
  db: Kysely<Database>,
  input: ProductCreate,
  options: ProductChangeOptions = {},
): Promise<Product> {
  try {
    return await db.transaction().execute(async (trx) => {
      const product = await trx.insertInto("products").values({
        sku: input.sku,
        name: input.name,
        description: input.description ?? null,
        price: input.price ?? null,
        active: input.active ?? true,
      }).returningAll().executeTakeFirstOrThrow();
      await recordChange(trx, {
        type: "product.created",
        product: product,
        summary: `Created ${describe(product)}`,
      }, options);
      return product;
    });
  } catch (error) {
    if (isSkuConflict(error)) throw await skuConflict(db, input.sku);
    throw error;
  }
}

/**
 * Changes the given fields of a product and queues `product.updated`; with no fields given it
 * returns the product as it is (nothing changed, no event).
 */
export async function updateProduct(
  db: Kysely<Database>,
  id: number,
  input: ProductUpdate,
  options: ProductChangeOptions = {},
): Promise<Product> {
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  if (Object.keys(changes).length === 0) return await getProduct(db, id);
  try {
    return await db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable("products")
        .set({ ...changes, updated_at: rawSql<Date>`now()` })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw new NotFoundError(`There is no product with id ${id}.`);
      await recordChange(trx, {
        type: "product.updated",
        product: updated,
        summary: `Changed ${Object.keys(changes).join(", ")} of ${describe(updated)}`,
      }, options);
      return updated;
    });
  } catch (error) {
    if (isSkuConflict(error)) throw await skuConflict(db, input.sku!);
    throw error;
  }
}

/** Deletes a product, queues `product.deleted` and returns the product, or throws {@linkcode NotFoundError}. */
export async function deleteProduct(
  db: Kysely<Database>,
  id: number,
  options: ProductChangeOptions = {},
): Promise<Product> {
  return await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom("products").where("id", "=", id).returningAll()
      .executeTakeFirst();
    if (!deleted) throw new NotFoundError(`There is no product with id ${id}.`);
    await recordChange(trx, {
      type: "product.deleted",
      product: deleted,
      summary: `Deleted ${describe(deleted)}`,
    }, options);
    return deleted;
  });
}

/** How many products there are, from the counter that triggers keep exact (migration 002). */
export async function countProducts(db: Kysely<Database>): Promise<number> {
  const { total } = await db.selectFrom("product_stats").select("total").executeTakeFirstOrThrow();
  return Number(total);
}
