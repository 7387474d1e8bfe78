const LABELS: Record<string, string> = {
  queued: "Queued",
  started: "Starting",
  processing: "Importing",
  complete: "Done",
  error: "Failed",
};

/** A coloured label for a job status. */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge--${props.status}`}>{LABELS[props.status] ?? props.status}</span>;
}
