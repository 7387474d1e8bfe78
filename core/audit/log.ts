/**
 * The audit log: who (a person, an API token, the app itself) did what to which thing, and when.
 * Entries are written in the transaction of the change they describe, so a committed change
 * always has its entry and a rolled-back one never does. Never pass secrets or CSV contents.
 */
import type { Kysely, Selectable } from "kysely";
import type postgres from "postgres";
import type { AuditActorKind, AuditLogTable, Database } from "../platform/schema.ts";

/** An entry as stored. */
export type AuditEntry = Selectable<AuditLogTable>;

/** Who did it, as the log names them: kind, id, and the email or token name at the time. */
export interface AuditActor {
  kind: AuditActorKind;
  id: number | null;
  label: string;
}

/** Who is acting and in which request; what a change's options carry so it can record itself. */
export interface AuditContext {
  actor: AuditActor;
  requestId?: string | null;
}

/** What happened, to what: `action` like `product.updated`, a short human `summary`. */
export interface AuditEvent {
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  summary?: string;
}

/** One entry to record: who (with the request) and what. */
export type AuditRecord = AuditContext & AuditEvent;

/** The longest summary kept; a summary names things, it does not copy them. */
const MAX_SUMMARY_CHARS = 300;

/**
 * The audit actor for a signed-in person or an API token (the shapes of `core/accounts`' `Actor`,
 * repeated here so that accounts can record entries without an import cycle).
 */
export function auditActor(
  actor: { kind: "user"; userId: number; email: string } | { kind: "token"; tokenId: number; name: string },
): AuditActor {
  return actor.kind === "user"
    ? { kind: "user", id: actor.userId, label: actor.email }
    : { kind: "token", id: actor.tokenId, label: actor.name };
}

/** The app itself, for changes no person or token asked for. */
export const SYSTEM_ACTOR: AuditActor = { kind: "system", id: null, label: "system" };

function row(entry: AuditRecord) {
  const summary = [...(entry.summary ?? "")];
  return {
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    actor_label: entry.actor.label,
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    summary: summary.length > MAX_SUMMARY_CHARS
      ? `${summary.slice(0, MAX_SUMMARY_CHARS - 1).join("")}…`
      : summary.join(""),
    request_id: entry.requestId ?? null,
  };
}

/**
 * Records who (`by`) did what with Kysely, inside the change's transaction (`tx`) when there is
 * one; a change made without an actor (`by` undefined) records nothing.
 */
export async function recordAudit(
  tx: Kysely<Database>,
  by: AuditContext | undefined,
  what: AuditEvent,
): Promise<void> {
  if (!by) return;
  await tx.insertInto("audit_log").values(row({ ...by, ...what })).execute();
}

/** {@linkcode recordAudit} with postgres.js, inside the change's transaction when there is one. */
export async function recordAuditSql(
  tx: postgres.TransactionSql | postgres.Sql,
  by: AuditContext | undefined,
  what: AuditEvent,
): Promise<void> {
  if (!by) return;
  const values = row({ ...by, ...what });
  await tx`
    INSERT INTO audit_log (actor_kind, actor_id, actor_label, action, target_type, target_id, summary, request_id)
    VALUES (${values.actor_kind}, ${values.actor_id}, ${values.actor_label}, ${values.action},
      ${values.target_type}, ${values.target_id}, ${values.summary}, ${values.request_id})`;
}

/** A page of entries, newest first: up to `limit`, older than entry `before` when given. */
export async function listAudit(
  db: Kysely<Database>,
  options: { limit: number; before?: number },
): Promise<{ items: AuditEntry[]; nextBefore: number | null }> {
  let query = db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(options.limit + 1);
  if (options.before !== undefined) query = query.where("id", "<", options.before);
  const rows = await query.execute();
  const items = rows.slice(0, options.limit);
  return { items, nextBefore: rows.length > options.limit ? items[items.length - 1].id : null };
}

/** An entry in API responses. */
export function auditJson(entry: AuditEntry) {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actor_kind: entry.actor_kind,
    actor_id: entry.actor_id,
    actor_label: entry.actor_label,
    action: entry.action,
    target_type: entry.target_type,
    target_id: entry.target_id,
    summary: entry.summary,
    request_id: entry.request_id,
  };
}
