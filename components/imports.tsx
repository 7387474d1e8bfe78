/** The import pages' server-rendered parts: the history table and the preview with its column mapping. */
import { Island } from "./island.tsx";
import { LocalTime } from "./local_time.tsx";
import { CsrfField } from "./session.tsx";
import { DataTable } from "./table.tsx";
import { formatBytes, formatCount, formatDuration } from "./format.ts";
import { StatusBadge } from "./status_badge.tsx";
import {
  delimiterName,
  type ImportJob,
  type ImportPreview,
  isFinalStatus,
  type MappedColumn,
  MAPPING_CHOICES,
  type MappingChoice,
  progressFromJob,
} from "../core/imports/mod.ts";

/**
 * The job history, newest first. A running job's status cell follows it live (with JavaScript; the
 * page refreshes itself without); a failed job says why; a delete-all run reads as one, not as a file.
 */
export function ImportHistory(props: { jobs: ImportJob[] }) {
  return (
    <DataTable
      class="history"
      head={
        <>
          <th>What</th>
          <th>Status</th>
          <th class="num">Rows read</th>
          <th class="num">New</th>
          <th class="num">Updated</th>
          <th class="num">Unchanged</th>
          <th class="num">Repeated in the file</th>
          <th class="num">Failed</th>
          <th class="num">Duration</th>
          <th>Started</th>
        </>
      }
    >
      {props.jobs.map((job) => <HistoryRow key={job.id} job={job} />)}
    </DataTable>
  );
}

function HistoryRow(props: { job: ImportJob }) {
  const { job } = props;
  const progress = progressFromJob(job);
  const running = !isFinalStatus(job.status);
  const isDelete = job.kind === "bulk_delete";
  const href = isDelete ? `/products/delete-all/${job.id}` : `/imports/${job.id}`;
  // A delete-all has no such counts; an import that failed before reading a row has none to show.
  const noCounts = isDelete || (job.status === "error" && job.rows_done === 0);
  const counts = (value: number) => (noCounts ? "—" : formatCount(value));
  const what = (
    <td class="history-what">
      <a href={href}>{isDelete ? "Delete all products" : job.file_name}</a>
      <span class="history-kind muted">
        {isDelete ? "Delete-all run" : `CSV import · ${formatBytes(job.file_size)}`}
      </span>
    </td>
  );
  const started = (
    <td class="history-time">
      <LocalTime at={job.created_at} />
    </td>
  );
  if (running) {
    // One cell across the figures, kept live by the island (the page refreshes itself without JavaScript).
    return (
      <tr data-job={job.id} data-status={job.status}>
        {what}
        <td class="history-status" colSpan={8}>
          <Island name="LiveJobStatus" props={{ initial: progress }} />
        </td>
        {started}
      </tr>
    );
  }
  return (
    <tr data-job={job.id} data-status={job.status}>
      {what}
      <td class="history-status">
        <StatusBadge progress={progress} />
        {job.status === "error" && job.error ? <span class="history-reason">{job.error}</span> : null}
        {job.status === "cancelled" ? <span class="history-reason muted">{job.message}</span> : null}
      </td>
      <td class="num">
        {isDelete ? `${formatCount(progress.current)} deleted` : formatCount(progress.current)}
      </td>
      <td class="num">{counts(progress.inserted)}</td>
      <td class="num">{counts(progress.updated)}</td>
      <td class="num">{counts(progress.unchanged)}</td>
      <td class="num">{counts(progress.duplicates)}</td>
      <td class="num">
        {progress.failed > 0
          ? <a href={`/api/imports/${job.id}/errors.csv`} download>{formatCount(progress.failed)}</a>
          : counts(0)}
      </td>
      <td class="num">{progress.elapsed_ms ? formatDuration(progress.elapsed_ms) : "—"}</td>
      {started}
    </tr>
  );
}

const CHOICE_LABELS: Record<MappingChoice, string> = {
  sku: "sku (required)",
  name: "name (required)",
  description: "description",
  price: "price",
  active: "active",
  ignore: "Don't import",
};

