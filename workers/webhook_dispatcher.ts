/**
 * The webhook dispatcher. Events are queued in PostgreSQL by the change that caused them; a Deno
 * KV message rings the doorbell (at once for new events, delayed to the retry time for retries)
 * and the dispatcher sends whatever is due, a few at a time, on the main thread's event loop —
 * sending is waiting on the network, never work that could slow HTTP responses. A timer looks
 * again after the next due time anyway, so a lost message or a restart delays nothing.
 */
import type { Sql } from "../core/platform/mod.ts";
import {
  claimDueDeliveries,
  type ClaimedDelivery,
  type DeliveryPolicy,
  nextDueAt,
  pruneOldDeliveries,
  recordAttempt,
  sendDelivery,
} from "../core/webhooks/mod.ts";
import { SerialDrain } from "./serial_drain.ts";

/** What the dispatcher needs. */
export interface WebhookDispatcherOptions {
  sql: Sql;
  kv: Deno.Kv;
  policy: DeliveryPolicy;
  /** Attempts in flight at once. */
  concurrency?: number;
}

/** The KV message that asks the dispatcher to look for due deliveries. */
export interface WebhookWakeMessage {
  kind: "webhook-wake";
}

/** Even with nothing scheduled, look again this often (another instance may have queued work). */
const IDLE_CHECK_MS = 30_000;
/** How often old finished deliveries are pruned. */
const PRUNE_EVERY_MS = 3600_000;

/** Sends due webhook deliveries; see the module comment. */
export class WebhookDispatcher {
  #options: WebhookDispatcherOptions;
  #loop = new SerialDrain("webhook dispatcher", () => this.#drain(), () => {
    this.#scheduleNextLook().catch((error) => console.error("webhook dispatcher:", error));
  });
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pruneTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
  }

  /** Delivers whatever an earlier process left due, and prunes old deliveries now and hourly. */
  start(): void {
    this.wake();
    const prune = () =>
      pruneOldDeliveries(this.#options.sql).catch((error) =>
        console.error("pruning webhook deliveries:", error)
      );
    prune();
    this.#pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  }

  /** Rings the doorbell through the KV queue, now or after `delayMs`. */
  async ring(delayMs = 0): Promise<void> {
    if (this.#loop.stopped) return;
    await this.#options.kv.enqueue({ kind: "webhook-wake" } satisfies WebhookWakeMessage, {
      delay: Math.max(0, Math.round(delayMs)),
    });
  }

  /** Looks for due deliveries now; cheap to call often. */
  wake(): void {
    this.#loop.wake();
  }

  /** Stops claiming; attempts in flight finish (each ends within the request timeout). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#pruneTimer);
    await this.#loop.stop();
  }

  async #drain(): Promise<void> {
    const { sql, policy, concurrency = 16 } = this.#options;
    clearTimeout(this.#timer); // looking now
    const inFlight = new Set<Promise<void>>();
    while (!this.#loop.stopped) {
      const free = concurrency - inFlight.size;
      const batch = free > 0 ? await claimDueDeliveries(sql, free, policy.ratePerHour) : [];
      if (batch.length === 0) {
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
        continue;
      }
      for (const delivery of batch) {
        const attempt = this.#attempt(delivery).finally(() => inFlight.delete(attempt));
        inFlight.add(attempt);
      }
    }
    await Promise.all(inFlight);
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const { sql, policy } = this.#options;
    try {
      const result = await sendDelivery(delivery, policy);
      const retryAt = await recordAttempt(sql, delivery, result, policy, "scheduled");
      if (retryAt) await this.ring(retryAt.getTime() - Date.now());
    } catch (error) {
      // The claim lapses and the attempt is made again; nothing is lost.
      console.error(`webhook delivery ${delivery.id} could not be recorded:`, error);
    }
  }

  async #scheduleNextLook(): Promise<void> {
    if (this.#loop.stopped) return;
    const due = await nextDueAt(this.#options.sql);
    const waitMs = due ? due.getTime() - Date.now() : IDLE_CHECK_MS;
    // Due but not claimable means rate-limited (or claimed elsewhere): look again later.
    const delay = waitMs <= 0 ? IDLE_CHECK_MS : Math.min(waitMs, IDLE_CHECK_MS);
    clearTimeout(this.#timer);
    if (!this.#loop.stopped) this.#timer = setTimeout(() => this.wake(), delay + 50);
  }
}
