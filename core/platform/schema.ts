/**
 * Every table, as the migrations create it: the one description of the database that Kysely
 * queries are checked against and that row types derive from (`Selectable<ProductTable>`).
 * bigint columns arrive as numbers (see `db.ts`), numeric as strings to keep cents exact.
 */
import type { ColumnType, Generated } from "kysely";

/** A column the database fills in on insert and that is never written afterwards. */
type CreatedAt = ColumnType<Date, never, never>;
/** A column with a database default that may also be written. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** `products` (migrations 001, 002). */
export interface ProductTable {
  id: Generated<number>;
  sku: string;
  name: string;
  description: string | null;
  /** numeric(10,2), e.g. "19.90". */
  price: string | null;
  active: Defaulted<boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

/** `deleted_products` (migration 014): a deleted product as it was, for "Undo", kept for a day. */
export interface DeletedProductTable {
  id: number;
  sku: string;
  name: string;
  description: string | null;
  price: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  deleted_at: Defaulted<Date>;
}

/** `product_stats`: one row holding the exact product count, kept by triggers. */
export interface ProductStatsTable {
  singleton: boolean;
  total: ColumnType<number, never, never>;
  /** Moved on by every statement that changes products (migration 018). */
  version: ColumnType<number, never, never>;
}

/** `product_page_anchors`: for one sort order, the id of every `every`th product (migration 018). */
export interface ProductPageAnchorTable {
  /** `<sort> <order>`, e.g. `updated desc`. */
  sort: string;
  /** The `product_stats.version` the anchors were taken at; they serve only it. */
  version: number;
  every: number;
  /** `ids[k]` (1-based) is the product at position `k × every` (0-based) in that order. */
  ids: number[];
  taken_at: Defaulted<Date>;
}

/** The lifecycle of a job: queued → processing → complete | error | cancelled. */
export type JobStatus = "queued" | "processing" | "complete" | "error" | "cancelled";

/** What a job does: import a CSV file, delete every product, or change a selection of products. */
export type JobKind = "import" | "bulk_delete" | "bulk_action";

/** `import_jobs`: CSV imports and delete-all runs, both run by the job queue. */
export interface ImportJobTable {
  id: string;
  kind: Defaulted<JobKind>;
  file_name: Defaulted<string>;
  file_path: Defaulted<string>;
  file_size: Defaulted<number>;
  status: Defaulted<JobStatus>;
  message: Defaulted<string>;
  rows_done: Defaulted<number>;
  bytes_done: Defaulted<number>;
  inserted: Defaulted<number>;
  updated: Defaulted<number>;
  unchanged: Defaulted<number>;
  duplicates: Defaulted<number>;
  failed: Defaulted<number>;
  /** The file's header row, kept for the error report. */
  header: string[] | null;
  /** Per lane, the record index through which that lane's rows are committed (the resume point). */
  lane_rows_done: number[] | null;
  error: string | null;
  attempts: Defaulted<number>;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
  /** The instance whose volume holds the upload and which alone may run it; null lets any instance run it. */
  owner_instance: string | null;
  /** The instance that claimed the job last: the one running it while it is processing. */
  claimed_by: string | null;
  /** The file's data rows, known once they are staged; null while the file is read. */
  rows_total: number | null;
  /** This import dropped the search indexes to write faster; they are rebuilt after it ends. */
  search_deferred: Defaulted<boolean>;
  /** When the search indexes were whole again after this import deferred them. */
  search_ready_at: Date | null;
  /** A bulk action's what, which and how far (migration 014); null for other jobs. */
  params: Record<string, unknown> | null;
  /** When someone asked to cancel the import (migration 016); it ends `cancelled` after its current batch. */
  cancel_requested_at: Date | null;
  /** Normalized header → product field or "ignore", as confirmed in the preview; null reads headers by name. */
  column_mapping: Record<string, string> | null;
  /** The field separator the preview detected; "," for API uploads. */
  delimiter: Defaulted<string>;
}

/** `import_row_errors`: each CSV row that could not be imported, with its line and original fields. */
export interface ImportRowErrorTable {
  job_id: string;
  line: number;
  fields: string[];
  message: string;
}

/** `webhooks` (migrations 003, 005). */
export interface WebhookTable {
  id: Generated<number>;
  url: string;
  event_types: string[];
  enabled: Defaulted<boolean>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: Defaulted<number>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

/** How a delivery stands: waiting (or retrying), delivered, or given up. */
export type DeliveryStatus = "pending" | "succeeded" | "failed";

/** `webhook_deliveries`: one event for one webhook; its id is the `webhook-id` header. */
export interface WebhookDeliveryTable {
  id: string;
  webhook_id: number;
  event_type: string;
  /** The exact signed JSON body. */
  body: string;
  status: Defaulted<DeliveryStatus>;
  attempts: Defaulted<number>;
  next_attempt_at: Defaulted<Date>;
  locked_until: Date | null;
  created_at: CreatedAt;
  finished_at: Date | null;
}

/** `webhook_logs`: one row per delivery attempt. */
export interface WebhookLogTable {
  id: Generated<number>;
  webhook_id: number;
  delivery_id: string;
  event_type: string;
  attempt: number;
  response_status: number | null;
  response_time_ms: number;
  error_kind: string | null;
  error_message: string | null;
  /** Written before migration 013 only: the first 1 KB of the body, read as `response_body` since. */
  response_excerpt: string | null;
  next_retry_at: Date | null;
  created_at: CreatedAt;
  /** The URL the attempt went to (the webhook's URL may change later). */
  request_url: string | null;
  /** `[name, value]` pairs as sent; null when nothing was sent (or before migration 013). */
  request_headers: [string, string][] | null;
  /** `[name, value]` pairs as received; null when no response came. */
  response_headers: [string, string][] | null;
  /** The response body up to the kept limit. */
  response_body: string | null;
  response_body_truncated: Defaulted<boolean>;
}

/** What a person may do: `admin` everything, `viewer` read only. */
export type Role = "admin" | "viewer";

/** `users` (migration 006): people who sign in. */
export interface UserTable {
  id: Generated<number>;
  email: string;
  /** `scrypt$N$r$p$salt$key`, see `core/accounts/passwords.ts`. */
  password_hash: string;
  role: Role;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

/** `sessions`: signed-in browsers; the cookie holds the id, the table only its digest. */
export interface SessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, never, Date>;
}

/** What an API token may do: `read` only GET, `write` everything its creator could. */
export type TokenScope = "read" | "write";

/** `api_tokens`: bearer tokens for automation; only their digest is stored. */
export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  scope: TokenScope;
  token_hash: string;
  created_by: number | null;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Who did something: a signed-in person, an API token, or the app itself. */
export type AuditActorKind = "user" | "token" | "system";

/** `audit_log` (migration 008): who changed what, and when; never secrets or CSV contents. */
export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  actor_kind: AuditActorKind;
  /** The user's or token's id; null for the system. */
  actor_id: number | null;
  /** The email or token name as it was at the time. */
  actor_label: string;
  /** What was done, e.g. `product.updated`, `import.started`. */
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** A short human description, e.g. `SKU "A-1" (Kettle)`. */
  summary: Defaulted<string>;
  request_id: string | null;
}

/** `rate_limit_counters` (migration 007): hits per bucket in its current window, see `core/limits/`. */
export interface RateLimitCounterTable {
  /** What is counted, e.g. `api-token:12` or `login-account:ann@example.com`. */
  bucket: string;
  /** The bucket's first hit in this window. */
  window_start: Date;
  /** When the window ends; the next hit after it starts a new one. */
  window_end: Date;
  count: number;
}

/** `setup_links` (migration 009): first-admin setup links; only the secret's SHA-256 is stored. */
export interface SetupLinkTable {
  secret_hash: string;
  created_at: CreatedAt;
  /** Set from the database's clock, so every instance agrees on it. */
  expires_at: Date;
  /** When a link created the first admin, or was closed because another one did. */
  used_at: Date | null;
}

/** `schema_migrations`: the migration files already applied. */
export interface SchemaMigrationTable {
  name: string;
  applied_at: CreatedAt;
}

/** The whole database. */
export interface Database {
  products: ProductTable;
  product_stats: ProductStatsTable;
  product_page_anchors: ProductPageAnchorTable;
  deleted_products: DeletedProductTable;
  import_jobs: ImportJobTable;
  import_row_errors: ImportRowErrorTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_logs: WebhookLogTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  rate_limit_counters: RateLimitCounterTable;
  setup_links: SetupLinkTable;
  schema_migrations: SchemaMigrationTable;
  import_previews: ImportPreviewTable;
  import_column_mappings: ImportColumnMappingTable;
}

/** `import_previews` (migration 016): an uploaded file waiting for its preview to be confirmed. */
export interface ImportPreviewTable {
  id: string;
  file_name: string;
  file_path: string;
  file_size: number;
  /** The instance whose volume holds the file; the import runs there. */
  owner_instance: string;
  delimiter: string;
  /** "UTF-8", "UTF-8 with BOM", or what the file looks like when it is not UTF-8. */
  encoding: string;
  header: string[];
  /** The first data rows as parsed, each field cut for display. */
  sample_rows: string[][];
  /** Why the file cannot be imported as it is (not UTF-8, empty…), or null. */
  problem: string | null;
  created_at: CreatedAt;
  expires_at: Date;
}

/** `import_column_mappings` (migration 016): how a header was last mapped, for the next preview. */
export interface ImportColumnMappingTable {
  header: string;
  field: string;
  updated_at: Defaulted<Date>;
}
