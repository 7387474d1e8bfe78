import { NotFoundError } from "./errors.ts";

/**
 * Parses an id from a URL path. Anything but a positive whole number up to `max` (the column's
 * range) cannot name a row, so it is a 404 at once rather than a database error.
 */
export function idFromPath(raw: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const id = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || id < 1 || id > max) {
    throw new NotFoundError(`There is no ${what} with id "${raw.slice(0, 40)}".`);
  }
  return id;
}
