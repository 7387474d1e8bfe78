/** Webhooks as configured by users: create, read, change, delete, rotate the secret. */
import { type Kysely, type Selectable, sql as kyselySql } from "kysely";
import { type AuditContext, recordAudit } from "../audit/mod.ts";
import { NotFoundError } from "../platform/errors.ts";
import type { Database, WebhookTable } from "../platform/schema.ts";
import { checkWebhookUrl, type UrlGuardOptions } from "./url_guard.ts";
import type { WebhookCreate, WebhookUpdate } from "./input.ts";
import { generateWebhookSecret } from "./signing.ts";
import type { SendResult } from "./sender.ts";

/** A webhook as stored. */
export type Webhook = Selectable<WebhookTable>;

/** A webhook in API responses; the secret only where asked for (one webhook, not the list). */
export function webhookJson(webhook: Webhook, options: { withSecret: boolean }) {
  return {
    id: webhook.id,
    url: webhook.url,
    event_type: webhook.event_types.join(","),
    event_types: webhook.event_types,
    enabled: webhook.enabled,
    disabled_reason: webhook.disabled_reason,
    ...(options.withSecret ? { secret: webhook.secret } : {}),
    previous_secret_expires_at: previousSecretSigns(webhook)
      ? webhook.previous_secret_expires_at!.toISOString()
      : null,
    created_at: webhook.created_at.toISOString(),
    updated_at: webhook.updated_at.toISOString(),
  };
}

/** Options of a webhook change: who makes it, to record in the audit log with the change. */
export interface WebhookChangeOptions {
  /** When given, an audit entry is written in the change's transaction. */
  audit?: AuditContext;
}

/**
 * How the audit log names a webhook: its id and the URL's origin only, since a receiver's path or
 * query often carries its own secret (`https://hooks.example/services/T0/B0/XXXX`).
 */
export function webhookAuditName(webhook: Pick<Webhook, "id" | "url">): string {
  let origin = "";
  try {
    origin = new URL(webhook.url).origin;
  } catch {
    origin = "an invalid URL";
  }
  return `webhook #${webhook.id} (${origin})`;
}

async function audit(
  db: Kysely<Database>,
  options: WebhookChangeOptions,
  webhook: Pick<Webhook, "id" | "url">,
  event: { action: string; summary: string },
): Promise<void> {
  await recordAudit(db, options.audit, { ...event, targetType: "webhook", targetId: webhook.id });
}

/** Every webhook, oldest first. */
export async function listWebhooks(db: Kysely<Database>): Promise<Webhook[]> {
  return await db.selectFrom("webhooks").selectAll().orderBy("id").execute();
}

/** The webhook with this id, or {@linkcode NotFoundError}. */
export async function getWebhook(db: Kysely<Database>, id: number): Promise<Webhook> {
  const webhook = await db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
  if (!webhook) throw new NotFoundError(`There is no webhook with id ${id}.`);
  return webhook;
}

/** Creates a webhook with a new secret; a URL the SSRF guard refuses is a ValidationError. */
export async function createWebhook(
  db: Kysely<Database>,
  input: WebhookCreate,
  guard: UrlGuardOptions & WebhookChangeOptions,
): Promise<Webhook> {
  await checkWebhookUrl(input.url, guard);
  return await db.transaction().execute(async (trx) => {
    const webhook = await trx.insertInto("webhooks").values({
      url: input.url,
      event_types: input.eventTypes,
      enabled: input.enabled,
      secret: generateWebhookSecret(),
    }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, guard, webhook, {
      action: "webhook.created",
      summary: `Created ${webhookAuditName(webhook)} for ${webhook.event_types.join(", ")}`,
    });
    return webhook;
  });
}

