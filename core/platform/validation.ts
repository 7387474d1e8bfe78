/** Validating input with zod into typed values, or a ValidationError with a message per field. */
import type { z } from "zod";
import { ValidationError } from "./errors.ts";

/** One field's problem, for showing next to the field. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Validates input against a zod schema or throws {@linkcode ValidationError} with per-field
 * details; `subject` names the thing in the message ("The webhook is not valid: …").
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, subject: string): z.output<T> {
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
