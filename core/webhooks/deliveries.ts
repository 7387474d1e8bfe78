/**
 * Delivering queued webhook events: claiming what is due (within the per-webhook rate limit),
 * sending one attempt, and recording it — the log row, the next retry or the final outcome, and
 * turning off webhooks whose receiver is gone (410) or keeps failing. Reading the log: `webhook_log.ts`.
 */
import type { Selectable } from "kysely";
import type { Config } from "../platform/config.ts";
import type { Sql } from "../platform/db.ts";
import { ConflictError, NotFoundError } from "../platform/errors.ts";
import type { WebhookDeliveryTable, WebhookTable } from "../platform/schema.ts";
import { eventBody, TEST_EVENT_TYPE } from "./events.ts";
import { type SendResult, sendWebhookRequest } from "./sender.ts";
import { webhookHeaders } from "./signing.ts";
import type { UrlGuardOptions } from "./url_guard.ts";

/** How deliveries behave; from the configuration. */
export interface DeliveryPolicy extends UrlGuardOptions {
  timeoutMs: number;
  /** Seconds before each retry; its length is the number of retries. */
  retrySchedule: number[];
  disableAfterFailures: number;
  ratePerHour: number;
}

/** Which URLs webhooks may call, as the configuration says. */
export function urlGuard(config: Config): UrlGuardOptions {
  return { allowPrivate: config.webhookAllowPrivate, allowedHosts: config.webhookAllowedHosts };
}

/** The delivery policy a configuration sets. */
export function deliveryPolicy(config: Config): DeliveryPolicy {
  return {
    ...urlGuard(config),
    timeoutMs: config.webhookTimeoutMs,
    retrySchedule: config.webhookRetrySchedule,
    disableAfterFailures: config.webhookDisableAfterFailures,
    ratePerHour: config.webhookRateLimitPerHour,
  };
}

/** A delivery claimed for an attempt (`attempts` counts this one), with what is needed to send it. */
export type ClaimedDelivery =
  & Pick<
    Selectable<WebhookDeliveryTable>,
    "id" | "webhook_id" | "event_type" | "body" | "status" | "attempts"
  >
  & Pick<Selectable<WebhookTable>, "url" | "secret">
  & {
    /** The secret before the last rotation, while it still signs. */
    previous_secret: string | null;
  };

/** The previous secret of webhook `w` while it still signs, as column `previous_secret`. */
function previousSecret(sql: Sql) {
  return sql`CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END AS previous_secret`;
}

/**
 * An attempt longer than this is presumed lost with its process and may be claimed again: twice the
 * longest timeout the configuration allows (60 s), so a slow but live attempt is never sent twice.
 */
const CLAIM_LEASE_SECONDS = 120;
/** Retry-After values above this are capped: a receiver cannot park a delivery for weeks. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;
// Any constant; shared by every instance so claims (and so the rate limit) are serialized.
const CLAIM_LOCK_ID = 727_004;

/**
 * Claims up to `limit` due deliveries of enabled webhooks, skipping webhooks that have used their
 * hourly budget (attempts logged in the last hour plus attempts in flight): those wait, they are
 * not dropped. Claims are serialized across instances so the budget holds exactly.
 */
