import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { isFinalStatus, type ListedRowError, type ProgressEvent } from "../core/imports/progress.ts";
import { formatCount, formatDuration } from "../components/format.ts";
import { jobOutcome } from "../components/job_outcome.ts";
import { useJobProgress } from "../components/job_progress.ts";
import { ProgressBar } from "../components/progress_bar.tsx";
import { CsrfField, usePageSession } from "../components/session.tsx";
import { StatsList } from "../components/stats_list.tsx";
import { StatusBadge } from "../components/status_badge.tsx";

/** How many failed rows the page lists; the CSV report has every one. */
export const LISTED_ERRORS = 20;

/** Props of {@linkcode ImportProgress}: the job's state when the page was rendered. */
export interface ImportProgressProps {
  initial: ProgressEvent;
  /** The first failed rows of a finished import (fetched by the island when it finishes live). */
  errors?: ListedRowError[];
}

/**
 * Live progress of one job: a bar, the counts and the outcome, fed by the SSE stream; a Cancel
 * button while an import runs; when it ends, its first errors and where to go next.
 */
export default function ImportProgress({ initial, errors: initialErrors }: ImportProgressProps) {
  const errors = useSignal<ListedRowError[] | null>(initialErrors ?? null);
  const cancelProblem = useSignal<string | null>(null);
  const { canChange, csrfToken } = usePageSession();
  const errorsAsked = useRef(false);
  const { progress, reconnecting } = useJobProgress(initial, (event) => {
    if (isFinalStatus(event.status) && event.failed > 0 && errors.value === null && !errorsAsked.current) {
      errorsAsked.current = true;
      loadErrors(event.task_id);
    }
  });

  const loadErrors = async (taskId: string) => {
    try {
      const answer = await fetch(`/api/imports/${taskId}/errors?limit=${LISTED_ERRORS}`);
      if (answer.ok) errors.value = ((await answer.json()) as { items: ListedRowError[] }).items;
    } catch {
      // The download link below still has every failed row.
    }
  };

  const onCancel = async (event: SubmitEvent) => {
    event.preventDefault();
    progress.value = { ...progress.value, cancelling: true };
    cancelProblem.value = null;
    try {
      const answer = await fetch(`/api/imports/${initial.task_id}/cancel`, {
        method: "POST",
        headers: csrfToken ? { "X-CSRF-Token": csrfToken } : {},
      });
      if (answer.ok) return;
      const body = await answer.json().catch(() => null);
      cancelProblem.value = body?.error?.message ?? `Cancelling failed (HTTP ${answer.status}).`;
    } catch {
      cancelProblem.value = "Cancelling failed: the server could not be reached. Try again.";
    }
    progress.value = { ...progress.value, cancelling: false };
  };

  const p = progress.value;
  const final = isFinalStatus(p.status);
  const outcome = jobOutcome(p);
  const percent = p.status === "complete" ? 100 : p.percent;
  const elapsed: [string, string] = ["Elapsed", p.elapsed_ms ? formatDuration(p.elapsed_ms) : "—"];
  const stats: [string, string][] = p.kind === "bulk_delete"
    ? [["Deleted", formatCount(p.current)], elapsed]
    : [
      ["Rows read", formatCount(p.current)],
      ["New", formatCount(p.inserted)],
      ["Updated", formatCount(p.updated)],
      ["Unchanged", formatCount(p.unchanged)],
      ["Repeated in the file", formatCount(p.duplicates)],
      ["Failed", formatCount(p.failed)],
      ["Rows / second", p.rows_per_sec ? formatCount(p.rows_per_sec) : "—"],
      elapsed,
    ];
  // A job that failed before reading a row has nothing to count: its reason says it all.
  const showStats = !(p.status === "error" && p.current === 0);
  const written = p.inserted + p.updated + p.unchanged + p.duplicates > 0;
  return (
    <section class="card progress-card" data-status={p.status} data-outcome={outcome.tone}>
      <div class="progress-head">
        <StatusBadge progress={p} />
        {showStats ? <span class="progress-percent">{percent}%</span> : null}
      </div>
      {showStats
        ? <ProgressBar percent={percent} tone={outcome.tone} label={`${p.file_name}: progress`} />
        : null}
      <p class={p.status === "error" ? "alert alert--error" : "progress-message"}>{p.message}</p>
      {p.search_index === "catching_up"
        ? (
          <p class="muted search-catch-up">
            {final
              ? "Search is catching up: its index is being rebuilt. Searches find every product meanwhile, only more slowly."
              : "The search index is set aside while this large file is written, and rebuilt right after."}
          </p>
        )
        : null}
      {/* Only the outcome is announced, not every batch's figures. */}
      <p class="visually-hidden" role="status">{final ? `${outcome.label}. ${p.message}` : ""}</p>
      {showStats ? <StatsList stats={stats} /> : null}
      {!final && p.kind === "import" && canChange
        ? (
          <form class="actions" method="post" action={`/imports/${p.task_id}/cancel`} onSubmit={onCancel}>
            <CsrfField />
            <button class="btn btn--danger-outline" type="submit" disabled={p.cancelling}>
              {p.cancelling ? "Cancelling after this batch…" : "Cancel import"}
            </button>
            <span class="muted">Rows already committed stay imported.</span>
          </form>
        )
        : null}
      {cancelProblem.value ? <p class="alert alert--error" role="alert">{cancelProblem.value}</p> : null}
      {final && p.failed > 0
        ? <RowErrors taskId={p.task_id} failed={p.failed} errors={errors.value} />
        : null}
      {final && p.kind === "import"
        ? (
          <p class="actions">
            {written ? <a class="btn" href="/?sort=updated&order=desc">View imported products</a> : null}
            <a class="btn btn--secondary" href="/imports">Import another file</a>
          </p>
        )
        : null}
      {reconnecting.value ? <p class="muted">Connection lost — reconnecting…</p> : null}
    </section>
  );
}

/** The first failed rows, with their line and reason, and the full report to download. */
function RowErrors(props: { taskId: string; failed: number; errors: ListedRowError[] | null }) {
  const { errors, failed } = props;
  return (
    <div class="row-errors">
      <h2>
        {errors && errors.length < failed
          ? `The first ${formatCount(errors.length)} of ${formatCount(failed)} failed rows`
          : `${formatCount(failed)} failed ${failed === 1 ? "row" : "rows"}`}
      </h2>
      {errors
        ? (
          <ul class="row-error-list">
            {errors.map((error) => (
              <li key={error.line}>
                <span class="row-error-line">Line {formatCount(error.line)}</span>{" "}
                <span>{error.message.replace(/^line \d+: /, "")}</span>
              </li>
            ))}
          </ul>
        )
        : null}
      <p>
        <a class="btn btn--secondary" href={`/api/imports/${props.taskId}/errors.csv`} download>
          Download the {formatCount(failed)} failed rows (CSV)
        </a>{" "}
        <span class="muted">Fix them in the file it gives you and import that file.</span>
      </p>
    </div>
  );
}
