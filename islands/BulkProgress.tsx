import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { isFinalStatus, type ProgressEvent } from "../core/imports/progress.ts";
import { formatCount, formatDuration } from "../components/format.ts";
import { ProgressBar } from "../components/progress_bar.tsx";
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
  const progress = useSignal(initial);
  const reconnecting = useSignal(false);

  useEffect(() => {
    if (isFinalStatus(initial.status)) return;
    const source = new EventSource(`/api/progress/${initial.task_id}`);
    source.onopen = () => (reconnecting.value = false);
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as ProgressEvent;
      progress.value = event;
      if (isFinalStatus(event.status)) source.close();
    };
    // EventSource reconnects by itself; the stream replays the current state on reconnect.
    source.onerror = () => (reconnecting.value = source.readyState !== EventSource.CLOSED);
    return () => source.close();
  }, []);

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
      <dl class="stats">
        {stats.map(([label, value]) => (
          <div class="stat" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {reconnecting.value ? <p class="muted">Connection lost — reconnecting…</p> : null}
    </section>
  );
}
