/**
 * Where a products form goes back to: the list as the user left it (search, filters, sort, page),
 * carried through a form field or a query parameter, and accepted only as a path on the list itself.
 */

/** The list path to go back to, if `raw` is one (`/` or `/?…`); anything else falls back to `/`. */
export function safeReturnPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length > 2_000) return "/";
  // "/?" keeps it on this site: "//host" or "/\\host" could leave it.
  return /^\/(\?[^#\s\\]*)?$/.test(raw) ? raw : "/";
}

/** `path` with these query parameters set (a parameter set to null is removed). */
export function withParams(path: string, params: Record<string, string | number | null>): string {
  const url = new URL(path, "http://list.invalid");
  for (const [name, value] of Object.entries(params)) {
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, String(value));
  }
  return `${url.pathname}${url.search}`;
}
