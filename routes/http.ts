/**
 * What the route modules share about HTTP: reading JSON and form bodies, path ids and query strings, and
 * answering with a CSV download. Route modules import this, never each other.
 */
import type { Context } from "hono";
import { z } from "zod";
import { auditActor, type AuditContext } from "../core/audit/mod.ts";
import { findImportJob, type ImportJob, MAPPING_CHOICES, type MappingChoice } from "../core/imports/mod.ts";
import { type Actor, canChange } from "../core/accounts/mod.ts";
import {
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  type Sql,
  storedText,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../core/platform/mod.ts";
import { MAX_SELECTED_IDS, type ProductFilters, SORT_KEYS } from "../core/products/mod.ts";
import { ATTEMPT_RESULTS, TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from "../core/webhooks/mod.ts";

import type { AppEnv } from "./context.ts";

/** Who makes this request, for the audit log: the signed-in person or API token, and the request id. */
export function auditContext(c: Context<AppEnv>): AuditContext {
  const actor = c.get("actor");
  // Authentication lets no anonymous change through; this only guards a route mounted by mistake.
  if (!actor) throw new ForbiddenError("Sign in, or send an API token, to make changes.");
  return { actor: auditActor(actor), requestId: c.get("requestId") ?? null };
}

/** The largest JSON body any route reads: far above any product or webhook, far below a memory problem. */
export const MAX_JSON_BYTES = 1024 * 1024;

/**
 * The largest HTML form body a page reads. A browser percent-encodes an emoji as 12 bytes, so a
 * product form with a description of 100,000 characters (the limit everywhere) can take 1.2 MB;
 * 2 MB lets every valid form through and is still far below a memory problem.
 */
export const MAX_FORM_BYTES = 2 * 1024 * 1024;

function megabytes(bytes: number): string {
  return `${bytes / 1024 / 1024} MB`;
}

function jsonTooLarge(subject: string): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The ${subject} is larger than ${
      megabytes(MAX_JSON_BYTES)
    }; send at most ${MAX_JSON_BYTES} bytes of JSON.`,
  );
}

function formTooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `This form sent more than ${
      megabytes(MAX_FORM_BYTES)
    }, more than any of this app's forms needs; nothing was saved. Shorten the longest field and send it again.`,
  );
}

/**
 * Reads a body of at most `limit` bytes: a larger Content-Length is refused before reading, and
 * bytes are counted while reading, so a chunked body without a length is cut off at the limit too.
 */
async function boundedBytes(
  request: Request,
  limit: number,
  tooLarge: () => PayloadTooLargeError,
): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: the rest of the body is of no use, and the client may still be sending it.
      reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

async function readForm(request: Request): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (!FORM_TYPES.some((form) => type.toLowerCase().startsWith(form))) {
    throw new UnsupportedMediaTypeError(
      `Send this form as application/x-www-form-urlencoded or multipart/form-data; got "${type}".`,
    );
  }
  const bytes = await boundedBytes(request, MAX_FORM_BYTES, formTooLarge);
  try {
    return await new Response(bytes as BodyInit, { headers: { "content-type": type } }).formData();
  } catch {
    throw new ValidationError("The form's body could not be read as form fields.");
  }
}

/**
 * A page's form fields, read once per request however often asked (the CSRF check reads them
 * before the handler does). More than `MAX_FORM_BYTES` is a 413 before the body is read in full;
 * a body that is not a form is a 415. File uploads do not come here: they stream to disk.
 */
export function formBody(c: Context<AppEnv>): Promise<FormData> {
  let form = c.get("form");
  if (!form) {
    form = readForm(c.req.raw);
    c.set("form", form);
  }
  return form;
}

/**
 * A request's JSON body; anything but `application/json` is a 415, more than `MAX_JSON_BYTES` a
 * 413 (before it is read in full), malformed JSON a 422.
 */
export async function jsonBody(request: Request, subject: string): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new UnsupportedMediaTypeError(
      `Send the ${subject} as JSON (Content-Type: application/json); got "${type}".`,
    );
  }
  const bytes = await boundedBytes(request, MAX_JSON_BYTES, () => jsonTooLarge(subject));
  try {
    // Decoded as request.json() does: invalid UTF-8 becomes U+FFFD.
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}

/**
 * Parses an id from a URL path. Anything but a positive whole number up to `max` (the column's
 * range) cannot name a row, so it is a 404 at once rather than a database error.
 */
function idFromPath(raw: string, what: string, max: number): number {
  const id = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || id < 1 || id > max) {
    throw new NotFoundError(`There is no ${what} with id "${raw.slice(0, 40)}".`);
  }
  return id;
}

/** A product id from the path (PostgreSQL bigints, used up to JavaScript's safe integers). */
export function productId(raw: string): number {
  return idFromPath(raw, "product", Number.MAX_SAFE_INTEGER);
}

/** A webhook id from the path (PostgreSQL integers). */
export function webhookId(raw: string): number {
  return idFromPath(raw, "webhook", 2_147_483_647);
}

/** An API token id from the path (PostgreSQL integers). */
export function tokenId(raw: string): number {
  return idFromPath(raw, "API token", 2_147_483_647);
}

