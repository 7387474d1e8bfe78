/** Webhooks as configured by users: create, read, change, delete, rotate the secret. */
import { type Kysely, type Selectable, sql as kyselySql } from "kysely";
import { NotFoundError } from "../platform/errors.ts";
import type { Database, WebhookTable } from "../platform/schema.ts";
import { checkWebhookUrl, type UrlGuardOptions } from "./url_guard.ts";
import type { WebhookCreate, WebhookUpdate } from "./input.ts";
import { generateWebhookSecret } from "./signing.ts";

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
  guard: UrlGuardOptions,
): Promise<Webhook> {
  await checkWebhookUrl(input.url, guard);
  return await db.insertInto("webhooks").values({
    url: input.url,
    event_types: input.eventTypes,
    enabled: input.enabled,
    secret: generateWebhookSecret(),
  }).returningAll().executeTakeFirstOrThrow();
}

/** Changes the given fields; turning a webhook on again clears why it was turned off. */
export async function updateWebhook(
  db: Kysely<Database>,
  id: number,
  input: WebhookUpdate,
  guard: UrlGuardOptions,
): Promise<Webhook> {
  if (input.url !== undefined) await checkWebhookUrl(input.url, guard);
  const updated = await db.updateTable("webhooks").set({
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
  return updated;
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
export async function rotateWebhookSecret(db: Kysely<Database>, id: number): Promise<Webhook> {
  const updated = await db.updateTable("webhooks")
    .set((eb) => ({
      previous_secret: eb.ref("secret"),
      previous_secret_expires_at: kyselySql<Date>`now() + make_interval(hours => ${SECRET_OVERLAP_HOURS})`,
      secret: generateWebhookSecret(),
      updated_at: new Date(),
    }))
    .where("id", "=", id).returningAll().executeTakeFirst();
  if (!updated) throw new NotFoundError(`There is no webhook with id ${id}.`);
  return updated;
}

/** Deletes a webhook with its deliveries and log. */
export async function deleteWebhook(db: Kysely<Database>, id: number): Promise<void> {
  const deleted = await db.deleteFrom("webhooks").where("id", "=", id).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw new NotFoundError(`There is no webhook with id ${id}.`);
}
