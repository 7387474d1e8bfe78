/** Webhook input from the API and the forms, validated by zod. */
import { z } from "zod";
import { describeUnstorable, TRIMMED_CHARACTERS, unstorableCharacter } from "../platform/text.ts";
import { parseInput, storedText } from "../platform/validation.ts";
import { WEBHOOK_EVENT_TYPES } from "./events.ts";

const KNOWN_TYPES: readonly string[] = [...WEBHOOK_EVENT_TYPES, "*"];

/**
 * The event types an entry list names: entries trimmed, blank ones skipped, at least one left,
 * each known; `*` alone stands for all of them.
 */
function knownEventTypes(entries: string[], ctx: z.RefinementCtx, asList: boolean): string[] {
  const unique = [...new Set(entries.map((entry) => entry.trim()).filter((entry) => entry !== ""))];
  if (unique.length === 0) {
    ctx.addIssue({ code: "custom", message: "Choose at least one event type (or * for all)" });
    return z.NEVER;
  }
  let unknown = false;
  entries.forEach((entry, index) => {
    const type = entry.trim();
    if (type === "" || KNOWN_TYPES.includes(type)) return;
    unknown = true;
    const unstorable = unstorableCharacter(type);
    // A list names the entry (event_types.1); the comma-separated text is one field.
    ctx.addIssue({
      code: "custom",
      path: asList ? [index] : [],
      message: unstorable
        ? `Remove ${describeUnstorable(unstorable)}; it cannot be stored`
        : `Unknown event type ${JSON.stringify(type.slice(0, 60))}; use ${KNOWN_TYPES.join(", ")}`,
    });
  });
  if (unknown) return z.NEVER;
  return unique.includes("*") ? ["*"] : unique;
}

// The same rule as JSON Schema patterns: an entry is a known type between spaces, or blank.
const SPACES = `[${TRIMMED_CHARACTERS}]*`;
const KNOWN_ENTRY = `${SPACES}(?:${
  KNOWN_TYPES.map((type) => type.replace(/[.*]/g, "\\$&")).join("|")
})${SPACES}`;
const BLANK_ENTRY = SPACES;
const TYPES_DESCRIPTION = `Event types: ${KNOWN_TYPES.join(", ")} (* for all)`;

/** `event_types`: an array of event types. */
const eventTypeArray = z.array(z.string()).transform((entries, ctx) => knownEventTypes(entries, ctx, true))
  .meta({
    type: "array",
    description: TYPES_DESCRIPTION,
    items: { type: "string", pattern: `^(?:${KNOWN_ENTRY}|${BLANK_ENTRY})$` },
    contains: { type: "string", pattern: `^${KNOWN_ENTRY}$` },
  });

/** `event_type`, the brief's field: one event type, or several separated by commas. */
const eventTypeText = z.string().transform((text, ctx) => knownEventTypes(text.split(","), ctx, false)).meta({
  type: "string",
  description: `${TYPES_DESCRIPTION}, separated by commas`,
  pattern: `^(?:${BLANK_ENTRY},)*${KNOWN_ENTRY}(?:,(?:${KNOWN_ENTRY}|${BLANK_ENTRY}))*$`,
});

const fields = z.object({
  url: storedText({ maxChars: 1000, blankMessage: "Enter the URL that receives the events" }),
  event_type: eventTypeText.optional(),
  event_types: eventTypeArray.optional(),
  enabled: z.boolean().optional(),
}).strict();

type Fields = z.output<typeof fields>;

/** One way to name the event types, not two that could disagree. */
function eventTypesOf(input: Partial<Fields>, ctx: z.RefinementCtx): string[] | undefined {
  if (input.event_types && input.event_type) {
    ctx.addIssue({
      code: "custom",
      path: ["event_types"],
      message: "Send event_types or event_type, not both",
    });
  }
  return input.event_types ?? input.event_type;
}

const ONE_WAY_TO_NAME_TYPES = { not: { required: ["event_type", "event_types"] } };

/** A new webhook: `url` and event types (as `event_types` or `event_type`) required; enabled by default. */
export const WebhookCreateSchema = fields.transform((input, ctx) => {
  const eventTypes = eventTypesOf(input, ctx);
  if (!eventTypes) {
    ctx.addIssue({ code: "custom", path: ["event_types"], message: "Choose at least one event type" });
  }
  return { url: input.url, enabled: input.enabled ?? true, eventTypes: eventTypes! };
}).meta({
  allOf: [ONE_WAY_TO_NAME_TYPES, { anyOf: [{ required: ["event_types"] }, { required: ["event_type"] }] }],
});

/** Changes to a webhook: any subset of the fields. */
export const WebhookUpdateSchema = fields.partial({ url: true }).transform((input, ctx): WebhookUpdate => ({
  url: input.url,
  enabled: input.enabled,
  eventTypes: eventTypesOf(input, ctx),
})).meta({ allOf: [ONE_WAY_TO_NAME_TYPES] });

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
