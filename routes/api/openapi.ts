/**
 * The OpenAPI document of the JSON API. Request bodies and query strings are generated from the
 * zod schemas the routes validate with, so the document states every rule the server applies;
 * the statuses every route shares (401, 403, 404, 413, 415, 422, 429) are added in one place.
 */
import { Hono } from "hono";
import { z } from "zod";
import { TokenCreateSchema } from "../../core/accounts/mod.ts";
import { BulkActionSchema, ProductCreateSchema, ProductUpdateSchema } from "../../core/products/mod.ts";
import {
  EXCERPT_CHARS,
  RESPONSE_BODY_LIMIT_BYTES,
  WEBHOOK_EVENT_TYPES,
  WebhookCreateSchema,
  WebhookUpdateSchema,
} from "../../core/webhooks/mod.ts";
import {
  AuditQuery,
  LogQuery,
  MAX_JSON_BYTES,
  ProductExportParameters,
  ProductFilterParameters,
  ProductPageParameters,
  RowErrorsQuery,
} from "../http.ts";

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of what a zod schema accepts as input (its `$schema` key dropped). */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return json;
}

/** Query parameters, one per property of a zod object, with the rules zod checks. */
function queryParameters(schema: z.ZodObject): JsonSchema[] {
  const json = inputSchema(schema) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, ...rules } = property;
    return {
      name,
      in: "query",
      required: json.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: rules,
    };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const jsonBody = (schema: z.ZodType) => ({
  required: true,
  content: { "application/json": { schema: inputSchema(schema) } },
});
const errorResponse = (description: string) => json(ref("Error"), description);
const csv = (description: string) => ({
  description,
  content: { "text/csv": { schema: { type: "string" } } },
});
const id = (max: number) => ({
  name: "id",
  in: "path",
  required: true,
  schema: { type: "integer", minimum: 1, maximum: max },
});
const uuid = (name: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
});
const INT4_MAX = 2_147_483_647;
const productId = id(Number.MAX_SAFE_INTEGER);

/**
 * OpenAPI links from an answer to the operations on the resource it names (`value`, a runtime
 * expression for the id), so clients and fuzzers can follow one call with the next.
 */
function linksById(value: string, operations: Record<string, string[]>) {
  return Object.fromEntries(
    Object.entries(operations).flatMap(([path, methods]) =>
      methods.map((method) => [
        `${method}${path.replace(/[^a-z]+(\w)?/gi, (_, next = "") => next.toUpperCase())}`,
        { operationRef: `#/paths/${path.replaceAll("/", "~1")}/${method}`, parameters: { id: value } },
      ])
    ),
  );
}
const webhookId = id(INT4_MAX);
/** HTTP headers as `[name, value]` pairs in wire order (names may repeat), or null. */
const headerPairs = {
  type: ["array", "null"],
  items: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 2 },
};
const productFilters = queryParameters(ProductFilterParameters);
const deleted = json(ref("Message"));

const productUpdate = {
  requestBody: jsonBody(ProductUpdateSchema),
  responses: {
    200: json(ref("Product")),
    409: errorResponse("Another product has this SKU, in some letter case"),
  },
};

const webhookWrite = (status: 200 | 201, schema: z.ZodType) => ({
  description: `Event types: ${WEBHOOK_EVENT_TYPES.join(", ")}, or * for all. Send \`event_types\` ` +
    "(an array) or `event_type` (one type, or several separated by commas), not both. The URL must " +
    "be http(s) and its host must resolve only to public addresses (unless the server runs with " +
    "WEBHOOK_ALLOW_PRIVATE=true); whether it does is known only when it is checked, so such a URL " +
    "is answered 422 with the reason.",
  requestBody: jsonBody(schema),
  responses: {
    [status]: json(ref("WebhookWithSecret"), status === 201 ? "Created" : "OK"),
    422: errorResponse("Invalid fields, or a URL the SSRF guard refuses (the message says why)"),
  },
});

