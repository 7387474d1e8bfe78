import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { isFinalStatus, type ProgressEvent } from "../core/imports/progress.ts";
import { formatCount } from "../components/format.ts";
import { StatusBadge } from "../components/status_badge.tsx";

/** Props of {@linkcode LiveJobStatus}: the job's state when the page was rendered. */
export interface LiveJobStatusProps {
  initial: ProgressEvent;
}

/** A running job's status in the history: its badge, percent and rows, following its progress stream. */
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
  return (
    <span class="live-status" data-status={p.status}>
      <StatusBadge progress={p} />
      {isFinalStatus(p.status)
        ? <span class="muted">{p.message}</span>
        : <span class="muted">{p.percent}% · {formatCount(p.current)} rows</span>}
    </span>
  );
}
