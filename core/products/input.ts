/** Product input from the API and the forms, validated by zod with the shared field rules. */
import { z } from "zod";
import { trimmedTextPattern } from "../platform/text.ts";
import { parseInput } from "../platform/validation.ts";
import {
  checkProductField,
  fieldMessage,
  LENGTH_LIMITS,
  PRICE_RULE,
  PRICE_TEXT_PATTERN,
  PRODUCT_LIMITS,
} from "./fields.ts";

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
