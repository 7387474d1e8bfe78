/** A bulk action's input from the API, validated by zod: what to do, to which products. */
import { z } from "zod";
import { parseInput, storedText } from "../platform/validation.ts";
import { PRODUCT_LIMITS } from "./fields.ts";
import { BULK_ACTIONS, type BulkAction, MAX_SELECTED_IDS, type ProductSelection } from "./selection.ts";

const priceBound = z.number().min(0, "a price bound must be 0 or more")
  .max(PRODUCT_LIMITS.maxPrice, `a price bound must be at most ${PRODUCT_LIMITS.maxPrice}`);

/** The filter of a bulk action, as the list's query string has it but typed as JSON. */
const BulkFilterSchema = z.object({
  search: storedText({ maxChars: 200, optional: true }).optional(),
  active: z.boolean().optional(),
  price_min: priceBound.optional(),
  price_max: priceBound.optional().meta({ description: "Highest price; not below price_min" }),
}).strict().refine(
  (f) => f.price_min === undefined || f.price_max === undefined || f.price_min <= f.price_max,
  { message: "price_min must not be greater than price_max", path: ["price_min"] },
);

/**
 * A bulk action: what to do (`delete`, `activate`, `deactivate`) to which products — `ids` (1 to
 * 1,000 product ids) or every product matching `filter` (`{}` matches all); exactly one of the two.
 */
export const BulkActionSchema = z.object({
  action: z.enum(BULK_ACTIONS),
  ids: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1, "Name at least one product id")
    .max(MAX_SELECTED_IDS, `Name at most ${MAX_SELECTED_IDS} ids; use a filter for more`).optional(),
  filter: BulkFilterSchema.optional(),
}).strict().superRefine((body, ctx) => {
  if ((body.ids === undefined) === (body.filter === undefined)) {
    ctx.addIssue({
      code: "custom",
      message: "Send either ids or filter (exactly one of them)",
      path: ["ids"],
    });
  }
}).meta({ oneOf: [{ required: ["ids"] }, { required: ["filter"] }] });

/** A validated bulk action. */
export interface BulkActionInput {
  action: BulkAction;
  selection: ProductSelection;
}

/** Validates a bulk action or throws a ValidationError with per-field details. */
export function parseBulkAction(input: unknown): BulkActionInput {
  const body = parseInput(BulkActionSchema, input, "bulk action");
  if (body.ids) return { action: body.action, selection: { ids: [...new Set(body.ids)] } };
  const f = body.filter ?? {};
  return {
    action: body.action,
    selection: {
      filters: {
        search: f.search || undefined,
        active: f.active,
        priceMin: f.price_min,
        priceMax: f.price_max,
      },
    },
  };
}
