/**
 * Shows every server-written UTC time (`<time data-local-time>`, see components/local_time.tsx) in the
 * viewer's own time zone, with the zone's short name ("2026-11-29 15:05 CET"); the full UTC moment
 * stays in the element's title. A script of its own, a few hundred bytes: pages without islands load
 * it without the islands' bundle.
 */

function localText(date: Date, seconds: boolean): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const time = [part("hour"), part("minute"), ...(seconds ? [part("second")] : [])].join(":");
  return `${part("year")}-${part("month")}-${part("day")} ${time} ${part("timeZoneName")}`;
}

for (const element of document.querySelectorAll<HTMLTimeElement>("time[data-local-time]")) {
  const date = new Date(element.dateTime);
  if (Number.isNaN(date.getTime())) continue;
  element.title = element.textContent ?? "";
  element.textContent = localText(date, element.dataset.localTime === "seconds");
}
