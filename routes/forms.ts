/** Shared handling of plain HTML forms: save, or show the form again with a message per field. */
import type { VNode } from "preact";
import { htmlResponse } from "../components/render.ts";
import { ConflictError, type FieldError, ValidationError } from "../core/platform/mod.ts";

/** The first message for each field of a validation or conflict error. */
function fieldErrors(error: ValidationError | ConflictError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const detail of (error.details as FieldError[] | undefined) ?? []) {
    errors[detail.field] ??= detail.message;
  }
  return errors;
}

/**
 * Runs a form's `save` (which answers with a redirect). When the input is refused, the form is
 * rendered again by `form` with what the user typed and a message per field — 422 for invalid
 * input, 409 for a conflict; any other error goes on to the error page.
 */
export async function saveForm(
  save: () => Promise<Response>,
  form: (errors: Record<string, string>) => VNode,
): Promise<Response> {
  try {
    return await save();
  } catch (error) {
    if (error instanceof ConflictError) return htmlResponse(form(fieldErrors(error)), 409);
    if (error instanceof ValidationError) return htmlResponse(form(fieldErrors(error)), 422);
    throw error;
  }
}
