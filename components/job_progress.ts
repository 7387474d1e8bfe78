/** Following a job's progress live, as the progress islands do. */
import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { isFinalStatus, type ProgressEvent } from "../core/imports/progress.ts";

/** A job's latest progress, and whether its stream is being reconnected. */
export interface JobProgress {
  progress: Signal<ProgressEvent>;
  reconnecting: Signal<boolean>;
}

/** Whether a job's stream has nothing more to say: the job ended and search has caught up. */
function settled(event: ProgressEvent): boolean {
  return isFinalStatus(event.status) && event.search_index === "ready";
}

/**
 * Follows the SSE stream of the job whose state at render time is `initial`, until the job has
 * ended and search has caught up; `onEvent` sees each event. EventSource reconnects by itself,
 * and the stream replays the current state when it does.
 */
export function useJobProgress(
  initial: ProgressEvent,
  onEvent?: (event: ProgressEvent) => void,
): JobProgress {
  const progress = useSignal(initial);
  const reconnecting = useSignal(false);
  useEffect(() => {
    if (settled(initial)) return;
    const source = new EventSource(`/api/progress/${initial.task_id}`);
    source.onopen = () => (reconnecting.value = false);
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as ProgressEvent;
      progress.value = event;
      onEvent?.(event);
      if (settled(event)) {
        source.close();
        reconnecting.value = false;
      }
    };
    source.onerror = () => (reconnecting.value = source.readyState !== EventSource.CLOSED);
    return () => source.close();
  }, []);
  return { progress, reconnecting };
}