export async function claimDueDeliveries(
  sql: Sql,
  limit: number,
  ratePerHour: number,
): Promise<ClaimedDelivery[]> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_ID})`;
    // Per webhook with something due: its budget, then its oldest due deliveries within it
    // (index probes on migration 004's partial indexes, however many deliveries wait).
    return await tx<ClaimedDelivery[]>`
      WITH budget AS (
        SELECT w.id, w.url, w.secret, ${previousSecret(sql)},
          ${ratePerHour}
            - (SELECT count(*) FROM webhook_logs l
                WHERE l.webhook_id = w.id AND l.event_type <> ${TEST_EVENT_TYPE}
                  AND l.created_at > now() - interval '1 hour')
            - (SELECT count(*) FROM webhook_deliveries f
                WHERE f.webhook_id = w.id AND f.status = 'pending' AND f.locked_until IS NOT NULL
                  AND f.locked_until > now()) AS remaining
        FROM webhooks w
        WHERE w.enabled AND EXISTS (
          SELECT 1 FROM webhook_deliveries d
          WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= now())
      ),
      chosen AS (
        SELECT due.id, b.url, b.secret, b.previous_secret
        FROM budget b CROSS JOIN LATERAL (
          SELECT d.id FROM webhook_deliveries d
          WHERE d.webhook_id = b.id AND d.status = 'pending' AND d.next_attempt_at <= now()
            AND (d.locked_until IS NULL OR d.locked_until < now())
          ORDER BY d.next_attempt_at, d.id
          LIMIT greatest(least(b.remaining, ${limit}), 0)
        ) due
        WHERE b.remaining > 0
        LIMIT ${limit}
      )
      UPDATE webhook_deliveries d
      SET attempts = d.attempts + 1,
        locked_until = now() + make_interval(secs => ${CLAIM_LEASE_SECONDS})
      FROM chosen
      WHERE d.id = chosen.id
        -- Checked again on the row as it is now: a redelivery by hand (which takes no advisory
        -- lock) may have claimed it after this statement's snapshot chose it.
        AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < now())
      RETURNING d.id, d.webhook_id, d.event_type, d.body, d.status, d.attempts, chosen.url, chosen.secret,
        chosen.previous_secret`;
  });
}

/** When the next pending delivery of an enabled webhook is due, or null if there is none. */
export async function nextDueAt(sql: Sql): Promise<Date | null> {
  const [row] = await sql<{ due: Date | null }[]>`
    SELECT min(d.next_attempt_at) AS due
    FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.status = 'pending' AND w.enabled`;
  return row.due;
}

/** Signs and sends one attempt of a claimed delivery. */
export async function sendDelivery(delivery: ClaimedDelivery, policy: DeliveryPolicy): Promise<SendResult> {
  const headers = await webhookHeaders(
    { id: delivery.id, timestamp: Math.floor(Date.now() / 1000), body: delivery.body },
    delivery.previous_secret ? [delivery.secret, delivery.previous_secret] : delivery.secret,
  );
  return await sendWebhookRequest(delivery.url, delivery.body, headers, {
    allowPrivate: policy.allowPrivate,
    allowedHosts: policy.allowedHosts,
    timeoutMs: policy.timeoutMs,
  });
}

/** The wait before retry number `retry` (1-based): the schedule's entry with ±20% jitter, or the receiver's Retry-After. */
export function retryDelaySeconds(
  policy: Pick<DeliveryPolicy, "retrySchedule">,
  retry: number,
  retryAfterSeconds: number | null,
  random = Math.random,
): number {
  if (retryAfterSeconds !== null) return Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS);
  const base = policy.retrySchedule[retry - 1];
  return base * (0.8 + 0.4 * random());
}

/**
 * How an attempt came about: the dispatcher's `scheduled` attempts retry and count toward turning a
 * failing webhook off; a `redeliver` by hand can only complete a delivery (its failure leaves the
 * retries as they were); a `test` is sent once. A 410 Gone turns the webhook off in every case.
 */
export type AttemptKind = "scheduled" | "redeliver" | "test";

/** Records an attempt: its log row, then the delivery's and the webhook's new state. Returns when the retry is due, if one is. */
export async function recordAttempt(
  sql: Sql,
  delivery: ClaimedDelivery,
  result: SendResult,
  policy: DeliveryPolicy,
  kind: AttemptKind,
): Promise<Date | null> {
  const gone = result.status === 410;
  // The SSRF guard refused the URL: waiting will not make it allowed, so it fails at once.
  const blocked = !result.ok && result.errorKind === "blocked";
  const retriesLeft = kind === "scheduled" && !result.ok && !gone && !blocked &&
    delivery.attempts <= policy.retrySchedule.length;
  const nextRetryAt = retriesLeft
    ? new Date(Date.now() + 1000 * retryDelaySeconds(policy, delivery.attempts, result.retryAfterSeconds))
    : null;
  const exhausted = kind === "scheduled" && !result.ok && !gone && !retriesLeft;
  const settled = result.ok
    ? "succeeded"
    : gone || exhausted || kind === "test"
    ? "failed"
    : kind === "redeliver"
    ? delivery.status // a failed redelivery changes nothing
    : "pending";
  // A success resets the webhook's streak of failed deliveries; a delivery that used every retry adds one.
  const touchesStreak = (result.ok && kind !== "test") || exhausted;
  const errorMessage = blocked && kind === "scheduled"
    ? `${result.errorMessage} Not retried: the address will not become allowed by waiting.`
    : result.errorMessage;
  // One statement, so one round trip and atomic without an explicit transaction; the webhook row is
  // only written when its streak changes (every success writing it made concurrent sends queue on its lock).
  const [row] = await sql<{ streak: number | null }[]>`
    WITH logged AS (
      INSERT INTO webhook_logs (webhook_id, delivery_id, event_type, attempt, response_status, response_time_ms,
        error_kind, error_message, next_retry_at, request_url, request_headers, response_headers, response_body,
        response_body_truncated)
      VALUES (${delivery.webhook_id}, ${delivery.id}, ${delivery.event_type}, ${delivery.attempts}, ${result.status},
        ${result.timeMs}, ${result.errorKind}, ${errorMessage}, ${nextRetryAt}, ${
    result.request?.url ?? delivery.url
  },
        ${result.request ? sql.json(result.request.headers) : null},
        ${result.response ? sql.json(result.response.headers) : null}, ${result.response?.body ?? null},
        ${result.response?.truncated ?? false})
    ),
    streak AS (
      UPDATE webhooks
      SET consecutive_failures = CASE WHEN ${result.ok} THEN 0 ELSE consecutive_failures + 1 END
      WHERE id = ${delivery.webhook_id} AND ${touchesStreak}
        AND (NOT ${result.ok} OR consecutive_failures <> 0)
      RETURNING consecutive_failures
    )
    UPDATE webhook_deliveries SET status = ${settled}, locked_until = NULL,
      next_attempt_at = coalesce(${nextRetryAt}, next_attempt_at),
      finished_at = CASE WHEN ${settled} = 'pending' THEN NULL ELSE now() END
    WHERE id = ${delivery.id}
    RETURNING (SELECT consecutive_failures FROM streak) AS streak`;

  const reason = gone
    ? `The receiver answered 410 Gone on ${stamp(new Date())}, so the webhook was turned off.`
    : exhausted && row && row.streak !== null && row.streak >= policy.disableAfterFailures
    ? `Turned off on ${stamp(new Date())} after ${row.streak} deliveries in a row failed every retry ` +
      `(last: ${errorMessage ?? "no answer"}).`
    : null;
  if (reason) {
    await sql`UPDATE webhooks SET enabled = false, disabled_reason = ${reason}, updated_at = now()
      WHERE id = ${delivery.webhook_id} AND enabled`;
  }
  return nextRetryAt;
}

function stamp(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Sends a `webhook.test` event to one webhook right away (enabled or not) and logs it like any
 * attempt; it is never retried and never counts toward turning the webhook off.
 */
export async function sendTestEvent(
  sql: Sql,
  webhookId: number,
  policy: DeliveryPolicy,
  data: unknown = { message: "This is a test event from Acme Product Importer." },
): Promise<SendResult & { deliveryId: string }> {
  const [webhook] = await sql<Pick<ClaimedDelivery, "url" | "secret" | "previous_secret">[]>`
    SELECT w.url, w.secret, ${previousSecret(sql)} FROM webhooks w WHERE w.id = ${webhookId}`;
  if (!webhook) throw new NotFoundError(`There is no webhook with id ${webhookId}.`);
  const [row] = await sql<Omit<ClaimedDelivery, "url" | "secret" | "previous_secret">[]>`
    INSERT INTO webhook_deliveries (id, webhook_id, event_type, body, attempts, locked_until)
    VALUES (${messageId()}, ${webhookId}, ${TEST_EVENT_TYPE}, ${eventBody(TEST_EVENT_TYPE, data)}, 1,
      now() + make_interval(secs => ${CLAIM_LEASE_SECONDS}))
    RETURNING id, webhook_id, event_type, body, status, attempts`;
  const delivery = { ...row, ...webhook };
  const result = await sendDelivery(delivery, policy);
  await recordAttempt(sql, delivery, result, policy, "test");
  return { ...result, deliveryId: delivery.id };
}

/**
 * Sends a delivery again now, by hand, with the same `webhook-id` (receivers deduplicate on it).
 * A success completes it; a failure leaves any scheduled retries in place.
 */
export async function redeliver(
  sql: Sql,
  webhookId: number,
  deliveryId: string,
  policy: DeliveryPolicy,
): Promise<SendResult> {
  const [delivery] = await sql<ClaimedDelivery[]>`
    UPDATE webhook_deliveries d
    SET attempts = d.attempts + 1, locked_until = now() + make_interval(secs => ${CLAIM_LEASE_SECONDS})
    FROM webhooks w
    WHERE d.id = ${deliveryId} AND d.webhook_id = ${webhookId} AND w.id = d.webhook_id
      AND (d.locked_until IS NULL OR d.locked_until < now())
    RETURNING d.id, d.webhook_id, d.event_type, d.body, d.status, d.attempts, w.url, w.secret,
      ${previousSecret(sql)}`;
  if (!delivery) {
    const [exists] =
      await sql`SELECT 1 FROM webhook_deliveries WHERE id = ${deliveryId} AND webhook_id = ${webhookId}`;
    if (!exists) {
      throw new NotFoundError(`Webhook ${webhookId} has no delivery "${deliveryId.slice(0, 60)}".`);
    }
    throw new ConflictError("That delivery is being sent right now; try again in a moment.");
  }
  const result = await sendDelivery(delivery, policy);
  await recordAttempt(sql, delivery, result, policy, "redeliver");
  return result;
}

function messageId(): string {
  return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}