/** An account id from the path (PostgreSQL integers). */
export function userId(raw: string): number {
  return idFromPath(raw, "account", 2_147_483_647);
}

/**
 * Some reads are for those who may change things (admins and write tokens): `what` they want
 * to do, e.g. "see the audit log". Anyone else is a {@linkcode ForbiddenError} saying so.
 */
export function requireWriteAccess(actor: Actor | null, what: string): void {
  if (actor && canChange(actor)) return;
  throw new ForbiddenError(
    actor?.kind === "token"
      ? `This API token is read-only; only admins and write tokens may ${what}.`
      : `Only admins may ${what}.`,
  );
}

/** Only a signed-in admin may manage accounts; anyone else is a {@linkcode ForbiddenError}. */
export function requireAdmin(actor: Actor | null): void {
  if (actor?.kind === "user" && actor.role === "admin") return;
  throw new ForbiddenError(
    actor?.kind === "token"
      ? "Accounts are managed by a signed-in admin, not with an API token."
      : "Only admins may manage accounts; ask an admin to add, change or remove one.",
  );
}

const DELIVERY_ID = /^msg_[0-9a-f]{32}$/;

/**
 * A webhook delivery id from the path (`msg_` and 32 hex digits); anything else names no delivery,
 * so it is a 404 at once rather than a database error (a NUL would make PostgreSQL fail).
 */
export function deliveryIdFromPath(raw: string, webhook: number): string {
  if (!DELIVERY_ID.test(raw)) {
    throw new NotFoundError(`Webhook ${webhook} has no delivery ${JSON.stringify(raw.slice(0, 60))}.`);
  }
  return raw;
}

/** The most products one page may hold; a larger `limit` is refused, not honoured. */
export const MAX_PAGE_SIZE = 200;

const priceBound = z.coerce.number("a price bound must be a number").min(0, "a price bound must be 0 or more")
  .max(99_999_999.99).optional();

/** The filter parameters of the list, the page and the export, each on its own. */
export const ProductFilterParameters = z.object({
  search: storedText({ maxChars: 200, optional: true }).optional().transform((value) => value || undefined),
  active: z.enum(["true", "false", "all", ""]).optional().transform((value) =>
    value === "true" ? true : value === "false" ? false : undefined
  ),
  price_min: z.union([z.literal("").transform(() => undefined), priceBound]),
  price_max: z.union([z.literal("").transform(() => undefined), priceBound]).meta({
    description: "Highest price; not below price_min",
  }),
});

const priceRangeInOrder: [
  (q: { price_min?: number; price_max?: number }) => boolean,
  { message: string; path: string[] },
] = [
  (q) => q.price_min === undefined || q.price_max === undefined || q.price_min <= q.price_max,
  { message: "price_min must not be greater than price_max", path: ["price_min"] },
];

/**
 * The first message per query parameter of a refused query string, for showing next to its field.
 * A union (an empty value, or a number) reports its own branch's message, not "Invalid input".
 */
export function queryErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "query");
    const branch = issue.code === "invalid_union"
      ? issue.errors.flat().find((inner) => inner.code !== "invalid_value")
      : undefined;
    errors[field] ??= branch?.message ?? issue.message;
  }
  return errors;
}

/** Filters of the list, the page and the export, from a query string. */
export const ProductFiltersQuery = ProductFilterParameters.refine(...priceRangeInOrder);

/** The export's parameters: the filters, and optionally the ids of the products ticked on a page. */
export const ProductExportParameters = ProductFilterParameters.extend({
  ids: z.string().regex(
    new RegExp(`^[1-9][0-9]{0,14}(,[1-9][0-9]{0,14}){0,${MAX_SELECTED_IDS - 1}}$`),
    `ids must be up to ${MAX_SELECTED_IDS} product ids separated by commas`,
  ).optional().meta({ description: `Only these products: up to ${MAX_SELECTED_IDS} ids, comma-separated` }),
});

/** The export's selection from a query string: the filters, narrowed to `ids` when given. */
export function productExportSelection(query: Record<string, string>): ProductFilters {
  const q = ProductExportParameters.refine(...priceRangeInOrder).parse(query);
  return {
    search: q.search,
    active: q.active,
    priceMin: q.price_min,
    priceMax: q.price_max,
    ids: q.ids?.split(",").map(Number),
  };
}

