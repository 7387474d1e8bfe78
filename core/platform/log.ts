/**
 * Structured logs: one JSON object per line, written to a sink (stdout unless one is given), so a
 * log collector can parse every line. Callers pass named fields only — never request bodies,
 * secrets or CSV contents.
 */

/** Where log lines go; one call per line, without the trailing newline. */
export type LogSink = (line: string) => void;

/** How serious a line is. */
export type LogLevel = "info" | "error";

/** What one request's line says. */
export interface RequestLogFields {
  request_id: string;
  method: string;
  /** The path without its query string: search terms and ids in the query stay out of the logs. */
  path: string;
  status: number;
  duration_ms: number;
  /** Who made the request; null until the app has accounts. */
  actor: string | null;
}

/** Writes JSON log lines to one sink. */
export class Logger {
  #sink: LogSink;

  /** A logger writing to `sink`, or to stdout. */
  constructor(sink: LogSink = (line) => console.log(line)) {
    this.#sink = sink;
  }

  /** One line for a finished request. */
  request(fields: RequestLogFields): void {
    this.#write("info", { ...fields });
  }

  /** One line for an error nobody expected, with the request it happened in (null outside one). */
  unexpected(error: unknown, requestId: string | null): void {
    this.#write("error", { request_id: requestId, message: "unexpected error", error: describe(error) });
  }

  #write(level: LogLevel, fields: Record<string, unknown>): void {
    this.#sink(JSON.stringify({ time: new Date().toISOString(), level, ...fields }));
  }
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { message: String(error) };
}
