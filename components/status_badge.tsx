/** A job's state as a coloured label (browser-safe: islands use it too). */
import type { ProgressEvent } from "../core/imports/progress.ts";
import { jobOutcome } from "./job_outcome.ts";

/** A coloured label for a job: "Done", "Completed with 3 errors", "Cancelled"… */
export function StatusBadge(
  props: { progress: Pick<ProgressEvent, "status" | "failed" | "cancelling" | "kind"> },
) {
  const outcome = jobOutcome(props.progress);
  return <span class={`badge badge--${outcome.tone}`}>{outcome.label}</span>;
}
