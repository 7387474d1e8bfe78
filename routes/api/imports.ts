import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import Papa from "papaparse";
import { NotFoundError } from "../../core/platform/errors.ts";
import {
  createImportJob,
  findImportJob,
  type ImportJob,
  iterateRowErrors,
  listImportJobs,
} from "../../core/imports/jobs.ts";
import {
  importJobJson,
  isFinalStatus,
  progressChannelName,
  type ProgressEvent,
  progressFromJob,
} from "../../core/imports/progress.ts";
import { receiveUpload } from "../../core/imports/uploads.ts";
import type { AppContext } from "../context.ts";

/** How often the SSE stream re-reads the job, to see progress made by another process. */
const POLL_INTERVAL_MS = 2000;
const HEARTBEAT_INTERVAL_MS = 15_000;

/** Stores an upload, records its job and rings the queue; shared by the API and the HTML form. */
export async function acceptUpload(ctx: AppContext, request: Request): Promise<ImportJob> {
  const upload = await receiveUpload(request, {
    uploadDir: ctx.config.uploadDir,
    maxBytes: ctx.config.maxUploadBytes,
  });
  const job = await createImportJob(ctx.sql, {
    id: crypto.randomUUID(),
    fileName: upload.fileName,
    filePath: upload.path,
    fileSize: upload.size,
  });
  await ctx.importQueue.enqueue(job.id);
  return job;
}

/** Looks a job up or throws a 404 with a readable message. */
export async function requireImportJob(ctx: AppContext, id: string): Promise<ImportJob> {
  const job = await findImportJob(ctx.sql, id);
  if (!job) throw new NotFoundError(`There is no import with id "${id.slice(0, 60)}".`);
  return job;
}

/** `/api/upload`, `/api/progress/:id` and `/api/imports`. */
export function importApi(ctx: AppContext): Hono {
  const app = new Hono();

  app.post("/upload", async (c) => {
    const job = await acceptUpload(ctx, c.req.raw);
    return c.json({ task_id: job.id, message: `Import of ${job.file_name} queued` }, 202, {
      Location: `/api/imports/${job.id}`,
    });
  });

  app.get("/imports", async (c) => {
    const jobs = await listImportJobs(ctx.sql, { limit: 100 });
    return c.json({ items: jobs.map(importJobJson) });
  });

  app.get("/imports/:id", async (c) => c.json(importJobJson(await requireImportJob(ctx, c.req.param("id")))));

  app.get("/imports/:id/errors.csv", async (c) => {
    const job = await requireImportJob(ctx, c.req.param("id"));
    const width = job.header?.length ?? 0;
    const header = [...(job.header ?? []), "_line", "_error"];
    const encoder = new TextEncoder();
    const rows = iterateRowErrors(ctx.sql, job.id);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(Papa.unparse([header]) + "\r\n"));
      },
      async pull(controller) {
        const next = await rows.next();
        if (next.done) return controller.close();
        const { line, fields, message } = next.value;
        // Short rows are padded so `_line` and `_error` stay in their columns.
        const padded = [...fields, ...Array(Math.max(0, width - fields.length)).fill("")];
        controller.enqueue(encoder.encode(Papa.unparse([[...padded, String(line), message]]) + "\r\n"));
      },
      async cancel() {
        await rows.return(undefined);
      },
    });
    const baseName = job.file_name.replace(/\.csv$/i, "").replace(/[^\w.-]+/g, "_");
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${baseName}-errors.csv"`,
      },
    });
  });

  app.get("/progress/:task_id", async (c) => {
    const job = await requireImportJob(ctx, c.req.param("task_id"));
    return streamSSE(c, async (stream) => {
      // Subscribe before reading the snapshot so no event falls between the two.
      const channel = new BroadcastChannel(progressChannelName(job.id));
      const live: ProgressEvent[] = [];
      let wake: (() => void) | null = null;
      channel.onmessage = (message: MessageEvent<ProgressEvent>) => {
        live.push(message.data);
        wake?.();
      };
      stream.onAbort(() => wake?.());
      let lastSent = "";
      const send = async (event: ProgressEvent) => {
        const data = JSON.stringify(event);
        if (data === lastSent) return;
        lastSent = data;
        await stream.writeSSE({ data });
      };
      try {
        let current = progressFromJob((await findImportJob(ctx.sql, job.id)) ?? job);
        await send(current);
        let lastBeat = Date.now();
        while (!isFinalStatus(current.status) && !stream.aborted) {
          if (live.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, POLL_INTERVAL_MS);
            });
            wake = null;
          }
          if (stream.aborted) break;
          if (live.length > 0) {
            current = live.shift()!;
          } else {
            // Nothing live: the job may run in another process, so read the truth.
            const stored = await findImportJob(ctx.sql, job.id);
            if (stored) current = progressFromJob(stored);
          }
          await send(current);
          if (Date.now() - lastBeat > HEARTBEAT_INTERVAL_MS) {
            await stream.write(": keep-alive\n\n");
            lastBeat = Date.now();
          }
        }
      } finally {
        channel.close();
      }
    });
  });

  return app;
}
