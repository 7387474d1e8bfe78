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
    await keepForUndo(trx, deleted);
    await recordChange(trx, {
      type: "product.deleted",
      product: deleted,
      summary: `Deleted ${describe(deleted)}`,
    }, options);
    return deleted;
  });
}

/** How long a deleted product can be put back with {@linkcode restoreProduct}. */
const UNDO_HOURS = 24;

/** Keeps the deleted product as it was, for Undo, and forgets those deleted more than a day ago. */
async function keepForUndo(trx: Kysely<Database>, product: Product): Promise<void> {
  await trx.deleteFrom("deleted_products")
    .where("deleted_at", "<", rawSql<Date>`now() - make_interval(hours => ${UNDO_HOURS})`).execute();
  const { id, sku, name, description, price, active, created_at, updated_at } = product;
  const kept = {
    sku,
    name,
    description,
    price,
    active,
    created_at,
    updated_at,
    deleted_at: rawSql<Date>`now()`,
  };
  await trx.insertInto("deleted_products").values({ id, ...kept })
    .onConflict((conflict) => conflict.column("id").doUpdateSet(kept)).execute();
}

/** A product deleted within the last day that Undo can still put back, or null. */
export async function findDeletedProduct(db: Kysely<Database>, id: number): Promise<Product | null> {
  const kept = await db.selectFrom("deleted_products")
    .select(["id", "sku", "name", "description", "price", "active", "created_at", "updated_at"])
    .where("id", "=", id)
    .where("deleted_at", ">=", rawSql<Date>`now() - make_interval(hours => ${UNDO_HOURS})`)
    .executeTakeFirst();
  return kept ?? null;
}

/**
 * Undo of a delete: puts a product deleted within the last day back as it was — the same id, SKU,
 * fields and timestamps — and queues `product.created` (to a receiver it is a product that
 * appears). {@linkcode NotFoundError} when there is nothing to restore; {@linkcode ConflictError}
 * when another product took its SKU meanwhile.
 */
export async function restoreProduct(
  db: Kysely<Database>,
  id: number,
  options: ProductChangeOptions = {},
): Promise<Product> {
  const kept = await findDeletedProduct(db, id);
  if (!kept) {
    throw new NotFoundError(
      `There is no deleted product with id ${id} to restore; Undo works for ${UNDO_HOURS} hours after a delete.`,
    );
  }
  try {
    return await db.transaction().execute(async (trx) => {
      // The id came from the products' sequence, so no other product can hold it; the timestamps
      // are the product's own, which Kysely's table type (rightly) lets no ordinary insert write.
      const restored = await rawSql<Product>`
        INSERT INTO products (id, sku, name, description, price, active, created_at, updated_at)
        SELECT id, sku, name, description, price, active, created_at, updated_at
        FROM deleted_products WHERE id = ${id}
        RETURNING *`.execute(trx);
      const product = restored.rows[0];
      await trx.deleteFrom("deleted_products").where("id", "=", id).execute();
      await recordEventIn(trx, "product.created", productJson(product));
      await recordAudit(trx, options.audit, {
        action: "product.restored",
        targetType: "product",
        targetId: product.id,
        summary: `Restored ${describe(product)}`,
      });
      return product;
    });
  } catch (error) {
    if (isSkuConflict(error)) {
      throw new ConflictError(
        `${kept.sku} cannot be restored: another product with SKU "${kept.sku}" (in some letter case) was created since.`,
        [{ field: "sku", message: "This SKU is now used by another product" }],
      );
    }
    throw error;
  }
}

/** How many products there are, from the counter that triggers keep exact (migration 002). */
export async function countProducts(db: Kysely<Database>): Promise<number> {
  const { total } = await db.selectFrom("product_stats").select("total").executeTakeFirstOrThrow();
  return Number(total);
}
