/** The OpenAPI document of the JSON API, derived from the zod schemas the API validates with. */
import { Hono } from "hono";
import { z } from "zod";
import { TokenCreateSchema } from "../../core/accounts/mod.ts";
import { ProductCreateSchema, ProductUpdateSchema } from "../../core/products/mod.ts";
import { WEBHOOK_EVENT_TYPES, WebhookCreateSchema, WebhookUpdateSchema } from "../../core/webhooks/mod.ts";
import { MAX_AUDIT_LIMIT, MAX_LOG_LIMIT, MAX_PAGE_SIZE } from "../http.ts";

/** A request body schema derived from the zod schema the API validates with, so the two cannot drift. */
function bodySchema(schema: z.ZodType) {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return json;
}

const error = { $ref: "#/components/schemas/Error" };
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: error } },
});
const json = (schema: unknown, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const query = (name: string, schema: unknown, description: string) => ({
  name,
  in: "query",
  schema,
  description,
});
const idParameter = { name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
const filters = [
  query(
    "search",
    { type: "string", maxLength: 200 },
    "Substring of SKU, name or description, any letter case",
  ),
  query("active", { type: "string", enum: ["true", "false", "all"] }, "Only active or inactive products"),
  query("price_min", { type: "number", minimum: 0 }, "Lowest price"),
  query("price_max", { type: "number", minimum: 0 }, "Highest price"),
];
const task = {
  type: "object",
  properties: { task_id: { type: "string", format: "uuid" }, message: { type: "string" } },
  required: ["task_id", "message"],
};

const webhookWithSecret = {
  allOf: [
    { $ref: "#/components/schemas/Webhook" },
    { type: "object", properties: { secret: { type: "string", pattern: "^whsec_" } }, required: ["secret"] },
  ],
};

/** The OpenAPI 3.1 description of the JSON API. */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Acme Product Importer API",
    version: "1.0.0",
    description:
      "Import product CSVs, follow their progress, manage products, and receive webhooks signed as Standard " +
      "Webhooks (headers webhook-id, webhook-timestamp, webhook-signature).",
  },
  paths: {
    "/api/upload": {
      post: {
        summary: "Upload a products CSV to import",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "string", format: "binary" } },
                required: ["file"],
              },
            },
            "text/csv": { schema: { type: "string" } },
          },
        },
        responses: {
          202: json(task, "Queued"),
          413: errorResponse("Larger than MAX_UPLOAD_MB"),
          415: errorResponse("Not multipart/form-data or text/csv"),
          422: errorResponse("No file, or an empty one"),
        },
      },
    },
    "/api/progress/{task_id}": {
      get: {
        summary: "Server-sent events: the task's current state, then live progress until complete or error",
        parameters: [{
          name: "task_id",
          in: "path",
          required: true,
          schema: { type: "string", format: "uuid" },
        }],
        responses: {
          200: {
            description: "An event stream",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          404: errorResponse("Unknown task"),
        },
      },
    },
    "/api/imports": {
      get: { summary: "Import history, newest first", responses: { 200: json({ type: "object" }) } },
    },
    "/api/imports/{id}": {
      get: {
        summary: "One import",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { 200: json({ type: "object" }), 404: errorResponse("Unknown import") },
      },
    },
    "/api/imports/{id}/errors.csv": {
      get: {
        summary: "The rows that failed, with _line and _error columns",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: {
          200: { description: "CSV", content: { "text/csv": { schema: { type: "string" } } } },
          404: errorResponse("Unknown import"),
        },
      },
    },
    "/api/products": {
      get: {
        summary: "List products",
        parameters: [
          ...filters,
          query("sort", { type: "string", enum: ["updated", "sku", "name", "price"] }, "Sort column"),
          query("order", { type: "string", enum: ["asc", "desc"] }, "Sort order"),
          query("page", { type: "integer", minimum: 1 }, "Page number, from 1"),
          query("limit", { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE }, "Products per page"),
        ],
        responses: {
          200: json({ $ref: "#/components/schemas/ProductPage" }),
          400: errorResponse("Bad query"),
        },
      },
      post: {
        summary: "Create a product",
        requestBody: {
          required: true,
          content: { "application/json": { schema: bodySchema(ProductCreateSchema) } },
        },
        responses: {
          201: json({ $ref: "#/components/schemas/Product" }, "Created"),
          409: errorResponse("The SKU exists, in some letter case"),
          415: errorResponse("Not JSON"),
          422: errorResponse("Invalid fields"),
        },
      },
    },
    "/api/products/export": {
      get: {
        summary: "The filtered products as CSV, importable again",
        parameters: filters,
        responses: { 200: { description: "CSV", content: { "text/csv": { schema: { type: "string" } } } } },
      },
    },
    "/api/products/bulk": {
      delete: {
        summary: "Delete every product, in the background",
        responses: { 202: json(task, "Started") },
      },
    },
    "/api/products/{id}": {
      parameters: [idParameter],
      get: {
        summary: "One product",
        responses: {
          200: json({ $ref: "#/components/schemas/Product" }),
          404: errorResponse("Unknown product"),
        },
      },
      put: {
        summary: "Change the fields sent",
        requestBody: {
          required: true,
          content: { "application/json": { schema: bodySchema(ProductUpdateSchema) } },
        },
        responses: {
          200: json({ $ref: "#/components/schemas/Product" }),
          404: errorResponse("Unknown product"),
          409: errorResponse("The SKU exists, in some letter case"),
          415: errorResponse("Not JSON"),
          422: errorResponse("Invalid fields"),
        },
      },
      delete: {
        summary: "Delete a product",
        responses: {
          200: json({ type: "object", properties: { message: { type: "string" } } }),
          404: errorResponse("Unknown product"),
        },
      },
    },
    "/api/webhooks": {
      get: {
        summary: "List webhooks (without their secrets)",
        responses: { 200: json({ type: "array", items: { $ref: "#/components/schemas/Webhook" } }) },
      },
      post: {
        summary: "Create a webhook; the answer holds its signing secret",
        description: `Event types: ${WEBHOOK_EVENT_TYPES.join(", ")}, or * for all. Send \`event_types\` ` +
          "(an array) or `event_type` (one type, or several separated by commas). The URL must be public " +
          "http(s) unless the server runs with WEBHOOK_ALLOW_PRIVATE=true.",
        requestBody: {
          required: true,
          content: { "application/json": { schema: bodySchema(WebhookCreateSchema) } },
        },
        responses: {
          201: json(webhookWithSecret, "Created"),
          415: errorResponse("Not JSON"),
          422: errorResponse("Invalid fields, or a URL the SSRF guard refuses (the message says why)"),
        },
      },
    },
    "/api/webhooks/{id}": {
      parameters: [idParameter],
      get: {
        summary: "One webhook, with its signing secret",
        responses: { 200: json(webhookWithSecret), 404: errorResponse("Unknown webhook") },
      },
      put: {
        summary: "Change the fields sent; enabling clears why it was turned off",
        requestBody: {
          required: true,
          content: { "application/json": { schema: bodySchema(WebhookUpdateSchema) } },
        },
        responses: {
          200: json(webhookWithSecret),
          404: errorResponse("Unknown webhook"),
          415: errorResponse("Not JSON"),
          422: errorResponse("Invalid fields, or a URL the SSRF guard refuses"),
        },
      },
      delete: {
        summary: "Delete a webhook with its deliveries and log",
        responses: {
          200: json({ type: "object", properties: { message: { type: "string" } } }),
          404: errorResponse("Unknown webhook"),
        },
      },
    },
    "/api/webhooks/{id}/rotate-secret": {
      post: {
        summary: "Replace the signing secret; the old one also signs for 24 hours",
        parameters: [idParameter],
        responses: { 200: json(webhookWithSecret), 404: errorResponse("Unknown webhook") },
      },
    },
    "/api/webhooks/{id}/test": {
      post: {
        summary: "Send a webhook.test event now and report the receiver's answer",
        parameters: [idParameter],
        requestBody: {
          required: false,
          content: {
            "application/json": {
              schema: { type: "object", properties: { payload: { description: "The test event's data" } } },
            },
          },
        },
        responses: {
          200: json({ $ref: "#/components/schemas/SendResult" }),
          404: errorResponse("Unknown webhook"),
        },
      },
    },
    "/api/webhooks/{id}/logs": {
      get: {
        summary: "Delivery attempts, newest first",
        parameters: [
          idParameter,
          query(
            "limit",
            { type: "integer", minimum: 1, maximum: MAX_LOG_LIMIT, default: 50 },
            "Attempts to return",
          ),
        ],
        responses: {
          200: json({ type: "array", items: { $ref: "#/components/schemas/WebhookLog" } }),
          400: errorResponse("Bad limit"),
          404: errorResponse("Unknown webhook"),
        },
      },
    },
    "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
      post: {
        summary: "Send a delivery again now, with the same webhook-id",
        parameters: [idParameter, {
          name: "deliveryId",
          in: "path",
          required: true,
          schema: { type: "string" },
        }],
        responses: {
          200: json({ $ref: "#/components/schemas/SendResult" }),
          404: errorResponse("Unknown webhook or delivery"),
          409: errorResponse("An attempt of this delivery is in flight"),
        },
      },
    },
    "/api/audit": {
      get: {
        summary: "The audit log, newest first: who (user, token or system) changed what, and when. " +
          "Admins and write tokens only",
        parameters: [
          query(
            "limit",
            { type: "integer", minimum: 1, maximum: MAX_AUDIT_LIMIT, default: 50 },
            "Entries to return",
          ),
          query(
            "before",
            { type: "integer", minimum: 1 },
            "Only entries older than this entry id (keyset paging)",
          ),
        ],
        responses: {
          200: json({
            type: "object",
            properties: {
              items: { type: "array", items: { $ref: "#/components/schemas/AuditEntry" } },
              next_before: {
                type: ["integer", "null"],
                description: "Pass as `before` for the next, older page; null on the last page",
              },
            },
            required: ["items", "next_before"],
          }),
          400: errorResponse("Bad limit or before"),
          403: errorResponse("A viewer or a read-only token"),
        },
      },
    },
    "/api/tokens": {
      get: {
        summary:
          "List API tokens that are not revoked, newest first, with their last use (never their values)",
        description: "Admins and write tokens only; a viewer or a read token gets 403.",
        responses: {
          200: json({ type: "array", items: { $ref: "#/components/schemas/ApiToken" } }),
          403: errorResponse("A viewer or a read token"),
        },
      },
      post: {
        summary:
          "Create an API token; the answer holds its value, shown this once and stored only as a digest",
        requestBody: {
          required: true,
          content: { "application/json": { schema: bodySchema(TokenCreateSchema) } },
        },
        responses: {
          201: json({
            allOf: [
              { $ref: "#/components/schemas/ApiToken" },
              {
                type: "object",
                properties: { token: { type: "string", pattern: "^acme_" } },
                required: ["token"],
              },
            ],
          }, "Created"),
          403: errorResponse("A viewer or a read token"),
          415: errorResponse("Not JSON"),
          422: errorResponse("Invalid fields"),
        },
      },
    },
    "/api/tokens/{id}": {
      parameters: [idParameter],
      delete: {
        summary: "Revoke an API token; the next request that uses it is answered 401",
        responses: {
          200: json({ type: "object", properties: { message: { type: "string" } } }),
          403: errorResponse("A viewer or a read token"),
          404: errorResponse("Unknown or already revoked token"),
        },
      },
    },
    "/healthz": {
      get: {
        summary: "Health: 200 {status: ok, database: ok} when the database answers SELECT 1 within 2 s, " +
          "else 503 {status: error, database: unreachable, message}",
        responses: { 200: json({ type: "object" }), 503: json({ type: "object" }) },
      },
    },
    "/readyz": {
      get: {
        summary: "Readiness: 200 {status: ok, database: ok, queue: ok} when the database answers SELECT 1 " +
          "and the job queue's KV store answers a read, each within 2 s; else 503 {status: error, " +
          "database: ok|unreachable, queue: ok|unreachable, message}",
        responses: { 200: json({ type: "object" }), 503: json({ type: "object" }) },
      },
    },
  },
  // Every call carries a token from `deno task token NAME` or the admin pages; a read token may only GET.
  security: [{ bearer: [] }],
  components: {
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        description: "An API token: `deno task token NAME [--scope read|write]`",
      },
    },
    schemas: {
      Error: {
        type: "object",
        properties: {
          error: {
            type: "object",
            properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
            required: ["code", "message"],
          },
        },
        required: ["error"],
      },
      Product: {
        type: "object",
        properties: {
          id: { type: "integer" },
          sku: { type: "string" },
          name: { type: "string" },
          description: { type: ["string", "null"] },
          price: { type: ["number", "null"] },
          active: { type: "boolean" },
          created_at: { type: "string", format: "date-time" },
          updated_at: { type: "string", format: "date-time" },
        },
        required: ["id", "sku", "name", "description", "price", "active", "created_at", "updated_at"],
      },
      Webhook: {
        type: "object",
        properties: {
          id: { type: "integer" },
          url: { type: "string", format: "uri" },
          event_type: { type: "string", description: "The event types joined by commas (the brief's field)" },
          event_types: { type: "array", items: { type: "string", enum: [...WEBHOOK_EVENT_TYPES, "*"] } },
          enabled: { type: "boolean" },
          disabled_reason: { type: ["string", "null"], description: "Why the app turned it off" },
          previous_secret_expires_at: {
            type: ["string", "null"],
            format: "date-time",
            description: "After a rotation, until when deliveries are also signed with the previous secret",
          },
          created_at: { type: "string", format: "date-time" },
          updated_at: { type: "string", format: "date-time" },
        },
        required: [
          "id",
          "url",
          "event_type",
          "event_types",
          "enabled",
          "disabled_reason",
          "created_at",
          "updated_at",
        ],
      },
      AuditEntry: {
        type: "object",
        properties: {
          id: { type: "integer" },
          at: { type: "string", format: "date-time" },
          actor_kind: { type: "string", enum: ["user", "token", "system"] },
          actor_id: { type: ["integer", "null"] },
          actor_label: { type: "string", description: "The email or token name at the time" },
          action: {
            type: "string",
            description: "e.g. product.updated, import.started, webhook.secret_rotated",
          },
          target_type: { type: ["string", "null"], description: "product, import, webhook, token, user" },
          target_id: { type: ["string", "null"] },
          summary: { type: "string", description: "Short and human; never secrets or CSV contents" },
          request_id: { type: ["string", "null"], description: "The X-Request-Id of the change" },
        },
        required: [
          "id",
          "at",
          "actor_kind",
          "actor_id",
          "actor_label",
          "action",
          "target_type",
          "target_id",
          "summary",
          "request_id",
        ],
      },
      WebhookLog: {
        type: "object",
        properties: {
          id: { type: "integer" },
          webhook_id: { type: "integer" },
          delivery_id: { type: "string", description: "The webhook-id header; the same on every attempt" },
          event_type: { type: "string" },
          attempt: { type: "integer" },
          payload: { type: "object" },
          response_status: { type: ["integer", "null"] },
          response_time_ms: { type: "integer" },
          error_kind: {
            type: ["string", "null"],
            enum: ["timeout", "refused", "dns", "tls", "redirect", "http", "blocked", "network", null],
          },
          error_message: { type: ["string", "null"] },
          response_excerpt: { type: ["string", "null"] },
          next_retry_at: { type: ["string", "null"], format: "date-time" },
          delivery_status: { type: "string", enum: ["pending", "succeeded", "failed"] },
          created_at: { type: "string", format: "date-time" },
        },
      },
      SendResult: {
        type: "object",
        properties: {
          status: { type: ["integer", "null"], description: "The receiver's status code; null if none came" },
          time_ms: { type: "integer" },
          ok: { type: "boolean" },
          error: {
            type: ["string", "null"],
            description: "timeout, refused, dns, tls, redirect, http or blocked",
          },
          message: { type: ["string", "null"] },
          response_excerpt: { type: ["string", "null"] },
        },
        required: ["status", "time_ms", "ok"],
      },
      ApiToken: {
        type: "object",
        properties: {
          id: { type: "integer" },
          name: { type: "string" },
          scope: { type: "string", enum: ["read", "write"] },
          created_by: {
            type: ["integer", "null"],
            description: "The account that created it; null for the CLI",
          },
          created_at: { type: "string", format: "date-time" },
          last_used_at: {
            type: ["string", "null"],
            format: "date-time",
            description: "Recorded at most once a minute",
          },
        },
        required: ["id", "name", "scope", "created_by", "created_at", "last_used_at"],
      },
      ProductPage: {
        type: "object",
        properties: {
          items: { type: "array", items: { $ref: "#/components/schemas/Product" } },
          total: { type: "integer" },
          total_exact: { type: "boolean" },
          page: { type: "integer" },
          pages: { type: "integer" },
          limit: { type: "integer" },
        },
        required: ["items", "total", "total_exact", "page", "pages", "limit"],
      },
    },
  },
};

/** `GET /api/openapi.json`. */
export function openApiRoute(): Hono {
  const app = new Hono();
  app.get("/openapi.json", (c) => c.json(OPENAPI_DOCUMENT));
  return app;
}
