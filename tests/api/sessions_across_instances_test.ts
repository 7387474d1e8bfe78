/**
 * A browser session made on one instance works on another (issue 10): on Fly one origin fronts
 * several machines, and any of them may answer the next request.
 */
import { equal, match } from "node:assert/strict";
import { startServer } from "../../main.ts";
import { appTest, cleanUp, fetchWithDeadline, readBody, signIn, TEST_ADMIN } from "../helpers/test_app.ts";

appTest(
  "a session signed in on one instance works on another, and signing out there ends it on both",
  async (app) => {
    const other = await startServer(
      { ...app.config, port: 0, dataDir: `${app.dataDir}/b`, kvPath: `${app.dataDir}/b.sqlite3` },
      { logSink: () => {} },
    );
    try {
      const session = await signIn(app);
      // The browser's next requests, routed by the proxy to B (one public origin in front of both).
      const onB = (path: string, init: RequestInit = {}) =>
        fetchWithDeadline(`${other.url}${path}`, {
          ...init,
          headers: { cookie: session.cookie, origin: other.url },
          redirect: "manual",
        });

      const page = await onB("/");
      equal(page.status, 200);
      match(await readBody(page), new RegExp(TEST_ADMIN.email));

      const created = await onB("/products", {
        method: "POST",
        body: new URLSearchParams({ _csrf: session.csrfToken, sku: "ACROSS-1", name: "Made on B" }),
      });
      await readBody(created);
      equal(created.status, 303, "the CSRF token of A's session is good on B");
      const [row] = await app.db.sql`SELECT name FROM products WHERE sku = 'ACROSS-1'`;
      equal(row?.name, "Made on B");

      const out = await onB("/logout", {
        method: "POST",
        body: new URLSearchParams({ _csrf: session.csrfToken }),
      });
      await readBody(out);
      equal(out.status, 303);
      const afterOnA = await session.fetch("/", { redirect: "manual" });
      await readBody(afterOnA);
      equal(afterOnA.status, 303, "signed out on B is signed out on A");
      match(afterOnA.headers.get("location") ?? "", /^\/login/);
    } finally {
      await cleanUp([["stop the second instance", () => other.shutdown()]]);
    }
  },
);
