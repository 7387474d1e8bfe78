import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { isFinalStatus, type ProgressEvent } from "../core/imports/progress.ts";
import { formatCount } from "../components/format.ts";
import { StatusBadge } from "../components/status_badge.tsx";

/** Props of {@linkcode LiveJobStatus}: the job's state when the page was rendered. */
export interface LiveJobStatusProps {
  initial: ProgressEvent;
}

/**
 * A running job's row in the history: its badge, percent and counts, following its progress
 * stream to the end (then its final message).
 */
export default function LiveJobStatus({ initial }: LiveJobStatusProps) {
  const progress = useSignal(initial);
  useEffect(() => {
    const source = new EventSource(`/api/progress/${initial.task_id}`);
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as ProgressEvent;
      progress.value = event;
      if (isFinalStatus(event.status)) source.close();
    };
    return () => source.close();
  }, []);
  const p = progress.value;
  const figures = p.kind === "bulk_delete" ? [`${formatCount(p.current)} deleted`] : [
    `${formatCount(p.current)} rows read`,
    `${formatCount(p.inserted)} new`,
    `${formatCount(p.updated)} updated`,
    `${formatCount(p.unchanged)} unchanged`,
    `${formatCount(p.duplicates)} repeated in the file`,
    `${formatCount(p.failed)} failed`,
  ];
  return (
    <span class="live-status" data-status={p.status}>
      <StatusBadge progress={p} />
      {isFinalStatus(p.status) ? null : <strong>{p.percent}%</strong>}
      <span class="muted">{isFinalStatus(p.status) ? p.message : figures.join(" · ")}</span>
    </span>
  );
}