/** Changes the given fields; turning a webhook on again clears why it was turned off. */
export async function updateWebhook(
  db: Kysely<Database>,
  id: number,
  input: WebhookUpdate,
  guard: UrlGuardOptions & WebhookChangeOptions,
): Promise<Webhook> {
  if (input.url !== undefined) await checkWebhookUrl(input.url, guard);
  return await db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable("webhooks").set({
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.eventTypes !== undefined ? { event_types: input.eventTypes } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      // Turning a webhook on that was off starts it afresh (SET reads the row as it was).
      ...(input.enabled === true
        ? {
          disabled_reason: kyselySql<string | null>`CASE WHEN enabled THEN disabled_reason END`,
          consecutive_failures: kyselySql<number>`CASE WHEN enabled THEN consecutive_failures ELSE 0 END`,
        }
        : {}),
      updated_at: new Date(),
    }).where("id", "=", id).returningAll().executeTakeFirst();
    if (!updated) throw new NotFoundError(`There is no webhook with id ${id}.`);
    const fields = [
      input.url !== undefined ? "URL" : null,
      input.eventTypes !== undefined ? "events" : null,
      input.enabled === true ? "turned on" : input.enabled === false ? "turned off" : null,
    ].filter((field) => field !== null);
    await audit(trx, guard, updated, {
      action: "webhook.updated",
      summary: `Changed ${webhookAuditName(updated)}${fields.length ? `: ${fields.join(", ")}` : ""}`,
    });
    return updated;
  });
}

/** How long the previous secret keeps signing after a rotation. */
export const SECRET_OVERLAP_HOURS = 24;

/** Whether deliveries are still signed with the secret from before the last rotation too. */
export function previousSecretSigns(webhook: Webhook, now = new Date()): boolean {
  return webhook.previous_secret !== null && webhook.previous_secret_expires_at !== null &&
    webhook.previous_secret_expires_at > now;
}

/**
 * Replaces the signing secret. For {@linkcode SECRET_OVERLAP_HOURS} deliveries carry a signature
 * with the old secret as well, so receivers can switch without rejecting anything in between.
 */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  id: number,
  options: WebhookChangeOptions = {},
): Promise<Webhook> {
  return await db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable("webhooks")
      .set((eb) => ({
        previous_secret: eb.ref("secret"),
        previous_secret_expires_at: kyselySql<Date>`now() + make_interval(hours => ${SECRET_OVERLAP_HOURS})`,
        secret: generateWebhookSecret(),
        updated_at: new Date(),
      }))
      .where("id", "=", id).returningAll().executeTakeFirst();
    if (!updated) throw new NotFoundError(`There is no webhook with id ${id}.`);
    await audit(trx, options, updated, {
      action: "webhook.secret_rotated",
      summary: `Rotated the signing secret of ${webhookAuditName(updated)}`,
    });
    return updated;
  });
}

/** Deletes a webhook with its deliveries and log. */
export async function deleteWebhook(
  db: Kysely<Database>,
  id: number,
  options: WebhookChangeOptions = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom("webhooks").where("id", "=", id).returning(["id", "url"])
      .executeTakeFirst();
    if (!deleted) throw new NotFoundError(`There is no webhook with id ${id}.`);
    await audit(trx, options, deleted, {
      action: "webhook.deleted",
      summary: `Deleted ${webhookAuditName(deleted)}`,
    });
  });
}

/**
 * Records a test send or a redelivery in the audit log, after the send (it changes no settings
 * and spans an HTTP request, so there is no one transaction to join); with its outcome.
 */
export async function recordWebhookSend(
  db: Kysely<Database>,
  id: number,
  options: { audit: AuditContext; deliveryId?: string; result: SendResult },
): Promise<void> {
  const webhook = await db.selectFrom("webhooks").select(["id", "url"]).where("id", "=", id)
    .executeTakeFirst();
  if (!webhook) return;
  const outcome = options.result.ok
    ? `answered ${options.result.status}`
    : `failed (${options.result.errorKind ?? `status ${options.result.status}`})`;
  await audit(
    db,
    options,
    webhook,
    options.deliveryId === undefined
      ? { action: "webhook.tested", summary: `Sent a test event to ${webhookAuditName(webhook)}: ${outcome}` }
      : {
        action: "webhook.redelivered",
        summary: `Redelivered ${options.deliveryId} to ${webhookAuditName(webhook)}: ${outcome}`,
      },
  );
}
