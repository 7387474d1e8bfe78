/** The token API: create (the value shown once), list with last use, revoke. */
import { Hono } from "hono";
import {
  type ApiToken,
  createApiToken,
  listApiTokens,
  parseTokenCreate,
  revokeApiToken,
} from "../../core/accounts/mod.ts";
import { ConflictError } from "../../core/platform/mod.ts";
import type { AppContext, AppEnv } from "../context.ts";
import { auditContext, jsonBody, requireWriteAccess, tokenId } from "../http.ts";

/** A token in API responses: never its value (only the answer that creates it holds that). */
function tokenJson(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    created_by: token.created_by,
    created_at: token.created_at.toISOString(),
    last_used_at: token.last_used_at?.toISOString() ?? null,
  };
}

/** `/api/tokens`: admins (by session) and write tokens manage API tokens. */
export function tokenApi(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Listing shows who automates what and when it last ran: for those who may manage tokens only.
  app.use("*", async (c, next) => {
    requireWriteAccess(c.get("actor"), "see and manage API tokens");
    await next();
  });

  app.get("/", async (c) => {
    return c.json((await listApiTokens(ctx.db)).map(tokenJson));
  });

  app.post("/", async (c) => {
    const input = parseTokenCreate(await jsonBody(c.req.raw, "token"));
    const actor = c.get("actor");
    const created = await createApiToken(ctx.db, {
      ...input,
      createdBy: actor?.kind === "user" ? actor.userId : null,
    }, { audit: auditContext(c) });
    return c.json({ ...tokenJson(created), token: created.token }, 201, {
      Location: `/api/tokens/${created.id}`,
    });
  });

  app.delete("/:id", async (c) => {
    const id = tokenId(c.req.param("id"));
    // Rotation is: create the new token, switch to it, revoke the old one with the new. A script
    // that revokes the very token it runs on has locked itself out, which is never what it meant.
    const actor = c.get("actor");
    if (actor?.kind === "token" && actor.tokenId === id) {
      throw new ConflictError(
        "A token cannot revoke itself; revoke it with another token or from Settings → API tokens.",
      );
    }
    await revokeApiToken(ctx.db, id, { audit: auditContext(c) });
    return c.json({ message: "Revoked" });
  });

  return app;
}
