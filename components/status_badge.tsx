/** A job status as a coloured label (browser-safe: islands use it too). */
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
