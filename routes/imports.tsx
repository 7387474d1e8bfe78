/** The import pages: the upload form with the history, and one job's live progress. */
import { Hono } from "hono";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { IfCanChange } from "../components/session.tsx";
import { htmlResponse } from "../components/render.ts";
import {
  type ImportJob,
  isFinalStatus,
  listImportJobs,
  progressFromJob,
  submitUpload,
} from "../core/imports/mod.ts";
import { formatBytes, formatCount, formatDuration } from "../components/format.ts";
import { StatusBadge } from "../components/status_badge.tsx";
import type { AppContext, AppEnv } from "./context.ts";
import { describeError } from "./errors.ts";
import { reportUnexpected } from "./request_log.ts";
import { auditContext, requireJob } from "./http.ts";
import { DataTable } from "../components/table.tsx";

/** The import pages: upload form + history, and one job's live progress. */
export function importPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async () => {
    const jobs = await listImportJobs(ctx.sql, { limit: 50 });
    return htmlResponse(<ImportsPage jobs={jobs} maxBytes={ctx.config.maxUploadBytes} />);
  });

  // The no-JavaScript path: a plain form post, answered with a redirect to the job page.
  app.post("/", async (c) => {
    try {
      const job = await submitUpload(ctx.sql, c.req.raw, {
        uploadDir: ctx.config.uploadDir,
        maxBytes: ctx.config.maxUploadBytes,
        queue: ctx.jobs,
        instanceId: ctx.instanceId,
        audit: auditContext(c),
      });
      return c.redirect(`/imports/${job.id}`, 303);
    } catch (error) {
      const { status, body } = describeError(error, reportUnexpected(ctx.log, c));
      const jobs = await listImportJobs(ctx.sql, { limit: 50 });
      return htmlResponse(
        <ImportsPage jobs={jobs} maxBytes={ctx.config.maxUploadBytes} error={body.error.message} />,
        status,
      );
    }
  });

  app.get("/:id", async (c) => {
    const job = await requireJob(ctx.sql, c.req.param("id"));
    return htmlResponse(<ImportJobPage job={job} />);
  });

  return app;
}

function ImportsPage(props: { jobs: ImportJob[]; maxBytes: number; error?: string }) {
  return (
    <Layout title="Imports" current="imports">
      <h1>Import products</h1>
      {props.error ? <p class="alert alert--error" role="alert">{props.error}</p> : null}
      <IfCanChange>
        <Island name="UploadForm" props={{ maxBytes: props.maxBytes }} />
      </IfCanChange>
      <h2>History</h2>
      {props.jobs.length === 0
        ? <p class="empty">No imports yet — choose a CSV file above to start the first one.</p>
        : <ImportHistory jobs={props.jobs} />}
    </Layout>
  );
}

function ImportHistory(props: { jobs: ImportJob[] }) {
  return (
    <DataTable
      head={
        <>
          <th>File</th>
          <th class="num">Size</th>
          <th>Status</th>
          <th class="num">Rows read</th>
          <th class="num">New</th>
          <th class="num">Updated</th>
          <th class="num">Unchanged</th>
          <th class="num">Repeated</th>
          <th class="num">Failed</th>
          <th class="num">Duration</th>
          <th>Uploaded</th>
        </>
      }
    >
      {props.jobs.map((job) => {
        const progress = progressFromJob(job);
        return (
          <tr key={job.id}>
            <td>
              <a href={`/imports/${job.id}`}>{job.file_name}</a>
            </td>
            <td class="num">{formatBytes(job.file_size)}</td>
            <td>
              <StatusBadge status={progress.status} />
              {job.status === "processing" ? <span class="muted">{progress.percent}%</span> : null}
            </td>
            <td class="num">{formatCount(progress.current)}</td>
            <td class="num">{formatCount(progress.inserted)}</td>
            <td class="num">{formatCount(progress.updated)}</td>
            <td class="num">{formatCount(progress.unchanged)}</td>
            <td class="num">{formatCount(progress.duplicates)}</td>
            <td class="num">
              {progress.failed > 0
                ? <a href={`/api/imports/${job.id}/errors.csv`} download>{formatCount(progress.failed)}</a>
                : "0"}
            </td>
            <td class="num">{progress.elapsed_ms ? formatDuration(progress.elapsed_ms) : "—"}</td>
            <td>
              <LocalTime at={job.created_at} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

function ImportJobPage(props: { job: ImportJob }) {
  const initial = progressFromJob(props.job);
  const running = !isFinalStatus(initial.status);
  return (
    <Layout title={props.job.file_name} current="imports" refreshSeconds={running ? 3 : undefined}>
      <p class="breadcrumb">
        <a href="/imports">Imports</a> /
      </p>
      <h1>{props.job.file_name}</h1>
      <p class="muted">
        {formatBytes(props.job.file_size)} · uploaded <LocalTime at={props.job.created_at} seconds />
      </p>
      <Island name="ImportProgress" props={{ initial }} />
      {running
        ? (
          <noscript>
            <p class="muted">This page refreshes every few seconds while the import runs.</p>
          </noscript>
        )
        : null}
    </Layout>
  );
}
