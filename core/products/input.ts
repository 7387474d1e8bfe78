/** Product input from the API and the forms, validated by zod with the shared field rules. */
import { z } from "zod";
import { trimmedTextPattern } from "../platform/text.ts";
import { parseInput, storedText } from "../platform/validation.ts";
import {
  checkProductField,
  fieldMessage,
  LENGTH_LIMITS,
  PRICE_RULE,
  PRICE_TEXT_PATTERN,
  PRODUCT_LIMITS,
} from "./fields.ts";
import { BULK_ACTIONS, type BulkAction, MAX_SELECTED_IDS, type ProductSelection } from "./selection.ts";

/**
 * A text field checked by the shared product rules, trimmed. Its JSON Schema (the OpenAPI
 * document) states the same rule as a pattern, since zod cannot describe a custom check.
 */
function ruledText(field: "sku" | "name" | "description") {
  return z.string().trim().superRefine((text, ctx) => {
    const problem = checkProductField(field, text);
    if (problem) ctx.addIssue({ code: "custom", message: fieldMessage(field, problem) });
  }).meta({
    description: `${field === "description" ? "Up" : "1"} to ${LENGTH_LIMITS[field]} characters once trimmed`,
    pattern: trimmedTextPattern(LENGTH_LIMITS[field]!, field === "description"),
  });
}

/**
 * A JSON number as price text. Binary floating point cannot hold most cents exactly (0.57 may
 * arrive as 0.5700000000000001), so a number within a millionth of a cent is taken as that cent.
 * A negative number stays negative (and so refused), however close to zero: -1e-250 is not 0.00.
 */
function numberAsPrice(value: number): string {
  if (value < 0) return String(value);
  const cents = Math.round(value * 100);
  return Math.abs(value * 100 - cents) < 1e-6 ? (cents / 100).toFixed(2) : String(value);
}

const price = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const text = value === null ? "" : typeof value === "number" ? numberAsPrice(value) : value.trim();
    if (text === "") return null;
    const problem = checkProductField("price", text);
    if (problem) {
      ctx.addIssue({ code: "custom", message: fieldMessage("price", problem) });
      return z.NEVER;
    }
    return text;
  })
  // What the check above accepts, for the JSON Schema: `pattern` applies to text, the rest to numbers.
  .meta({
    description: `A price ${PRICE_RULE}, as a number or text; null or blank for none`,
    pattern: PRICE_TEXT_PATTERN,
    minimum: 0,
    maximum: PRODUCT_LIMITS.maxPrice,
    multipleOf: 0.01,
  });

const fields = {
  sku: ruledText("sku"),
  name: ruledText("name"),
  description: ruledText("description").nullable().optional()
    .transform((value) => (value === undefined ? undefined : value || null)),
  price,
  active: z.boolean().optional(),
};

/** A new product: `sku` and `name` required; `active` defaults to true. */
export const ProductCreateSchema = z.object(fields).strict();
/** Changes to a product: any subset of the fields. */
export const ProductUpdateSchema = z.object(fields).partial().strict();

/** Validated fields for a new product. */
export type ProductCreate = z.output<typeof ProductCreateSchema>;
/** Validated fields to change on a product. */
export type ProductUpdate = z.output<typeof ProductUpdateSchema>;

/** Validates a new product's fields or throws a ValidationError with per-field details. */
export function parseProductCreate(input: unknown): ProductCreate {
  return parseInput(ProductCreateSchema, input, "product");
}

/** Validates changes to a product or throws a ValidationError with per-field details. */
export function parseProductUpdate(input: unknown): ProductUpdate {
  return parseInput(ProductUpdateSchema, input, "product");
}

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
