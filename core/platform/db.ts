/** The one database pool (postgres.js) and the typed query builder (Kysely) that shares it. */
import postgres from "postgres";
import net from "node:net";
import { Kysely } from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import type { Database } from "./schema.ts";

/** A postgres.js client (a small connection pool). */
export type Sql = postgres.Sql;

/** Options for {@linkcode connectDatabase}. */
export interface ConnectOptions {
  /** Pool size. */
  max?: number;
}

/** Opens a postgres.js pool on `url`. */
export function connectDatabase(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // A documented option (README, "Custom socket") that the package's types leave out.
    ...({ socket: socketsWithoutDelay() } as object),
    // numeric and bigint come back as strings by default; counts fit in a JS number.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
  });
}

/**
 * Opens the TCP (or Unix) sockets of a pool's connections with Nagle's algorithm off. With it on,
 * a message sent right behind another one the server has not yet acknowledged waited for the
 * server's delayed acknowledgement: each `COPY` of an import's records took 40 ms longer to end.
 * Each socket is handed over still connecting, so postgres.js's connect timeout and error handling
 * cover the connection as they do for its own sockets; each new one tries the URL's next host,
 * as postgres.js does.
 */
function socketsWithoutDelay() {
  let attempts = 0;
  return (options: { host: string[]; port: number[]; path?: string | false }): net.Socket => {
    if (options.path) return net.connect(options.path);
    const at = attempts++ % options.host.length;
    return net.connect({ host: options.host[at], port: options.port[at] ?? options.port[0], noDelay: true });
  };
}

/** A typed query builder sharing the given postgres.js pool. */
export function queryBuilder(sql: Sql): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sql }) });
}

/** Asks the database for `SELECT 1`; returns null when it answers within `timeoutMs`, else what went wrong. */
export async function pingDatabase(sql: Sql, timeoutMs: number): Promise<string | null> {
  return await answersWithin(sql`SELECT 1`, timeoutMs);
}

/**
 * Null when `check` settles successfully within `timeoutMs`, else what went wrong (its error, or
 * the deadline); for health checks, which must answer fast whatever they probe.
 */
export async function answersWithin(check: PromiseLike<unknown>, timeoutMs: number): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
  });
  // A check that loses the race still settles later; its outcome is caught here, never unhandled.
  const outcome = Promise.resolve(check).then(() => null, (error: Error) => error?.message ?? String(error));
  try {
    return await Promise.race([outcome, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
