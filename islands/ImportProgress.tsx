import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { isFinalStatus, type ProgressEvent } from "../core/imports/progress.ts";
import { formatCount, formatDuration } from "../components/format.ts";
import { ProgressBar } from "../components/progress_bar.tsx";
import { StatusBadge } from "../components/status_badge.tsx";

/** Props of {@linkcode ImportProgress}: the job's state when the page was rendered. */
export interface ImportProgressProps {
  initial: ProgressEvent;
}

/** Live progress of one import: a bar, the counts and the outcome, fed by the SSE stream. */
export default function ImportProgress({ initial }: ImportProgressProps) {
  const progress = useSignal(initial);
  const connection = useSignal<"live" | "reconnecting" | "idle">("idle");

  useEffect(() => {
    if (isFinalStatus(initial.status) && initial.search_index === "ready") return;
    const source = new EventSource(`/api/progress/${initial.task_id}`);
    source.onopen = () => (connection.value = "live");
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as ProgressEvent;
      progress.value = event;
      // The stream goes on after `complete` until search has caught up, then ends.
      if (isFinalStatus(event.status) && event.search_index === "ready") {
        source.close();
        connection.value = "idle";
      }
    };
    // EventSource reconnects by itself; the stream replays the current state on reconnect.
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) connection.value = "reconnecting";
    };
    return () => source.close();
  }, []);

  const p = progress.value;
  const percent = p.status === "complete" ? 100 : p.percent;
  const stats: [string, string][] = p.kind === "bulk_delete"
    ? [["Deleted", formatCount(p.current)], ["Elapsed", p.elapsed_ms ? formatDuration(p.elapsed_ms) : "—"]]
    : [
      ["Rows read", formatCount(p.current)],
      ["Rows / second", p.rows_per_sec ? formatCount(p.rows_per_sec) : "—"],
      ["New", formatCount(p.inserted)],
      ["Updated", formatCount(p.updated)],
      ["Unchanged", formatCount(p.unchanged)],
      ["Repeated SKUs", formatCount(p.duplicates)],
      ["Failed", formatCount(p.failed)],
      ["Elapsed", p.elapsed_ms ? formatDuration(p.elapsed_ms) : "—"],
    ];
  return (
    <section class="card progress-card" data-status={p.status}>
      <div class="progress-head">
        <StatusBadge status={p.status} />
        <span class="progress-percent">{percent}%</span>
      </div>
      <ProgressBar percent={percent} tone={p.status} label="Import progress" />
      {/* What a screen reader announces: the status and every tenth percent, not each tick of every figure. */}
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">
        {isFinalStatus(p.status) ? p.message : `${Math.floor(percent / 10) * 10}% done`}
      </p>
      <p class={p.status === "error" ? "alert alert--error" : "progress-message"}>{p.message}</p>
      {p.search_index === "catching_up"
        ? (
          <p class="muted search-catch-up">
            {isFinalStatus(p.status)
              ? "Search is catching up: the search index is being rebuilt. Searches find every product meanwhile, only more slowly."
              : "The search index is set aside while this large file is written, and rebuilt right after."}
          </p>
        )
        : null}
      <dl class="stats">
        {stats.map(([label, value]) => (
          <div class="stat" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {p.failed > 0 && isFinalStatus(p.status)
        ? (
          <p>
            <a class="btn btn--secondary" href={`/api/imports/${p.task_id}/errors.csv`} download>
              Download the {formatCount(p.failed)} failed rows (CSV)
            </a>
          </p>
        )
        : null}
      {connection.value === "reconnecting" ? <p class="muted">Connection lost — reconnecting…</p> : null}
    </section>
  );
}