const SOURCE_NOTES: Record<MappedColumn["source"], string> = {
  name: "Matched by its name",
  remembered: "As you mapped it last time",
  unknown: "Not a product field: choose one, or leave it out",
};

/** What the preview page shows. */
export interface PreviewPageProps {
  preview: ImportPreview;
  columns: MappedColumn[];
  /** Messages by form field (`map.<index>`, `map`), after a refused confirmation. */
  errors?: Record<string, string>;
}

/**
 * The preview of an uploaded file: how it was read (delimiter, encoding), each column's field
 * (a select per column), the first rows as parsed, then Import or Cancel. A plain form.
 */
export function PreviewForm(props: PreviewPageProps) {
  const { preview, columns } = props;
  const errors = props.errors ?? {};
  const importable = preview.problem === null;
  return (
    <form class="preview" method="post" action={`/imports/preview/${preview.id}`}>
      <CsrfField />
      <ul class="preview-facts">
        <li>
          <span class="muted">Size</span> {formatBytes(preview.file_size)}
        </li>
        <li>
          <span class="muted">Separated by</span> {delimiterName(preview.delimiter)}
        </li>
        <li>
          <span class="muted">Encoding</span> {preview.encoding}
        </li>
        <li>
          <span class="muted">Columns</span> {formatCount(preview.header.length)}
        </li>
      </ul>
      {preview.problem ? <p class="alert alert--error" role="alert">{preview.problem}</p> : null}
      {errors.map ? <p class="alert alert--error" role="alert">{errors.map}</p> : null}
      {importable
        ? (
          <>
            <h2>Columns</h2>
            <p class="muted">
              Choose the product field each column fills. <code>sku</code> and <code>name</code>{" "}
              are required; your choices are remembered for the next file with these headers.
            </p>
            <DataTable
              class="mapping"
              head={
                <>
                  <th>Column in the file</th>
                  <th>First value</th>
                  <th>Imports as</th>
                </>
              }
            >
              {columns.map((column, index) => (
                <tr key={index} class={errors[`map.${index}`] ? "mapping-row--invalid" : undefined}>
                  <th scope="row" class="mapping-column">
                    {column.header || <span class="muted">(no name)</span>}
                  </th>
                  <td class="mapping-example">{preview.sample_rows[0]?.[index] ?? ""}</td>
                  <td>
                    <label class="field">
                      <span class="visually-hidden">Field for the column “{column.header}”</span>
                      <select name={`map.${index}`} data-source={column.source}>
                        {MAPPING_CHOICES.map((choice) => (
                          <option key={choice} value={choice} selected={choice === column.choice}>
                            {CHOICE_LABELS[choice]}
                          </option>
                        ))}
                      </select>
                      <span class="field-hint">{SOURCE_NOTES[column.source]}</span>
                      {errors[`map.${index}`]
                        ? <span class="field-error" role="alert">{errors[`map.${index}`]}</span>
                        : null}
                    </label>
                  </td>
                </tr>
              ))}
            </DataTable>
            <h2>First rows as read</h2>
            <SampleRows preview={preview} />
          </>
        )
        : null}
      <div class="actions">
        {importable ? <button class="btn" type="submit" name="action" value="import">Import</button> : null}
        <button class="btn btn--secondary" type="submit" name="action" value="cancel">Cancel</button>
      </div>
    </form>
  );
}

function SampleRows(props: { preview: ImportPreview }) {
  const { header, sample_rows: rows } = props.preview;
  if (rows.length === 0) return <p class="empty">The file has a header row but no rows below it.</p>;
  return (
    <>
      <p class="muted">
        The first {formatCount(rows.length)}{" "}
        {rows.length === 1 ? "row" : "rows"}, as the importer reads them; long values are cut here, not in the
        import.
      </p>
      <DataTable
        class="sample"
        head={
          <>
            <th class="num">Line</th>
            {header.map((cell, index) => <th key={index}>{cell}</th>)}
          </>
        }
      >
        {rows.map((row, index) => (
          <tr key={index}>
            <td class="num muted">{index + 2}</td>
            {header.map((_, column) => <td key={column}>{row[column] ?? ""}</td>)}
          </tr>
        ))}
      </DataTable>
    </>
  );
}
