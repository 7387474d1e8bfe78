/**
 * The import pages: the upload form with the history; the preview of an uploaded file (map its
 * columns, then Import or Cancel); one job's live progress and result, with Cancel while it runs.
 */
import { Hono } from "hono";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { IfCanChange } from "../components/session.tsx";
import { htmlResponse } from "../components/render.ts";
import { ImportHistory, PreviewForm, type PreviewPageProps } from "../components/imports.tsx";
import {
  checkMapping,
  confirmPreview,
  createPreview,
  discardPreview,
  firstRowErrors,
  type ImportJob,
  isFinalStatus,
  JOBS_CANCEL_CHANNEL,
  type ListedRowError,
  listImportJobs,
  previewColumns,
  progressFromJob,
  requestCancel,
  requirePreview,
} from "../core/imports/mod.ts";
import { ConflictError } from "../core/platform/mod.ts";
import { formatBytes } from "../components/format.ts";
import type { AppContext, AppEnv } from "./context.ts";
import { describeError } from "./errors.ts";
import { saveForm } from "./forms.ts";
import { reportUnexpected } from "./request_log.ts";
import { auditContext, csvResponse, formBody, requireJob } from "./http.ts";
import { LISTED_ERRORS } from "../islands/ImportProgress.tsx";

/** The sample file offered for download: every column the importer reads, and the forms it accepts. */
const SAMPLE_CSV = [
  "sku,name,description,price,active",
  'TEE-001,Classic T-shirt,"Soft cotton, crew neck",19.90,true',
  'MUG-002,Enamel mug,"Holds 350 ml.\nDishwasher safe.",8.50,yes',
  "CAP-003,Baseball cap,,12,false",
  "GIFT-004,Gift card,Any amount; price left empty,,1",
].join("\n") + "\n";

/** The import pages: upload form + history, preview, and one job's progress. */
export function importPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async () => htmlResponse(await importsPage(ctx)));

  // Step one without JavaScript: the file is stored with its preview, which the next page shows.
  app.post("/", async (c) => {
    try {
      const preview = await createPreview(ctx.sql, c.req.raw, {
        uploadDir: ctx.config.uploadDir,
        maxBytes: ctx.config.maxUploadBytes,
        instanceId: ctx.instanceId,
      });
      return c.redirect(`/imports/preview/${preview.id}`, 303);
    } catch (error) {
      const { status, body } = describeError(error, reportUnexpected(ctx.log, c));
      return htmlResponse(await importsPage(ctx, body.error.message), status);
    }
  });

  app.get("/sample.csv", () => {
    const bytes = new TextEncoder().encode(SAMPLE_CSV);
    return csvResponse(new Blob([bytes]).stream(), "products-sample.csv");
  });

  app.get("/preview/:id", async (c) => {
    const preview = await requirePreview(ctx.sql, c.req.param("id"));
    return htmlResponse(<PreviewPage preview={preview} columns={await previewColumns(ctx.sql, preview)} />);
  });

  // Step two: Import (with the mapping chosen) or Cancel; a refused mapping shows the form again.
  app.post("/preview/:id", async (c) => {
    const preview = await requirePreview(ctx.sql, c.req.param("id"));
    const form = await formBody(c);
    if (form.get("action") === "cancel") {
      await discardPreview(ctx.sql, preview, ctx.instanceId);
      return c.redirect("/imports", 303);
    }
    const choices = preview.header.map((_, index) => form.get(`map.${index}`));
    const columns = (await previewColumns(ctx.sql, preview)).map((column, index) => ({
      ...column,
      choice: (choices[index] as PreviewPageProps["columns"][number]["choice"] | null) ?? column.choice,
    }));
    return await saveForm(async () => {
      if (preview.problem) throw new ConflictError(preview.problem);
      const mapping = checkMapping(preview.header, choices);
      const job = await confirmPreview(ctx.sql, preview, mapping, {
        queue: ctx.jobs,
        audit: auditContext(c),
      });
      return c.redirect(`/imports/${job.id}`, 303);
    }, (errors) => <PreviewPage preview={preview} columns={columns} errors={errors} />);
  });

  app.post("/:id/cancel", async (c) => {
    const job = await requestCancel(ctx.sql, await requireJob(ctx.sql, c.req.param("id")), ctx.instanceId);
    if (job.status === "processing") await ctx.notifications.send(JOBS_CANCEL_CHANNEL, job.id);
    return c.redirect(`/imports/${job.id}`, 303);
  });

  app.get("/:id", async (c) => {
    const job = await requireJob(ctx.sql, c.req.param("id"));
    const errors = isFinalStatus(job.status) && job.failed > 0
      ? await firstRowErrors(ctx.sql, job.id, LISTED_ERRORS)
      : undefined;
    return htmlResponse(<ImportJobPage job={job} errors={errors} />);
  });

  return app;
}

async function importsPage(ctx: AppContext, error?: string) {
  const jobs = await listImportJobs(ctx.sql, { limit: 50 });
  return <ImportsPage jobs={jobs} maxBytes={ctx.config.maxUploadBytes} error={error} />;
}

function ImportsPage(props: { jobs: ImportJob[]; maxBytes: number; error?: string }) {
  const running = props.jobs.some((job) => !isFinalStatus(job.status));
  return (
    <Layout title="Imports" current="imports" refreshSeconds={running ? 5 : undefined}>
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

function PreviewPage(props: PreviewPageProps) {
  return (
    <Layout title={`Preview of ${props.preview.file_name}`} current="imports">
      <p class="breadcrumb">
        <a href="/imports">Imports</a> /
      </p>
      <h1>Check “{props.preview.file_name}” before importing</h1>
      <p class="muted">Nothing has been imported yet.</p>
      <PreviewForm {...props} />
    </Layout>
  );
}

function ImportJobPage(props: { job: ImportJob; errors?: ListedRowError[] }) {
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
      <Island name="ImportProgress" props={{ initial, errors: props.errors }} />
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
