/** Validating input with zod into typed values, or a ValidationError with a message per field. */
import { z } from "zod";
import { ValidationError } from "./errors.ts";
import { characterCount, describeUnstorable, trimmedTextPattern, unstorableCharacter } from "./text.ts";

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

/**
 * A trimmed text that PostgreSQL can store: no NUL or lone surrogate, at most `maxChars`
 * characters (code points, as varchar counts them), and not blank unless `optional`. Its JSON
 * Schema states the same rule as a pattern, so the OpenAPI document says exactly what is accepted.
 */
export function storedText(options: { maxChars: number; optional?: boolean; blankMessage?: string }) {
  const { maxChars, optional = false, blankMessage = "Enter a value" } = options;
  return z.string().trim().superRefine((text, ctx) => {
    const unstorable = unstorableCharacter(text);
    if (unstorable) {
      ctx.addIssue({
        code: "custom",
        message: `Remove ${describeUnstorable(unstorable)}; it cannot be stored`,
      });
    } else if (text === "" && !optional) {
      ctx.addIssue({ code: "custom", message: blankMessage });
    } else if (text.length > maxChars && characterCount(text) > maxChars) {
      ctx.addIssue({ code: "custom", message: `Use at most ${maxChars.toLocaleString("en-US")} characters` });
    }
  }).meta({
    description: `${
      optional ? "Up" : "1"
    } to ${maxChars} characters once trimmed; no NUL or unpaired surrogate`,
    pattern: trimmedTextPattern(maxChars, optional),
  });
}
