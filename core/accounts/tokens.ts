/** API tokens for automation: created once in plain text, stored as a digest, revocable. */
import type { Kysely, Selectable } from "kysely";
import { type AuditContext, recordAudit } from "../audit/mod.ts";
import { NotFoundError } from "../platform/errors.ts";
import type { ApiTokenTable, Database, TokenScope } from "../platform/schema.ts";
import { digest, newSecret } from "./secrets.ts";

/** A token as listed: never its value. */
export type ApiToken = Omit<Selectable<ApiTokenTable>, "token_hash">;

/** Tokens start with this, so a leaked one is recognisable in logs and by secret scanners. */
const TOKEN_PREFIX = "acme_";

/** Options of a change to accounts or tokens: who makes it, recorded in the audit log with the change. */
export interface AccountChangeOptions {
  audit?: AuditContext;
}

/** Creates a token; the plain value is in the answer and nowhere else (not in the audit log either). */
export async function createApiToken(
  db: Kysely<Database>,
  input: { name: string; scope: TokenScope; createdBy: number | null },
  options: AccountChangeOptions = {},
): Promise<ApiToken & { token: string }> {
  const token = newSecret(TOKEN_PREFIX);
  return await db.transaction().execute(async (trx) => {
    const { token_hash: _, ...stored } = await trx.insertInto("api_tokens")
      .values({
        name: input.name,
        scope: input.scope,
        token_hash: digest(token),
        created_by: input.createdBy,
      })
      .returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, options.audit, {
      action: "token.created",
      targetType: "token",
      targetId: stored.id,
      summary: `Created ${stored.scope} token "${stored.name}"`,
    });
    return { ...stored, token };
  });
}

/** The live token with this value, or null; records its use (at most once a minute). */
export async function findApiToken(db: Kysely<Database>, token: string): Promise<ApiToken | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.selectFrom("api_tokens").selectAll()
    .where("token_hash", "=", digest(token)).where("revoked_at", "is", null).executeTakeFirst();
  if (!row) return null;
  const now = new Date();
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
  }
  const { token_hash: _, ...listed } = row;
  return { ...listed, last_used_at: now };
}

/** Every token that is not revoked, newest first. */
export async function listApiTokens(db: Kysely<Database>): Promise<ApiToken[]> {
  return await db.selectFrom("api_tokens")
    .select(["id", "name", "scope", "created_by", "created_at", "last_used_at", "revoked_at"])
    .where("revoked_at", "is", null).orderBy("id", "desc").execute();
}

/** Revokes a token: the next request that uses it is refused. */
export async function revokeApiToken(
  db: Kysely<Database>,
  id: number,
  options: AccountChangeOptions = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revoked = await trx.updateTable("api_tokens").set({ revoked_at: new Date() })
      .where("id", "=", id).where("revoked_at", "is", null).returning(["name", "scope"]).executeTakeFirst();
    if (!revoked) throw new NotFoundError(`There is no active API token with id ${id}.`);
    await recordAudit(trx, options.audit, {
      action: "token.revoked",
      targetType: "token",
      targetId: id,
      summary: `Revoked ${revoked.scope} token "${revoked.name}"`,
    });
  });
}
