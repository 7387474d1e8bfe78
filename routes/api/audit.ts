/** The audit log API: who changed what, newest first, for admins and write tokens. */
import { Hono } from "hono";
import { auditJson, listAudit } from "../../core/audit/mod.ts";
import type { AppContext, AppEnv } from "../context.ts";
import { AuditQuery, requireWriteAccess } from "../http.ts";

/** `/api/audit`: a page of entries, newest first; `next_before` pages on to older ones. */
export function auditApi(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    requireWriteAccess(c.get("actor"), "see the audit log");
    const { limit, before } = AuditQuery.parse(c.req.query());
    const page = await listAudit(ctx.db, { limit, before });
    return c.json({ items: page.items.map(auditJson), next_before: page.nextBefore });
  });

  return app;
}
