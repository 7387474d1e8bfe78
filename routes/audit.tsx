/** The audit log page (`/settings/audit`): who changed what, and when; admins only. */
import { Hono } from "hono";
import { Layout } from "../components/layout.tsx";
import { htmlResponse } from "../components/render.ts";
import { DataTable } from "../components/table.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { type AuditEntry, listAudit } from "../core/audit/mod.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { AuditQuery, requireWriteAccess } from "./http.ts";

/** `/settings/audit`: a page of entries, newest first, with "Older" and "Newest" links. */
export function auditPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    requireWriteAccess(c.get("actor"), "see the audit log");
    const query = AuditQuery.parse(c.req.query());
    const page = await listAudit(ctx.db, query);
    return htmlResponse(
      <AuditPage
        entries={page.items}
        limit={query.limit}
        paged={query.before !== undefined}
        nextBefore={page.nextBefore}
      />,
    );
  });

  return app;
}

const ACTOR_KINDS: Record<AuditEntry["actor_kind"], string> = {
  user: "",
  token: "API token ",
  system: "",
};

function AuditPage(
  props: { entries: AuditEntry[]; limit: number; paged: boolean; nextBefore: number | null },
) {
  const limit = props.limit === 50 ? "" : `&limit=${props.limit}`;
  return (
    <Layout title="Audit log">
      <h1>Audit log</h1>
      <p class="muted">
        Who changed what, and when: products, imports, delete-all, webhooks, tokens and accounts. Newest
        first.
      </p>
      {props.entries.length === 0
        ? <p class="empty">{props.paged ? "No older entries." : "Nothing has been changed yet."}</p>
        : (
          <DataTable
            class="audit-table"
            head={
              <>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>What</th>
              </>
            }
          >
            {props.entries.map((entry) => (
              <tr key={entry.id}>
                <td class="nowrap">
                  <LocalTime at={entry.at} seconds />
                </td>
                <td>{ACTOR_KINDS[entry.actor_kind]}{entry.actor_label}</td>
                <td>
                  <code>{entry.action}</code>
                </td>
                <td>{entry.summary}</td>
              </tr>
            ))}
          </DataTable>
        )}
      <nav class="pager" aria-label="Audit log pages">
        {props.paged ? <a class="btn btn--secondary btn--small" href="/settings/audit">Newest</a> : null}
        {props.nextBefore !== null
          ? (
            <a
              class="btn btn--secondary btn--small"
              href={`/settings/audit?before=${props.nextBefore}${limit}`}
            >
              Older
            </a>
          )
          : null}
      </nav>
    </Layout>
  );
}