/** The body of an upload: a multipart `file` field, or the CSV itself. */
const UPLOAD_BODY = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        properties: { file: { type: "string", format: "binary", minLength: 1 } },
        required: ["file"],
        // Other fields are ignored, but a control character cannot be written in a part's header.
        propertyNames: { pattern: "^[^\\u0000-\\u001f\\u007f]*$" },
      },
    },
    // Any bytes are a CSV to try: the import reports what it cannot read, row by row.
    "text/csv": { schema: { minLength: 1 } },
  },
};

/** The routes, with only what is particular to each; {@linkcode withSharedResponses} adds the rest. */
const PATHS = {
  "/api/upload": {
    post: {
      summary: "Upload a products CSV to import",
      description:
        "Send the file as the `file` field of multipart/form-data, or the CSV itself as text/csv. " +
        "`mapping` (optional, JSON) says which product field each header fills, or `ignore`, as the imports " +
        "page's preview does; headers it does not name are read by their name. A mapping that leaves the file " +
        "without sku or name, or fills a field twice, fails the import before any row is written.",
      parameters: [{
        name: "mapping",
        in: "query",
        required: false,
        description: 'e.g. {"Item title": "name", "Notes": "ignore"}',
        content: {
          "application/json": {
            schema: {
              type: "object",
              propertyNames: { maxLength: 200, pattern: "^[^\\u0000-\\u001f]*$" },
              additionalProperties: {
                type: "string",
                enum: ["sku", "name", "description", "price", "active", "ignore"],
              },
            },
          },
        },
      }],
      requestBody: UPLOAD_BODY,
      responses: {
        202: {
          ...json(ref("Task"), "Queued"),
          headers: { Location: { description: "The import's URL", schema: { type: "string" } } },
        },
        413: errorResponse("Larger than MAX_UPLOAD_MB"),
        415: errorResponse("Not multipart/form-data or text/csv"),
        422: errorResponse("No file, or an empty one"),
      },
    },
  },
  "/api/progress/{task_id}": {
    get: {
      summary: "Server-sent events: the task's current state, then live progress until complete or error " +
        "(after a large import, until its search index has caught up)",
      description: "Each event's data is a Progress object (JSON); comment lines keep the stream open.",
      parameters: [uuid("task_id")],
      responses: {
        200: {
          description: "An event stream",
          content: {
            "text/event-stream": {
              schema: {
                type: "object",
                properties: {
                  event: { type: "string", enum: ["message"] },
                  data: {
                    type: "string",
                    contentMediaType: "application/json",
                    description: "A Progress event",
                  },
                },
                required: ["data"],
              },
            },
          },
        },
      },
    },
  },
  "/api/imports": {
    get: {
      summary: "Import history, newest first (the last 100)",
      responses: {
        200: json({
          type: "object",
          properties: { items: { type: "array", items: ref("ImportJob") } },
          required: ["items"],
        }),
      },
    },
  },
  "/api/imports/previews": {
    post: {
      summary: "Upload a CSV for a preview: its delimiter, encoding, header mapping and first rows",
      description:
        "The file is kept for an hour for the imports page to confirm (with a column mapping) or " +
        "cancel; nothing is imported by this call. `problem` says why a file could not be imported as it is.",
      requestBody: UPLOAD_BODY,
      responses: {
        201: json(ref("ImportPreview"), "Created"),
        413: errorResponse("Larger than MAX_UPLOAD_MB"),
        415: errorResponse("Not multipart/form-data or text/csv"),
        422: errorResponse("No file, or an empty one"),
      },
    },
  },
  "/api/imports/{id}": {
    get: { summary: "One import", parameters: [uuid("id")], responses: { 200: json(ref("ImportJob")) } },
  },
  "/api/imports/{id}/cancel": {
    post: {
      summary: "Cancel an import: queued, it never starts; running, it stops after its current batch",
      description: "Rows committed before the cancel stay (the job's counts say how many). Asking again " +
        "is harmless. 202 while the running import stops (follow /api/progress/{task_id} to its " +
        "`cancelled` event), 200 once it is cancelled.",
      parameters: [uuid("id")],
      responses: {
        200: json(ref("ImportJob"), "Cancelled"),
        202: json(ref("ImportJob"), "Stopping after its current batch"),
        409: errorResponse("The import already finished or failed, or the job is a delete-all"),
      },
    },
  },
  "/api/imports/{id}/errors": {
    get: {
      summary: "The first failed rows of an import, with their line and reason",
      parameters: [uuid("id"), ...queryParameters(RowErrorsQuery)],
      responses: {
        200: json({
          type: "object",
          properties: {
            total: { type: "integer", description: "Every failed row of the import" },
            items: {
              type: "array",
              items: {
                type: "object",
                properties: { line: { type: "integer" }, message: { type: "string" } },
                required: ["line", "message"],
              },
            },
            csv_url: { type: ["string", "null"] },
          },
          required: ["total", "items", "csv_url"],
        }),
      },
    },
  },
  "/api/imports/{id}/errors.csv": {
    get: {
      summary: "The rows that failed, with _line and _error columns",
      parameters: [uuid("id")],
      responses: { 200: csv("The failed rows, importable again once corrected") },
    },
  },
  "/api/products": {
    get: {
      summary: "List products, a page at a time",
      parameters: [...queryParameters(ProductPageParameters), ...productFilters],
      responses: { 200: json(ref("ProductPage")) },
    },
    post: {
      summary: "Create a product",
      requestBody: jsonBody(ProductCreateSchema),
      responses: {
        201: {
          ...json(ref("Product"), "Created"),
          headers: { Location: { description: "The product's URL", schema: { type: "string" } } },
        },
        409: errorResponse("A product has this SKU, in some letter case"),
      },
    },
  },
  "/api/products/export": {
    get: {
      summary: "The filtered products as CSV, importable again",
      parameters: queryParameters(ProductExportParameters),
      responses: { 200: csv("Every product that matches, streamed") },
    },
  },
  "/api/products/bulk": {
    post: {
      summary: "Delete, activate or deactivate the products with the given ids, or all matching a filter, " +
        "in the background",
      description: "Each product changed queues the event a one-product change does (product.deleted or " +
        "product.updated). The job changes products in batches of 1,000, each committed on its own; follow " +
        "it on /api/progress/{task_id} (`current` products done of `total`, `updated` of them changed).",
      requestBody: jsonBody(BulkActionSchema),
      responses: {
        202: {
          ...json(ref("BulkTask"), "Started"),
          headers: { Location: { description: "The job's URL", schema: { type: "string" } } },
        },
      },
    },
    delete: {
      summary: "Delete every product, in the background (after imports submitted before it)",
      responses: { 202: json(ref("Task"), "Started") },
    },
  },
  "/api/products/{id}": {
    parameters: [productId],
    get: { summary: "One product", responses: { 200: json(ref("Product")) } },
    put: { summary: "Change the fields sent", ...productUpdate },
    patch: { summary: "Change the fields sent (the same as PUT)", ...productUpdate },
    delete: { summary: "Delete a product", responses: { 200: deleted } },
  },
  "/api/webhooks": {
    get: {
      summary: "List webhooks (without their secrets)",
      responses: {
        200: {
          ...json({ type: "array", items: ref("Webhook") }),
          links: linksById("$response.body#/0/id", {
            "/api/webhooks/{id}": ["get", "put", "delete"],
            "/api/webhooks/{id}/logs": ["get"],
            "/api/webhooks/{id}/test": ["post"],
            "/api/webhooks/{id}/rotate-secret": ["post"],
          }),
        },
      },
    },
    post: {
      summary: "Create a webhook; the answer holds its signing secret",
      ...webhookWrite(201, WebhookCreateSchema),
    },
  },
  "/api/webhooks/{id}": {
    parameters: [webhookId],
    get: {
      summary: "One webhook; its signing secret only for admins and write tokens",
      responses: { 200: json(ref("WebhookWithOptionalSecret")) },
    },
    put: {
      summary: "Change the fields sent; enabling clears why it was turned off",
      ...webhookWrite(200, WebhookUpdateSchema),
    },
    delete: { summary: "Delete a webhook with its deliveries and log", responses: { 200: deleted } },
  },
  "/api/webhooks/{id}/rotate-secret": {
    post: {
      summary: "Replace the signing secret; the old one also signs for 24 hours",
      parameters: [webhookId],
      responses: { 200: json(ref("WebhookWithSecret")) },
    },
  },
  "/api/webhooks/{id}/test": {
    post: {
      summary: "Send a webhook.test event now and report the receiver's answer",
      parameters: [webhookId],
      requestBody: {
        required: false,
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: { payload: { description: "The test event's data (any JSON)" } },
              additionalProperties: false,
            },
          },
        },
      },
      responses: { 200: json(ref("SendResult")) },
    },
  },
  "/api/webhooks/{id}/logs": {
    get: {
      summary: "Delivery attempts, newest first, filtered by event type and result",
      description: "Pages are keyed by attempt: the `Link` header names the next (older) page as " +
        '`rel="next"` and the previous (newer) one as `rel="prev"`, with the same filters. Each attempt ' +
        `holds the whole exchange: the request (URL, headers, body) and the response (status, headers, ` +
        `and the body up to its first ${RESPONSE_BODY_LIMIT_BYTES} bytes).`,
      parameters: [webhookId, ...queryParameters(LogQuery)],
      responses: {
        200: {
          ...json({ type: "array", items: ref("WebhookLog") }),
          headers: {
            Link: {
              description: 'The older (rel="next") and newer (rel="prev") pages, when there are any',
              schema: { type: "string" },
            },
          },
        },
      },
    },
  },
  "/api/webhooks/{id}/logs/{attemptId}": {
    get: {
      summary: "One delivery attempt: the request and the response as they were",
      parameters: [webhookId, {
        name: "attemptId",
        in: "path",
        required: true,
        schema: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      }],
      responses: { 200: json(ref("WebhookLog")) },
    },
  },
  "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
    post: {
      summary: "Send a delivery again now, with the same webhook-id",
      parameters: [webhookId, {
        name: "deliveryId",
        in: "path",
        required: true,
        schema: { type: "string", pattern: "^msg_[0-9a-f]{32}$" },
      }],
      responses: {
        200: json(ref("SendResult")),
        409: errorResponse("An attempt of this delivery is in flight"),
      },
    },
  },
  "/api/audit": {
    get: {
      summary: "The audit log, newest first: who (user, token or system) changed what, and when",
      description: "Admins and write tokens only.",
      "x-write-access": true,
      parameters: queryParameters(AuditQuery),
      responses: {
        200: json({
          type: "object",
          properties: {
            items: { type: "array", items: ref("AuditEntry") },
            next_before: {
              type: ["integer", "null"],
              description: "Pass as `before` for the next, older page; null on the last page",
            },
          },
          required: ["items", "next_before"],
        }),
      },
    },
  },
  "/api/tokens": {
    get: {
      summary: "List API tokens that are not revoked, newest first, with their last use (never their values)",
      description: "Admins and write tokens only.",
      "x-write-access": true,
      responses: { 200: json({ type: "array", items: ref("ApiToken") }) },
    },
    post: {
      summary: "Create an API token; the answer holds its value, shown this once and stored only as a digest",
      requestBody: jsonBody(TokenCreateSchema),
      responses: { 201: json(ref("NewApiToken"), "Created") },
    },
  },
  "/api/tokens/{id}": {
    parameters: [id(INT4_MAX)],
    delete: {
      summary: "Revoke an API token; the next request that uses it is answered 401",
      "x-write-access": true,
      responses: {
        200: json(ref("Message")),
        409: errorResponse("The token making the request: a token cannot revoke itself"),
      },
    },
  },
  "/api/openapi.json": {
    get: {
      summary: "This document",
      security: [],
      responses: { 200: json({ type: "object" }) },
    },
  },
  "/healthz": {
    get: {
      summary: "Health: 200 when the database answers SELECT 1 within 2 s, else 503",
      security: [],
      responses: { 200: json(ref("Health")), 503: json(ref("Health"), "The database does not answer") },
    },
  },
  "/readyz": {
    get: {
      summary: "Readiness: 200 when the database and the job queue answer within 2 s, else 503",
      security: [],
      responses: {
        200: json(ref("Health")),
        503: json(ref("Health"), "The database or the queue does not answer"),
      },
    },
  },
};

