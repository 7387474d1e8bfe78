/**
 * How a job's state reads to a person (browser-safe: islands use it): a partly failed import is
 * "Completed with N errors" in amber, never a green "Done".
 */
import type { ProgressEvent } from "../core/imports/progress.ts";
import { formatCount } from "./format.ts";

/** A label and the tone (CSS modifier) of a job's badge and bar. */
export interface JobOutcome {
  label: string;
  tone: "queued" | "started" | "processing" | "complete" | "warning" | "error" | "cancelled";
}

/** The badge of a job in this state. */
export function jobOutcome(p: Pick<ProgressEvent, "status" | "failed" | "cancelling" | "kind">): JobOutcome {
  if (p.cancelling) return { label: "Cancelling…", tone: "cancelled" };
  switch (p.status) {
    case "queued":
      return { label: "Queued", tone: "queued" };
    case "started":
      return { label: "Starting", tone: "started" };
    case "processing":
      return { label: p.kind === "bulk_delete" ? "Deleting" : "Importing", tone: "processing" };
    case "complete":
      return p.failed > 0
        ? {
          label: `Completed with ${formatCount(p.failed)} ${p.failed === 1 ? "error" : "errors"}`,
          tone: "warning",
        }
        : { label: "Done", tone: "complete" };
    case "cancelled":
      return { label: "Cancelled", tone: "cancelled" };
    default:
      return { label: "Failed", tone: "error" };
  }
}
