/** The import API: upload, job status, error reports and the progress stream. */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import {
  createPreview,
  errorReportCsv,
  errorReportFileName,
  firstRowErrors,
  followProgress,
  importJobJson,
  JOBS_CANCEL_CHANNEL,
  listImportJobs,
  normalizeMapping,
  previewColumns,
  requestCancel,
  submitUpload,
} from "../../core/imports/mod.ts";
import type { AppContext, AppEnv } from "../context.ts";
import { auditContext, csvResponse, requireJob, RowErrorsQuery, UploadQuery } from "../http.ts";

/** A comment line keeps idle SSE connections open through proxies. */
const HEARTBEAT_INTERVAL_MS = 15_000;

/** `/api/upload`, `/api/progress/:id`, `/api/imports` and its previews, errors and cancel. */
export function importApi(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/upload", async (c) => {
    // Checked before the body is read: a bad mapping must not cost the upload of a large file.
    const { mapping } = UploadQuery.parse(c.req.query());
    const job = await submitUpload(ctx.sql, c.req.raw, {
      columnMapping: mapping ? normalizeMapping(mapping) : undefined,
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

  // Step one of the page's two-step import (the file is kept until the preview is confirmed).
  app.post("/imports/previews", async (c) => {
    const preview = await createPreview(ctx.sql, c.req.raw, {
      uploadDir: ctx.config.uploadDir,
      maxBytes: ctx.config.maxUploadBytes,
      instanceId: ctx.instanceId,
    });
    const columns = await previewColumns(ctx.sql, preview);
    return c.json({
      id: preview.id,
      url: `/imports/preview/${preview.id}`,
      file_name: preview.file_name,
      file_size: preview.file_size,
      delimiter: preview.delimiter,
      encoding: preview.encoding,
      problem: preview.problem,
      columns: columns.map(({ header, choice, source }) => ({ header, field: choice, source })),
      rows: preview.sample_rows,
      expires_at: preview.expires_at,
    }, 201);
  });

  // Hex digits and dashes only, so that `/imports/previews` is not taken for an import's id (405 lists).
  app.get("/imports/:id{[0-9a-fA-F-]+}", async (c) => {
    return c.json(importJobJson(await requireJob(ctx.sql, c.req.param("id"))));
  });

  app.post("/imports/:id/cancel", async (c) => {
    const job = await requestCancel(ctx.sql, await requireJob(ctx.sql, c.req.param("id")), ctx.instanceId);
    // The instance running it stops it after its current batch; the heartbeat's check catches a lost notice.
    if (job.status === "processing") await ctx.notifications.send(JOBS_CANCEL_CHANNEL, job.id);
    return c.json(importJobJson(job), job.status === "cancelled" ? 200 : 202);
  });

  app.get("/imports/:id/errors", async (c) => {
    const job = await requireJob(ctx.sql, c.req.param("id"));
    const { limit } = RowErrorsQuery.parse(c.req.query());
    return c.json({
      total: job.failed,
      items: await firstRowErrors(ctx.sql, job.id, limit),
      csv_url: job.failed > 0 ? `/api/imports/${job.id}/errors.csv` : null,
    });
  });

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