type Operation = {
  parameters?: { in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
  security?: unknown[];
  "x-write-access"?: boolean;
};
const METHODS = ["get", "put", "patch", "post", "delete"] as const;

const RATE_LIMIT_HEADERS = {
  "RateLimit-Limit": { description: "Calls this token may make per minute", schema: { type: "integer" } },
  "RateLimit-Remaining": { description: "Calls left in this minute", schema: { type: "integer" } },
  "RateLimit-Reset": { description: "Seconds until the budget is full again", schema: { type: "integer" } },
};

/**
 * Adds the answers every route shares, by what the route has: a token (401, 429), a change or an
 * admin-only read (403), an id in the path (404), a query (400), a JSON body (413, 415, 422).
 */
function withSharedResponses(paths: Record<string, Record<string, unknown>>) {
  for (const [path, item] of Object.entries(paths)) {
    const pathParameters = (item.parameters as { in: string }[] | undefined) ?? [];
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const shared: Record<string, unknown> = {};
      const parameters = [...pathParameters, ...(operation.parameters ?? [])];
      if (parameters.some((parameter) => parameter.in === "query")) {
        shared[400] = errorResponse("A query parameter is not valid (the message names it)");
      }
      if (path.includes("{")) shared[404] = errorResponse("Nothing has this id");
      if (operation.requestBody?.content["application/json"]) {
        shared[413] = errorResponse(`The JSON body is larger than ${MAX_JSON_BYTES} bytes`);
        shared[415] = errorResponse("The body is not application/json");
        shared[422] = errorResponse("The body is not valid (details name each field)");
      }
      if (!operation.security) {
        shared[401] = {
          ...errorResponse("No token, or an unknown or revoked one"),
          headers: { "WWW-Authenticate": { schema: { type: "string" }, required: true } },
        };
        shared[429] = {
          ...errorResponse("Over RATE_LIMIT_PER_MINUTE calls this minute"),
          headers: {
            "Retry-After": { description: "Seconds to wait", schema: { type: "integer" }, required: true },
            ...RATE_LIMIT_HEADERS,
          },
        };
        if (method !== "get" || operation["x-write-access"]) {
          shared[403] = errorResponse("A read-only token, or a viewer's session");
        }
      }
      delete operation["x-write-access"];
      operation.responses = { ...shared, ...operation.responses };
    }
  }
  return paths;
}

