/**
 * The audit log (`log.ts`): entries recorded with the change they describe, and read newest first.
 * It stands on `core/platform` only, so every other domain may record entries.
 */
export {
  type AuditActor,
  auditActor,
  type AuditContext,
  type AuditEntry,
  type AuditEvent,
  auditJson,
  type AuditRecord,
  listAudit,
  /** Records `{actor, requestId, action, targetType, targetId, summary}` in the given Kysely transaction. */
  recordAudit,
  recordAuditSql,
  SYSTEM_ACTOR,
} from "./log.ts";
