/** Product input from the API and the forms, validated by zod with the shared field rules. */
import { z } from "zod";
import { parseInput } from "../platform/validation.ts";
import { checkProductField, fieldMessage, type ProductField } from "./fields.ts";

/** A text field checked by the shared product rules, trimmed. */
function ruledText(field: ProductField) {
  return z.string().trim().superRefine((text, ctx) => {
    const problem = checkProductField(field, text);
    if (problem) ctx.addIssue({ code: "custom", message: fieldMessage(field, problem) });
  });
}

const price = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const text = value === null ? "" : String(value).trim();
    if (text === "") return null;
    const problem = checkProductField("price", text);
    if (problem) {
      ctx.addIssue({ code: "custom", message: fieldMessage("price", problem) });
      return z.NEVER;
    }
    return text;
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
