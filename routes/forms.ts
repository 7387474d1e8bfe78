/** Shared handling of plain HTML forms: per-field messages and the status of a re-rendered form. */
import { htmlResponse } from "../components/render.ts";
import { ConflictError, type FieldError, ValidationError } from "../core/platform/mod.ts";

/** The first message for each field of a validation or conflict error. */
export function fieldErrors(error: unknown): Record<string, string> {
  const details = (error instanceof ValidationError || error instanceof ConflictError)
    ? error.details
    : undefined;
  const errors: Record<string, string> = {};
  for (const detail of (details as FieldError[] | undefined) ?? []) errors[detail.field] ??= detail.message;
  return errors;
}

/** Re-renders the form with what the user typed and the problems, or rethrows an unexpected error. */
export function formErrorPage(error: unknown, page: preact.JSX.Element): Response {
  if (error instanceof ConflictError) return htmlResponse(page, 409);
  if (error instanceof ValidationError) return htmlResponse(page, 422);
  throw error;
}
