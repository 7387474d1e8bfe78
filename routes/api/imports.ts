/** The import API: upload, job status, error reports and the progress stream. */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import {
  errorReportCsv,
  errorReportFileName,
  followProgress,
  importJobJson,
  listImportJobs,
  submitUpload,
} from "../../core/imports/mod.ts";
import type { AppContext, AppEnv } from "../context.ts";
import { auditContext, csvResponse, requireJob } from "../http.ts";

/** A comment line keeps idle SSE connections open through proxies. */
const HEARTBEAT_INTERVAL_MS = 15_000;

/** `/api/upload`, `/api/progress/:id` and `/api/imports`. */
export function importApi(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/upload", async (c) => {
    const job = await submitUpload(ctx.sql, c.req.raw, {
      uploadDir: ctx.config.uploadDir,
      maxBytes: ctx.config.maxUploadBytes,
      queue: ctx.jobs,
      instanceId: ctx.instanceId,
      audit: auditContext(c),
    });
    return c.json({ task_id: job.id, message: `Import of ${job.file_name} queued` }, 202, {
      Location: `/api/imports/${job.id}`,
    });
  });

  app.get("/imports", async (c) => {
    const jobs = await listImportJobs(ctx.sql, { limit: 100 });
    return c.json({ items: jobs.map(importJobJson) });
  });

  app.get("/imports/:id", async (c) => c.json(importJobJson(await requireJob(ctx.sql, c.req.param("id")))));

  app.get("/imports/:id/errors.csv", async (c) => {
    const job = await requireJob(ctx.sql, c.req.param("id"));
    return csvResponse(errorReportCsv(ctx.sql, job), errorReportFileName(job));
  });

  app.get("/progress/:task_id", async (c) => {
    const job = await requireJob(ctx.sql, c.req.param("task_id"));
    return streamSSE(c, async (stream) => {
      const aborted = new AbortController();
      stream.onAbort(() => aborted.abort());
      let lastWrite = Date.now();
      // A stopping server ends the stream; EventSource reconnects, through the proxy, to a live instance.
      const signal = AbortSignal.any([aborted.signal, ctx.stopping]);
      for await (const event of followProgress(ctx.sql, job, { signal, notifications: ctx.notifications })) {
        if (event) await stream.writeSSE({ data: JSON.stringify(event) });
        else if (Date.now() - lastWrite > HEARTBEAT_INTERVAL_MS) await stream.write(": keep-alive\n\n");
        else continue;
        lastWrite = Date.now();
      }
    });
  });

  return app;
}
