/**
 * A moment as the server writes it, in UTC and labelled so ("2026-11-29 14:05 UTC"); where JavaScript
 * runs, `islands/local_times.ts` rewrites it in the viewer's own time zone. Browser-safe.
 */
import { usePageAssets } from "./page_assets.tsx";

/** A `<time>` in UTC, to the minute or to the second, shown in the viewer's time zone where JavaScript runs. */
export function LocalTime(props: { at: Date; seconds?: boolean }) {
  usePageAssets().localTimes = true;
  const iso = props.at.toISOString();
  const text = `${iso.slice(0, props.seconds ? 19 : 16).replace("T", " ")} UTC`;
  return (
    <time dateTime={iso} data-local-time={props.seconds ? "seconds" : "minutes"}>
      {text}
    </time>
  );
}
