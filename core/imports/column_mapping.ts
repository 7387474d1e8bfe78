/**
 * How a file's headers map to product fields: by name (`sku`, `Name`, `Description`…), by what the
 * user chose for that header in an earlier preview, or ignored. The user's choices are remembered
 * app-wide (`import_column_mappings`) and travel with the job (`import_jobs.column_mapping`).
 */
import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";
import { ValidationError } from "../platform/errors.ts";
import { KNOWN_COLUMNS, type KnownColumn, normalizeHeaderName } from "./csv_rows.ts";

/** What a column can become: a product field, or nothing. */
export type MappingChoice = KnownColumn | "ignore";

/** Every choice, in the order a form offers them. */
export const MAPPING_CHOICES: readonly MappingChoice[] = [...KNOWN_COLUMNS, "ignore"];

/** Normalized header → choice; the shape stored with a job. */
export type ColumnMapping = Record<string, MappingChoice>;

/** Where a column's suggested choice comes from. */
export type MappingSource = "name" | "remembered" | "unknown";

/** One column of the file with the field it maps to. */
export interface MappedColumn {
  /** The header cell as written in the file. */
  header: string;
  /** The header normalized (case, spaces and dashes do not matter): the key of a mapping. */
  key: string;
  choice: MappingChoice;
  source: MappingSource;
}

/**
 * A mapping as an API client sends it (`{"Item title": "name", "Notes": "ignore"}`), keyed by the
 * normalized header like the preview's. Choices are checked against the file's header when it is read.
 */
export function normalizeMapping(mapping: Record<string, MappingChoice>): ColumnMapping {
  return Object.fromEntries(
    Object.entries(mapping).map(([header, choice]) => [normalizeHeaderName(header), choice]),
  );
}

/** Whether `value` is a choice a column can take. */
export function isMappingChoice(value: unknown): value is MappingChoice {
  return typeof value === "string" && (MAPPING_CHOICES as readonly string[]).includes(value);
}

/**
 * The suggested mapping of a header row: a remembered choice first (the user said so), then the
 * header's own name when it is a product field, else ignored.
 */
export function suggestMapping(
  header: string[],
  remembered: ReadonlyMap<string, MappingChoice>,
): MappedColumn[] {
  return header.map((cell) => {
    const key = normalizeHeaderName(cell);
    const kept = remembered.get(key);
    if (kept) return { header: cell, key, choice: kept, source: "remembered" };
    if ((KNOWN_COLUMNS as readonly string[]).includes(key)) {
      return { header: cell, key, choice: key as KnownColumn, source: "name" };
    }
    return { header: cell, key, choice: "ignore", source: "unknown" };
  });
}

/**
 * The header row as the importer should read it: each mapped cell renamed to its field, an
 * ignored one blanked (so a column named `price` can be left out). Without a mapping, the file's
 * own header.
 */
export function applyColumnMapping(header: string[], mapping: ColumnMapping | null): string[] {
  if (!mapping) return header;
  return header.map((cell) => {
    const choice = mapping[normalizeHeaderName(cell)];
    if (choice === undefined) return cell;
    return choice === "ignore" ? "" : choice;
  });
}

/**
 * Checks the user's choices for the columns of `header`: every column has a known choice, no
 * field is chosen twice, `sku` and `name` are chosen. Returns the mapping, or throws a
 * {@linkcode ValidationError} whose details name the column (`map.<index>`) at fault.
 */
export function checkMapping(header: string[], choices: unknown[]): ColumnMapping {
  const details: { field: string; message: string }[] = [];
  const mapping: ColumnMapping = {};
  const taken = new Map<MappingChoice, number>();
  header.forEach((cell, index) => {
    const choice = choices[index];
    if (!isMappingChoice(choice)) {
      details.push({
        field: `map.${index}`,
        message: `Choose what "${cell}" becomes: ${MAPPING_CHOICES.join(", ")}.`,
      });
      return;
    }
    mapping[normalizeHeaderName(cell)] = choice;
    if (choice === "ignore") return;
    const first = taken.get(choice);
    if (first !== undefined) {
      details.push({
        field: `map.${index}`,
        message: `"${header[first]}" already fills ${choice}; a field can come from one column only.`,
      });
      return;
    }
    taken.set(choice, index);
  });
  for (const required of ["sku", "name"] as const) {
    if (!taken.has(required)) {
      details.push({
        field: "map",
        message: `No column is mapped to ${required}; choose the one that holds it.`,
      });
    }
  }
  if (details.length > 0) {
    throw new ValidationError(details[0].message, details);
  }
  return mapping;
}

/** The remembered choice of each of these normalized headers that has one. */
export async function rememberedMappings(sql: Sql, keys: string[]): Promise<Map<string, MappingChoice>> {
  if (keys.length === 0) return new Map();
  const rows = await sql<{ header: string; field: string }[]>`
    SELECT header, field FROM import_column_mappings WHERE header = ANY(${keys})`;
  return new Map(
    rows.filter((row) => isMappingChoice(row.field)).map((row) => [row.header, row.field as MappingChoice]),
  );
}

/**
 * Remembers the user's choices for the next preview. A header that names its own field and was
 * left so needs no memory (an earlier different choice is forgotten); every other choice is kept.
 */
export async function rememberMappings(
  sql: Sql | postgres.TransactionSql,
  mapping: ColumnMapping,
): Promise<void> {
  const keep = Object.entries(mapping).filter(([key, choice]) => key !== choice && key !== "");
  const forget = Object.entries(mapping).filter(([key, choice]) => key === choice).map(([key]) => key);
  if (forget.length > 0) await sql`DELETE FROM import_column_mappings WHERE header = ANY(${forget})`;
  if (keep.length === 0) return;
  await sql`
    INSERT INTO import_column_mappings (header, field)
    SELECT * FROM unnest(${keep.map(([key]) => key)}::text[], ${keep.map(([, choice]) => choice)}::text[])
    ON CONFLICT (header) DO UPDATE SET field = excluded.field, updated_at = now()`;
}
