import type { ProgressEvent } from "../core/imports/progress.ts";
import { formatCount, formatDuration } from "../components/format.ts";
import { useJobProgress } from "../components/job_progress.ts";
import { ProgressBar } from "../components/progress_bar.tsx";
import { StatsList } from "../components/stats_list.tsx";
import { StatusBadge } from "../components/status_badge.tsx";

/** Props of {@linkcode BulkProgress}: the job's state when the page was rendered. */
export interface BulkProgressProps {
  initial: ProgressEvent;
}

/**
 * Live progress of a bulk action on products, fed by the same SSE stream as an import's: the bar
 * counts the selected products done toward the selection's size; "changed" leaves out products
 * that were already as asked (activating an active product changes nothing).
 */
export default function BulkProgress({ initial }: BulkProgressProps) {
  const { progress, reconnecting } = useJobProgress(initial);

  const p = progress.value;
  const percent = p.status === "complete" ? 100 : p.percent;
  const stats: [string, string][] = [
    [
      "Done",
      p.total === null ? formatCount(p.current) : `${formatCount(p.current)} of ${formatCount(p.total)}`,
    ],
    ["Changed", formatCount(p.updated)],
    ["Per second", p.rows_per_sec ? formatCount(p.rows_per_sec) : "—"],
    ["Elapsed", p.elapsed_ms ? formatDuration(p.elapsed_ms) : "—"],
  ];
  return (
    <section class="card progress-card" data-status={p.status}>
      <div class="progress-head">
        <StatusBadge progress={p} />
        <span class="progress-percent">{percent}%</span>
      </div>
      <ProgressBar percent={percent} tone={p.status} label="Bulk action progress" />
      <p class={p.status === "error" ? "alert alert--error" : "progress-message"} role="status">
        {p.message}
      </p>
      <StatsList stats={stats} />
      {reconnecting.value ? <p class="muted">Connection lost — reconnecting…</p> : null}
    </section>
  );
}
