/** Webhook input from the API and the forms, validated by zod. */
import { z } from "zod";
import { parseInput } from "../platform/validation.ts";
// The browser-safe rule module, not products/mod.ts: products' store imports webhooks (a cycle).
import { describeUnstorable, unstorableCharacter } from "../products/fields.ts";
import { WEBHOOK_EVENT_TYPES } from "./events.ts";

/**
 * A text field: a NUL or a lone surrogate cannot be stored (PostgreSQL would fail), so it is
 * refused here with the field named, before anything else looks at the text.
 */
function storableText(message?: string) {
  return z.string(message).superRefine((text, ctx) => {
    const problem = unstorableCharacter(text);
    if (problem) {
      ctx.addIssue({ code: "custom", message: `Remove ${describeUnstorable(problem)}; it cannot be stored` });
    }
  });
}

const KNOWN_TYPES = new Set<string>([...WEBHOOK_EVENT_TYPES, "*"]);

/**
 * Event types as a list: `event_types` (an array) or the brief's `event_type` (one type, `*`, or
 * several separated by commas). `*` alone stands for all of them.
 */
const eventTypes = z.array(storableText().trim()).transform((types, ctx) => {
  const unique = [...new Set(types.filter((type) => type !== ""))];
  if (unique.length === 0) {
    ctx.addIssue({ code: "custom", message: "Choose at least one event type (or * for all)" });
    return z.NEVER;
  }
  const unknown = unique.filter((type) => !KNOWN_TYPES.has(type));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `Unknown event type ${unknown.map((type) => `"${type.slice(0, 60)}"`).join(", ")}; use ${
        [...KNOWN_TYPES].join(", ")
      }`,
    });
    return z.NEVER;
  }
  return unique.includes("*") ? ["*"] : unique;
});

const fields = z.object({
  url: storableText("Enter the URL that receives the events").trim().min(
    1,
    "Enter the URL that receives the events",
  )
    .max(1000, "Use at most 1000 characters"),
  event_type: storableText().optional(),
  event_types: z.array(storableText()).optional(),
  enabled: z.boolean().optional(),
}).strict();

function withTypes(input: z.output<typeof fields>, required: boolean, ctx: z.RefinementCtx) {
  const raw = input.event_types ?? input.event_type?.split(",");
  if (raw === undefined) {
    if (required) {
      ctx.addIssue({ code: "custom", path: ["event_types"], message: "Choose at least one event type" });
    }
    return { url: input.url, enabled: input.enabled, eventTypes: undefined };
  }
  const parsed = eventTypes.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", path: ["event_types"], message: issue.message });
    }
    return { url: input.url, enabled: input.enabled, eventTypes: undefined };
  }
  return { url: input.url, enabled: input.enabled, eventTypes: parsed.data };
}

/** A new webhook: `url` and event type(s) required; enabled unless told otherwise. */
export const WebhookCreateSchema = fields.transform((input, ctx) => {
  const { url, enabled, eventTypes } = withTypes(input, true, ctx);
  return { url, enabled: enabled ?? true, eventTypes: eventTypes! };
});

/** Changes to a webhook: any subset of the fields. */
export const WebhookUpdateSchema = fields.partial({ url: true }).transform((input, ctx): WebhookUpdate =>
  withTypes(input as z.output<typeof fields>, false, ctx)
);

/** Validated fields of a new webhook. */
export type WebhookCreate = z.output<typeof WebhookCreateSchema>;

/** Validated changes to a webhook: only the fields given. */
export interface WebhookUpdate {
  url?: string;
  enabled?: boolean;
  eventTypes?: string[];
}

/** Validates a new webhook or throws a ValidationError with per-field details. */
export function parseWebhookCreate(input: unknown): WebhookCreate {
  return parseInput(WebhookCreateSchema, input, "webhook");
}

/** Validates changes to a webhook or throws a ValidationError with per-field details. */
export function parseWebhookUpdate(input: unknown): WebhookUpdate {
  return parseInput(WebhookUpdateSchema, input, "webhook");
}