/** Paging and order of the list and the page. */
export const ProductPageParameters = z.object({
  page: z.coerce.number("page must be a whole number").int("page must be a whole number").min(
    1,
    "page starts at 1",
  ).max(1_000_000)
    .default(1),
  limit: z.coerce.number("limit must be a whole number").int("limit must be a whole number")
    .min(1, "limit must be at least 1").max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`).default(
      50,
    ),
  sort: z.enum(SORT_KEYS).default("updated"),
  order: z.enum(["asc", "desc"]).optional(),
});

/** The query string of `GET /api/products` and of the products page. */
export const ProductListQuery = ProductPageParameters.and(ProductFiltersQuery).transform((q) => ({
  page: q.page,
  limit: q.limit,
  sort: q.sort,
  // Newest first by default; names and SKUs A→Z.
  order: q.order ?? (q.sort === "updated" ? "desc" as const : "asc" as const),
  search: q.search,
  active: q.active,
  priceMin: q.price_min,
  priceMax: q.price_max,
}));

/** The most audit entries one request may return. */
export const MAX_AUDIT_LIMIT = 200;

/** `?limit=&before=` of the audit log (API and page): a page of entries older than entry `before`. */
export const AuditQuery = z.object({
  limit: z.coerce.number().int("limit must be a whole number").min(1, "limit must be at least 1")
    .max(MAX_AUDIT_LIMIT, `limit must be at most ${MAX_AUDIT_LIMIT}`).default(50),
  before: z.coerce.number().int("before must be an entry id").min(1, "before must be an entry id")
    .max(Number.MAX_SAFE_INTEGER, "before must be an entry id").optional(),
});

/** `?mapping=` of `POST /api/upload`: a JSON object from header to product field or "ignore". */
export const UploadQuery = z.object({
  mapping: z.string().optional().transform((text, context) => {
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      context.addIssue({ code: "custom", message: "mapping must be a JSON object" });
      return z.NEVER;
    }
    // Header names are stored (jsonb): no control characters, no lone surrogates, 200 characters at most.
    // deno-lint-ignore no-control-regex -- matching control characters is the point of this rule
    const header = z.string().max(200).regex(/^[^\u0000-\u001f]*$/).refine((name) => name.isWellFormed());
    const parsed = z.record(header, z.enum(MAPPING_CHOICES as [MappingChoice, ...MappingChoice[]]))
      .safeParse(value);
    if (!parsed.success) {
      context.addIssue({
        code: "custom",
        message: `mapping must be a JSON object from header to one of ${MAPPING_CHOICES.join(", ")}`,
      });
      return z.NEVER;
    }
    return parsed.data;
  }),
});

/** `?limit=` of an import's listed row errors (the CSV report has them all). */
export const RowErrorsQuery = z.object({
  limit: z.coerce.number().int("limit must be a whole number").min(1, "limit must be at least 1")
    .max(100, "limit must be at most 100; download the CSV report for every failed row").default(20),
});

/** The most log rows one request may return. */
export const MAX_LOG_LIMIT = 200;

/** Every event type a log can hold: the subscribable ones and the test event. */
export const LOGGED_EVENT_TYPES = [...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE] as const;

/** An attempt id as a cursor of the log (PostgreSQL bigints, used up to JavaScript's safe integers). */
function attemptCursor(name: string) {
  return z.coerce.number().int(`${name} must be an attempt id`).min(1, `${name} must be an attempt id`)
    .max(Number.MAX_SAFE_INTEGER, `${name} must be an attempt id`).optional();
}

/** The filters and cursors of a webhook's log, shared by the API and the page (blank means any). */
export const LogFilterQuery = z.object({
  event_type: z.union([z.literal("").transform(() => undefined), z.enum(LOGGED_EVENT_TYPES)], {
    error: `event_type must be one of ${LOGGED_EVENT_TYPES.join(", ")}`,
  }).optional().meta({ description: "Only attempts of this event type" }),
  result: z.union([z.literal("").transform(() => undefined), z.enum(ATTEMPT_RESULTS)], {
    error: `result must be one of ${ATTEMPT_RESULTS.join(", ")}`,
  }).optional().meta({
    description: "succeeded (2xx), failed (anything else), pending (failed, will be retried) or gave_up " +
      "(failed, no retries left)",
  }),
  before: attemptCursor("before").meta({ description: "Only attempts older than this one (by id)" }),
  after: attemptCursor("after").meta({ description: "Only attempts newer than this one (by id)" }),
});

/** `?limit=&event_type=&result=&before=&after=` of a webhook's log. */
export const LogQuery = LogFilterQuery.extend({
  limit: z.coerce.number().int("limit must be a whole number").min(1, "limit must be at least 1")
    .max(MAX_LOG_LIMIT, `limit must be at most ${MAX_LOG_LIMIT}`).default(50),
});

/** An attempt id from the path (PostgreSQL bigints, used up to JavaScript's safe integers). */
export function attemptId(raw: string, webhook: number): number {
  return idFromPath(raw, `delivery attempt of webhook ${webhook}`, Number.MAX_SAFE_INTEGER);
}

/** `?sent=` of a webhook's page: the delivery whose outcome to show, if it is a delivery id at all. */
export const WebhookPageQuery = z.object({
  sent: z.string().regex(DELIVERY_ID, "sent must be a delivery id").optional().catch(undefined),
});

/** A streamed CSV download named `fileName`. */
export function csvResponse(body: ReadableStream<Uint8Array>, fileName: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
    },
  });
}

/** The job with this id, or a 404 with a readable message. */
export async function requireJob(sql: Sql, id: string): Promise<ImportJob> {
  const job = await findImportJob(sql, id);
  if (!job) throw new NotFoundError(`There is no import with id "${id.slice(0, 60)}".`);
  return job;
}
