/** Formatting shared by server-rendered components and islands (browser-safe, no server code). */
const integer = new Intl.NumberFormat("en-US");

/** 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** Bytes as a short human size: "86.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Milliseconds as "42.3 s", "3 min 05 s" or "1 h 02 min 05 s". */
export function formatDuration(ms: number): string {
  // Round first, then split: rounding the parts separately printed "1 min 60 s" for 119.6 s.
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const seconds = String(total % 60).padStart(2, "0");
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  if (hours === 0) return `${minutes} min ${seconds} s`;
  return `${hours} h ${String(minutes).padStart(2, "0")} min ${seconds} s`;
}