/** The OpenAPI 3.1 description of the JSON API. */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Acme Product Importer API",
    version: "1.0.0",
    description:
      "Import product CSVs, follow their progress, manage products, and receive webhooks signed as Standard " +
      "Webhooks (headers webhook-id, webhook-timestamp, webhook-signature). Every call carries an API " +
      "token (`Authorization: Bearer …`, from `deno task token NAME` or Settings → API tokens); a read " +
      "token may only GET.",
  },
  paths: withSharedResponses(PATHS),
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
      Message: {
        type: "object",
        properties: { message: { type: "string" } },
        required: ["message"],
      },
      Task: {
        type: "object",
        properties: { task_id: { type: "string", format: "uuid" }, message: { type: "string" } },
        required: ["task_id", "message"],
      },
      BulkTask: {
        type: "object",
        properties: {
          task_id: { type: "string", format: "uuid" },
          message: { type: "string" },
          total: { type: "integer", minimum: 0, description: "The products selected when it was asked for" },
        },
        required: ["task_id", "message", "total"],
      },
      Health: {
        type: "object",
        properties: {
          status: { type: "string", enum: ["ok", "error"] },
          database: { type: "string", enum: ["ok", "unreachable"] },
          queue: { type: "string", enum: ["ok", "unreachable"] },
          message: { type: "string" },
        },
        required: ["status", "database"],
      },
      ImportJob: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          file_name: { type: ["string", "null"] },
          file_size: { type: ["integer", "null"] },
          status: { type: "string", enum: ["queued", "processing", "complete", "error", "cancelled"] },
          cancelling: {
            type: "boolean",
            description: "A cancel was asked for; it stops after its current batch",
          },
          message: { type: ["string", "null"] },
          error: { type: ["string", "null"] },
          rows: { type: "integer" },
          inserted: { type: "integer" },
          updated: { type: "integer" },
          unchanged: { type: "integer" },
          duplicates: { type: "integer" },
          failed: { type: "integer" },
          percent: { type: "number" },
          rows_per_sec: { type: ["number", "null"] },
          duration_ms: { type: ["number", "null"] },
          created_at: { type: "string", format: "date-time" },
          started_at: { type: ["string", "null"], format: "date-time" },
          finished_at: { type: ["string", "null"], format: "date-time" },
          errors_csv_url: { type: ["string", "null"] },
          search_index: {
            type: "string",
            enum: ["ready", "catching_up"],
            description:
              "catching_up while a large import's search indexes are rebuilt after it (searches are " +
              "right meanwhile, only slower)",
          },
          search_ready_at: { type: ["string", "null"], format: "date-time" },
        },
        required: ["id", "status", "rows", "inserted", "updated", "failed", "created_at", "search_index"],
      },
      ImportPreview: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          url: { type: "string", description: "The page that confirms or cancels it" },
          file_name: { type: "string" },
          file_size: { type: "integer" },
          delimiter: { type: "string" },
          encoding: { type: "string" },
          problem: { type: ["string", "null"] },
          columns: {
            type: "array",
            items: {
              type: "object",
              properties: {
                header: { type: "string" },
                field: { type: "string", enum: ["sku", "name", "description", "price", "active", "ignore"] },
                source: { type: "string", enum: ["name", "remembered", "unknown"] },
              },
              required: ["header", "field", "source"],
            },
          },
          rows: { type: "array", items: { type: "array", items: { type: "string" } } },
          expires_at: { type: "string", format: "date-time" },
        },
        required: [
          "id",
          "url",
          "file_name",
          "delimiter",
          "encoding",
          "problem",
          "columns",
          "rows",
          "expires_at",
        ],
      },
      WebhookWithSecret: {
        allOf: [
          { $ref: "#/components/schemas/Webhook" },
          {
            type: "object",
            properties: { secret: { type: "string", pattern: "^whsec_" } },
            required: ["secret"],
          },
        ],
      },
      WebhookWithOptionalSecret: {
        allOf: [
          { $ref: "#/components/schemas/Webhook" },
          { type: "object", properties: { secret: { type: "string", pattern: "^whsec_" } } },
        ],
      },
      NewApiToken: {
        allOf: [
          { $ref: "#/components/schemas/ApiToken" },
          {
            type: "object",
            properties: { token: { type: "string", pattern: "^acme_" } },
            required: ["token"],
          },
        ],
      },
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
          response_excerpt: {
            type: ["string", "null"],
            description: `The first ${EXCERPT_CHARS} characters of the response body`,
          },
          next_retry_at: { type: ["string", "null"], format: "date-time" },
          delivery_status: { type: "string", enum: ["pending", "succeeded", "failed"] },
          created_at: { type: "string", format: "date-time" },
          request: {
            type: "object",
            description: "The request as sent; its body is the delivery's, the same bytes on every attempt",
            properties: {
              url: { type: ["string", "null"], description: "null for attempts logged before it was kept" },
              headers: {
                ...headerPairs,
                description: "null when nothing was sent (the URL was refused or its host did not resolve)",
              },
              body: { type: "string", description: "The exact bytes that were signed and sent" },
            },
            required: ["url", "headers", "body"],
          },
          response: {
            type: ["object", "null"],
            description: "The response as received; null when none came",
            properties: {
              status: { type: "integer" },
              headers: headerPairs,
              body: {
                type: ["string", "null"],
                description: `At most the first ${RESPONSE_BODY_LIMIT_BYTES} bytes of the body`,
              },
              body_truncated: { type: "boolean", description: "The body was longer and is cut at the limit" },
            },
            required: ["status", "headers", "body", "body_truncated"],
          },
        },
        required: [
          "id",
          "webhook_id",
          "delivery_id",
          "event_type",
          "attempt",
          "payload",
          "response_status",
          "response_time_ms",
          "error_kind",
          "error_message",
          "response_excerpt",
          "next_retry_at",
          "delivery_status",
          "created_at",
          "request",
          "response",
        ],
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
