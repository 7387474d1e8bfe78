/** The configuration, read once from the environment and validated, then passed in. */
import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .transform((value) => value === "true" || value === "1");

/** An empty variable counts as unset. */
const unset = z.literal("").transform(() => undefined);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  KV_PATH: z.string().optional(),
  UPLOAD_DIR: z.string().optional(),
  MAX_UPLOAD_MB: z.coerce.number().positive().default(500),
  IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(10_000),
  IMPORT_LANES: z.coerce.number().int().min(1).max(8).default(2),
  SEARCH_INDEX_DEFER_ROWS: z.coerce.number().int().min(1).default(50_000),
  JOB_LEASE_SECONDS: z.coerce.number().positive().default(15),
  WEBHOOK_ALLOW_PRIVATE: booleanFlag.default(false),
  WEBHOOK_ALLOWED_HOSTS: z.string().default(""),
  WEBHOOK_RETRY_SCHEDULE: z.string().default("5,300,1800,7200,18000,36000,36000"),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(10),
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).default(5),
  WEBHOOK_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(1000),
  ADMIN_EMAIL: z.union([unset, z.string().trim().email("ADMIN_EMAIL must be an email address")]).optional(),
  ADMIN_PASSWORD: z.union([unset, z.string().min(12, "ADMIN_PASSWORD must be at least 12 characters")])
    .optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(12 * 60),
  SESSION_MAX_HOURS: z.coerce.number().positive().default(7 * 24),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_LOCK_MINUTES: z.coerce.number().positive().default(15),
  TRUST_PROXY: booleanFlag.default(false),
}).refine((env) => (env.ADMIN_EMAIL === undefined) === (env.ADMIN_PASSWORD === undefined), {
  message: "set ADMIN_EMAIL and ADMIN_PASSWORD together",
  path: ["ADMIN_EMAIL"],
});

/** Every environment variable the app reads, in the order of its schema (the README's table lists them). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/** The validated application configuration, read once at start-up. */
export interface Config {
  port: number;
  /** PostgreSQL URL; undefined means the embedded PGlite database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  kvPath: string;
  uploadDir: string;
  maxUploadBytes: number;
  importBatchSize: number;
  /** Connections an import writes on at once (rows are split between them by SKU). */
  importLanes: number;
  /**
   * An import expected to write at least this many products (and half the table) drops the search
   * indexes and has them rebuilt after it ends; never on the embedded database.
   */
  searchIndexDeferRows: number;
  /** A `processing` job whose heartbeat is older than this is taken over. */
  jobLeaseSeconds: number;
  webhookAllowPrivate: boolean;
  /** The only hosts webhooks may call, or null for any public one. */
  webhookAllowedHosts: string[] | null;
  /** Seconds to wait before each retry: the first entry after the first failed attempt, and so on. */
  webhookRetrySchedule: number[];
  /** One deadline for a whole webhook request. */
  webhookTimeoutMs: number;
  /** Deliveries in a row that fail every retry before the webhook is turned off. */
  webhookDisableAfterFailures: number;
  /** Attempts per webhook per rolling hour; more wait, none are dropped. */
  webhookRateLimitPerHour: number;
  /** The owner created (or reset to this password) at start-up, when both are set. */
  owner?: { email: string; password: string };
  /** How long a browser session lives without requests, and at most. */
  session: { idleMinutes: number; maxHours: number };
  /** API calls per token per minute; failed sign-ins per account and per address in a window. */
  rateLimits: {
    apiPerMinute: number;
    loginFailuresPerAccount: number;
    loginFailuresPerAddress: number;
    loginWindowMinutes: number;
  };
  /**
   * Whether a proxy we trust sets `Fly-Client-IP` / `X-Forwarded-For`; only then are they taken as
   * the client's address (otherwise any client could pick its own and dodge the per-address limits).
   */
  trustProxy: boolean;
}

/** A comma-separated host list as lower-case names (IPv6 without brackets), or null when empty. */
function hostList(text: string): string[] | null {
  const hosts = text.split(",").map((host) => host.trim().toLowerCase().replace(/^\[|\]$/g, ""))
    .filter((host) => host !== "");
  return hosts.length > 0 ? hosts : null;
}

/** Reads and validates the configuration from environment variables; throws a readable error. */
export function loadConfig(env: Record<string, string | undefined> = Deno.env.toObject()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const schedule = e.WEBHOOK_RETRY_SCHEDULE.split(",").map((part) => Number(part.trim()));
  if (schedule.some((seconds) => !Number.isFinite(seconds) || seconds < 0)) {
    throw new Error("Invalid configuration: WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds");
  }
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: e.DATA_DIR,
    kvPath: e.KV_PATH ?? `${e.DATA_DIR}/kv.sqlite3`,
    uploadDir: e.UPLOAD_DIR ?? `${e.DATA_DIR}/uploads`,
    maxUploadBytes: Math.floor(e.MAX_UPLOAD_MB * 1024 * 1024),
    importBatchSize: e.IMPORT_BATCH_SIZE,
    importLanes: e.IMPORT_LANES,
    searchIndexDeferRows: e.SEARCH_INDEX_DEFER_ROWS,
    jobLeaseSeconds: e.JOB_LEASE_SECONDS,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookAllowedHosts: hostList(e.WEBHOOK_ALLOWED_HOSTS),
    webhookRetrySchedule: schedule,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_SECONDS * 1000,
    webhookDisableAfterFailures: e.WEBHOOK_DISABLE_AFTER_FAILURES,
    webhookRateLimitPerHour: e.WEBHOOK_RATE_LIMIT_PER_HOUR,
    owner: e.ADMIN_EMAIL && e.ADMIN_PASSWORD
      ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD }
      : undefined,
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, maxHours: e.SESSION_MAX_HOURS },
    rateLimits: {
      apiPerMinute: e.RATE_LIMIT_PER_MINUTE,
      loginFailuresPerAccount: e.LOGIN_FAILURES_PER_ACCOUNT,
      loginFailuresPerAddress: e.LOGIN_FAILURES_PER_ADDRESS,
      loginWindowMinutes: e.LOGIN_LOCK_MINUTES,
    },
    trustProxy: e.TRUST_PROXY,
  };
}
