import { z } from "zod";
import { ROW_LIMITS } from "../imports/csv_rows.ts";
import { ValidationError } from "../platform/errors.ts";

const PRICE_PATTERN = /^\d+(\.\d{1,2})?$/;

const price = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    if (value === null || (typeof value === "string" && value.trim() === "")) return null;
    const text = typeof value === "number" ? String(value) : value.trim();
    if (!PRICE_PATTERN.test(text) || Number(text) > ROW_LIMITS.maxPrice) {
      ctx.addIssue({
        code: "custom",
        message: "Enter a price from 0 to 99999999.99 with at most 2 decimals, like 19.99",
      });
      return z.NEVER;
    }
    return text;
  });

const fields = {
  sku: z.string().trim().min(1, "Enter a SKU").max(
    ROW_LIMITS.skuChars,
    `Use at most ${ROW_LIMITS.skuChars} characters`,
  ),
  name: z.string().trim().min(1, "Enter a name").max(
    ROW_LIMITS.nameChars,
    `Use at most ${ROW_LIMITS.nameChars} characters`,
  ),
  description: z
    .string()
    .max(
      ROW_LIMITS.descriptionChars,
      `Use at most ${ROW_LIMITS.descriptionChars.toLocaleString("en-US")} characters`,
    )
    .nullable()
    .optional()
    .transform((value) => (value === undefined ? undefined : value?.trim() || null)),
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

/** One field's problem, for showing next to the field. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Validates input against a schema or throws {@linkcode ValidationError} with per-field details;
 * `subject` names the thing in the message ("The webhook is not valid: …").
 */
export function parseProductInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  subject = "product",
): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details: FieldError[] = parsed.error.issues.map((issue) => ({
    field: issue.path.join(".") || "body",
    message: issue.code === "unrecognized_keys"
      ? `Unknown field(s): ${issue.keys.join(", ")}`
      : issue.code === "invalid_type" && issue.input === undefined
      ? "This field is required"
      : issue.message,
  }));
  throw new ValidationError(
    `The ${subject} is not valid: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`,
    details,
  );
}
