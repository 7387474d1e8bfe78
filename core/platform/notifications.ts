/**
 * Events that every process of the app must hear: PostgreSQL LISTEN/NOTIFY on a real server (one
 * listening connection per process, shared by every subscriber), delivery within this process on
 * the embedded database. PGlite accepts LISTEN through its socket but never delivers a
 * notification (tried: `pg_notify` from the same and another connection), and it serves one
 * process anyway.
 */
import type { Sql } from "./db.ts";

/** NOTIFY refuses payloads of 8000 bytes or more; stay well below. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7900;

/**
 * Receives every payload sent on a channel, in the order the sending session sent them; `null`
 * means notifications may have been missed (the listening connection was re-established), so the
 * subscriber should read the state it follows from the database.
 */
export type NotificationHandler = (payload: string | null) => void;

/** Options of {@linkcode Notifications.open}. */
export interface NotificationsOptions {
  /** The channels this process listens on; each is LISTENed once, whoever subscribes. */
  channels: string[];
  /** False on the embedded database: deliver within this process only. */
  crossProcess: boolean;
}

/** A process's one connection to the app's notifications. */
export class Notifications {
  readonly #sql: Sql | null;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  #unlisten: (() => Promise<void>)[] = [];

  private constructor(sql: Sql | null, channels: string[]) {
    this.#sql = sql;
    for (const channel of channels) this.#handlers.set(channel, new Set());
  }

  /** Starts listening on `options.channels` (on PostgreSQL: waits until LISTEN is in place). */
  static async open(sql: Sql, options: NotificationsOptions): Promise<Notifications> {
    const notifications = new Notifications(options.crossProcess ? sql : null, options.channels);
    if (options.crossProcess) {
      for (const channel of options.channels) {
        let listening = false;
        const { unlisten } = await sql.listen(
          channel,
          (payload) => notifications.#deliver(channel, payload),
          () => {
            // postgres.js listens again after a lost connection; whatever was sent meanwhile is gone.
            if (listening) notifications.#deliver(channel, null);
            listening = true;
          },
        );
        notifications.#unlisten.push(unlisten);
      }
    }
    return notifications;
  }

  /** Sends `payload` on `channel` to every process, this one included. */
  async send(channel: string, payload: string): Promise<void> {
    if (new TextEncoder().encode(payload).byteLength > MAX_NOTIFY_PAYLOAD_BYTES) {
      throw new Error(
        `A notification on "${channel}" must stay under ${MAX_NOTIFY_PAYLOAD_BYTES} bytes; send an id instead.`,
      );
    }
    if (this.#sql) await this.#sql.notify(channel, payload);
    else queueMicrotask(() => this.#deliver(channel, payload));
  }

  /** Calls `handler` with each payload on `channel` until the returned function is called. */
  subscribe(channel: string, handler: NotificationHandler): () => void {
    const handlers = this.#handlers.get(channel);
    if (!handlers) throw new Error(`Not listening on "${channel}"; name it in the channels to open.`);
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /** Stops listening; subscribers hear nothing more. */
  async close(): Promise<void> {
    const unlisten = this.#unlisten;
    this.#unlisten = [];
    for (const handlers of this.#handlers.values()) handlers.clear();
    await Promise.allSettled(unlisten.map((stop) => stop()));
  }

  #deliver(channel: string, payload: string | null): void {
    for (const handler of this.#handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        console.error(`a handler of notifications on "${channel}" failed:`, error);
      }
    }
  }
}
