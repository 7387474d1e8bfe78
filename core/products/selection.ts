/**
 * Bulk actions on a selection of products — the ones ticked on a page, or all that match a filter:
 * counting the selection, and deleting, activating or deactivating it a batch at a time, with the
 * webhook event a one-product change queues for each product it changes.
 */
import { type Kysely, sql as rawSql } from "kysely";
import { type AuditContext, recordAudit } from "../audit/mod.ts";
import type { Database } from "../platform/schema.ts";
import { eventBody, type WebhookEventType } from "../webhooks/mod.ts";
import { applyFilters, type ProductFilters } from "./listing.ts";
import { type Product, productJson } from "./store.ts";

/** What a bulk action does to each selected product. */
export const BULK_ACTIONS = ["delete", "activate", "deactivate"] as const;
/** One of {@linkcode BULK_ACTIONS}. */
export type BulkAction = typeof BULK_ACTIONS[number];

/** Which products: those with these ids, or every product matching the filters. */
export type ProductSelection = { ids: number[] } | { filters: ProductFilters };

/** The most ids one selection may name: a page shows at most 200 products. */
export const MAX_SELECTED_IDS = 1000;

/** Products changed per transaction by a bulk action; each batch commits with its events. */
export const BULK_BATCH_SIZE = 1000;

/** The products a selection names, as a query to narrow further. */
function selected(db: Kysely<Database>, selection: ProductSelection) {
  return applyFilters(
    db.selectFrom("products"),
    "ids" in selection ? { ids: selection.ids } : selection.filters,
  );
}

/** How many products the selection names now, counted exactly (a confirmation states it). */
export async function countSelection(db: Kysely<Database>, selection: ProductSelection): Promise<number> {
  const row = await selected(db, selection).select((eb) => eb.fn.countAll<string>().as("total"))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** The first `limit` selected products by SKU, for a confirmation to name. */
export async function sampleSelection(
  db: Kysely<Database>,
  selection: ProductSelection,
  limit: number,
): Promise<Pick<Product, "id" | "sku" | "name">[]> {
  return await selected(db, selection).select(["id", "sku", "name"]).orderBy(rawSql`lower(sku)`)
    .limit(limit).execute();
}

/** What one batch of a bulk action did. */
export interface BatchOutcome {
  /** Selected products the batch looked at (in id order); fewer than the limit means the end. */
  scanned: number;
  /** Of those, the ones it changed (an activate skips products already active). */
  changed: number;
  /** The highest id the batch looked at: the next batch starts after it. */
  lastId: number;
}

/**
 * Applies `action` to the next selected products after id `afterId` (at most `limit`, in id
 * order), in the caller's transaction, and queues for each product it changed the event a
 * one-product change queues (`product.deleted` or `product.updated`, the product as its data).
 */
export async function applyToNextBatch(
  trx: Kysely<Database>,
  action: BulkAction,
  selection: ProductSelection,
  batch: { afterId: number; limit: number },
): Promise<BatchOutcome> {
  const rows = await selected(trx, selection).select("id").where("id", ">", batch.afterId).orderBy("id")
    .limit(batch.limit).forUpdate().execute();
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return { scanned: 0, changed: 0, lastId: batch.afterId };
  let changed: Product[];
  if (action === "delete") {
    changed = await trx.deleteFrom("products").where("id", "in", ids).returningAll().execute();
  } else {
    const active = action === "activate";
    changed = await trx.updateTable("products").set({ active, updated_at: rawSql<Date>`now()` })
      .where("id", "in", ids).where("active", "<>", active).returningAll().execute();
  }
  await recordProductEvents(trx, action === "delete" ? "product.deleted" : "product.updated", changed);
  return { scanned: ids.length, changed: changed.length, lastId: ids[ids.length - 1] };
}

/** Queues one event per product in one statement (a batch of 1,000 is one round trip, not 1,000). */
async function recordProductEvents(
  trx: Kysely<Database>,
  type: WebhookEventType,
  products: Product[],
): Promise<void> {
  if (products.length === 0) return;
  const at = new Date();
  const bodies = JSON.stringify(products.map((product) => eventBody(type, productJson(product), at)));
  await rawSql`SELECT record_webhook_event(${type}, body)
    FROM jsonb_array_elements_text(${bodies}::text::jsonb) AS body`.execute(trx);
}

/** The past tense of an action, for messages: "Deactivated 3 products". */
export function bulkActionDone(action: BulkAction, count: number): string {
  const verb = { delete: "Deleted", activate: "Activated", deactivate: "Deactivated" }[action];
  return `${verb} ${count.toLocaleString("en-US")} ${count === 1 ? "product" : "products"}`;
}

/**
 * Applies `action` to a small selection at once, in one transaction (with its audit entry, given
 * `audit`); returns how many products it changed. Large selections run as jobs instead.
 */
export async function applyBulkActionNow(
  db: Kysely<Database>,
  action: BulkAction,
  selection: ProductSelection,
  options: { audit?: AuditContext } = {},
): Promise<number> {
  return await db.transaction().execute(async (trx) => {
    let changed = 0;
    let afterId = 0;
    while (true) {
      const outcome = await applyToNextBatch(trx, action, selection, { afterId, limit: BULK_BATCH_SIZE });
      changed += outcome.changed;
      afterId = outcome.lastId;
      if (outcome.scanned < BULK_BATCH_SIZE) break;
    }
    await recordAudit(trx, options.audit, {
      action: `products.bulk_${action}`,
      targetType: "product",
      summary: `${bulkActionDone(action, changed)} (${describeSelection(selection)})`,
    });
    return changed;
  });
}

/** A selection in words, for the audit log and the pages: "products with ids 1, 2, 3", `products matching search "red"`. */
export function describeSelection(selection: ProductSelection): string {
  if ("ids" in selection) {
    const shown = selection.ids.slice(0, 10).join(", ");
    return `products with ids ${shown}${
      selection.ids.length > 10 ? `, … (${selection.ids.length} ids)` : ""
    }`;
  }
  const f = selection.filters;
  const parts = [
    f.search ? `search "${f.search}"` : null,
    f.active === undefined ? null : f.active ? "active" : "inactive",
    f.priceMin === undefined ? null : `price from ${f.priceMin}`,
    f.priceMax === undefined ? null : `price to ${f.priceMax}`,
  ].filter((part) => part !== null);
  return parts.length > 0 ? `products matching ${parts.join(", ")}` : "every product";
}
