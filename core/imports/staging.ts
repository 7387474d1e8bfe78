/**
 * The staging table of one import: an UNLOGGED table (no WAL: written at memory speed, emptied if
 * PostgreSQL itself crashes) holding the file's valid rows with their record numbers, so the
 * writes that follow can keep each SKU's last row and write it once. Rows arrive two ways: as
 * validated values (`appendToStage`), or, for runs of records that need nothing changed, as the
 * file's own text read by PostgreSQL's CSV reader (`StageCopy`, several times faster).
 */
import type postgres from "postgres";
import type { Writable } from "node:stream";
import type { Sql } from "../platform/db.ts";
import { probeProductsBySku, type ProductRow } from "../products/mod.ts";
import { type ColumnMap, KNOWN_COLUMNS } from "./csv_rows.ts";

const INT8_OID = 20;
const TEXT_OID = 25;
const BOOL_OID = 16;

/** A valid row and its record number in the file (the header is record 0). */
export interface StagedRow {
  ord: number;
  row: ProductRow;
}

/** The staging table's name for a job: one table per job, dropped when it ends. */
export function stageTableName(jobId: string): string {
  return `import_stage_${jobId.replaceAll("-", "")}`;
}

/**
 * The staging table's columns in the file's order: the product field each header position fills,
 * or `unused_N` for a column the import ignores (PostgreSQL's CSV reader needs somewhere to put it).
 */
export function stageColumns(columns: ColumnMap): string[] {
  const names = Array.from({ length: columns.width }, (_, position) => `unused_${position + 1}`);
  for (const field of KNOWN_COLUMNS) {
    const position = columns[field];
    if (position !== undefined) names[position] = field;
  }
  return names;
}

/**
 * Creates the job's staging table empty, replacing what an interrupted attempt left. `ord` takes
 * its values from a sequence for copied rows (`copyToStage` sets it to each run's first record);
 * `copied` tells those rows from the validated ones, which `copiedTotals` checks.
 */
export async function createStage(sql: Sql, stage: string, columns: string[]): Promise<void> {
  const unused = columns.filter((column) => column.startsWith("unused_"));
  await sql`DROP TABLE IF EXISTS ${sql(stage)}`;
  await sql`
    CREATE UNLOGGED TABLE ${sql(stage)} (
      ord bigserial NOT NULL,
      sku text NOT NULL,
      name text NOT NULL,
      description text,
      price numeric(10, 2),
      active boolean,
      copied boolean NOT NULL DEFAULT true
      ${sql.unsafe(unused.map((column) => `, ${column} text`).join(""))}
    )`;
}

/** Appends rows to the staging table in one statement (one array per column: the cheapest to send). */
export async function appendToStage(sql: Sql, stage: string, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const array = (values: unknown[], oid: number) =>
    sql.array(values as postgres.SerializableParameter[], oid);
  await sql`
    INSERT INTO ${sql(stage)} (ord, sku, name, description, price, active, copied)
    SELECT *, false FROM unnest(
      ${array(rows.map((r) => r.ord), INT8_OID)}::bigint[],
      ${array(rows.map((r) => r.row.sku), TEXT_OID)}::text[],
      ${array(rows.map((r) => r.row.name), TEXT_OID)}::text[],
      ${array(rows.map((r) => r.row.description), TEXT_OID)}::text[],
      ${array(rows.map((r) => r.row.price), TEXT_OID)}::numeric[],
      ${array(rows.map((r) => r.row.active), BOOL_OID)}::boolean[])`;
}

/** How the file's text is read by PostgreSQL: its columns (see {@linkcode stageColumns}) and delimiter. */
export interface FileLayout {
  columns: string[];
  delimiter: string;
}

/** A copy's text waiting to be sent beyond this holds the file reader up. */
const MAX_QUEUED_CHARACTERS = 1024 * 1024;

/**
 * Consecutive records of the file appended as their own text, by `COPY … FROM STDIN (FORMAT csv)`
 * on a connection of its own, fed while the file is read; their record numbers count on from the
 * first. Copies share the table's sequence, so each starts once `after` (the one before) has
 * ended. `finish` says whether PostgreSQL took them all; when it refused the text (its CSV reader
 * is stricter than the file reader in places), none of them is staged.
 */
export class StageCopy {
  readonly #started: Promise<{ connection: postgres.ReservedSql; stream: Writable; refused: Promise<void> }>;
  #writing: Promise<unknown>;
  #queuedCharacters = 0;
  #refused = false;

  constructor(sql: Sql, stage: string, layout: FileLayout, firstOrd: number, after: Promise<unknown>) {
    // Empty fields of optional columns are no value, quoted or not (unquoted ones already are).
    const forceNull = layout.columns.filter((column) => ["description", "price", "active"].includes(column));
    const options = [
      "FORMAT csv",
      `DELIMITER ${quoteLiteral(layout.delimiter)}`,
      ...(forceNull.length > 0 ? [`FORCE_NULL (${forceNull.join(", ")})`] : []),
    ];
    this.#started = after.then(async () => {
      const connection = await sql.reserve();
      try {
        const numbered =
          connection`SELECT setval(pg_get_serial_sequence(${stage}, 'ord'), ${firstOrd}, false)`;
        const copy = connection`COPY ${connection(stage)} (${connection.unsafe(layout.columns.join(", "))})
          FROM STDIN WITH (${connection.unsafe(options.join(", "))})`;
        await numbered;
        const stream = await copy.writable();
        const refused = new Promise<void>((_, reject) => {
          // postgres.js hands a refusal that comes after the data has ended only to the query, whose
          // promise has already resolved with this stream: without this, waiting for it would never end.
          (copy as unknown as { reject: (error: unknown) => void }).reject = reject;
          stream.on("error", reject);
        });
        refused.catch(() => (this.#refused = true));
        return { connection, stream, refused };
      } catch (error) {
        connection.release();
        throw error;
      }
    });
    this.#writing = this.#started;
  }

  /**
   * Sends more records' text, each ending with a line break. Returns a promise to wait for when
   * more than a million characters wait to be sent (PostgreSQL may read slower than the file is
   * parsed). The text waits as text: it becomes bytes only as it is sent, so those bytes are
   * garbage at once (bytes made while the text waited outlived the young generation and were
   * freed only by a full collection).
   */
  write(text: string): Promise<void> | null {
    this.#queuedCharacters += text.length;
    const written = this.#writing.then(async () => {
      const { stream } = await this.#started;
      if (!stream.destroyed) await new Promise<void>((resolve) => stream.write(text, () => resolve()));
    }).finally(() => (this.#queuedCharacters -= text.length));
    this.#writing = written.catch(() => {});
    return this.#queuedCharacters > MAX_QUEUED_CHARACTERS ? this.#writing as Promise<void> : null;
  }

  /** Whether PostgreSQL has refused the text sent so far (nothing more need be sent). */
  get refused(): boolean {
    return this.#refused;
  }

  /** Ends the copy: true when every record was staged, false when PostgreSQL refused the text. */
  async finish(): Promise<boolean> {
    const { connection, stream, refused } = await this.#started;
    try {
      await this.#writing;
      const ended = new Promise<void>((resolve) => stream.on("finish", resolve));
      stream.end();
      await Promise.race([ended, refused]);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith("22")) return false; // a data exception
      throw error;
    } finally {
      connection.release();
    }
  }
}

/** A one-character delimiter as an SQL string literal. */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Whether a staging column holds a field's text as written (price and active are converted). */
export function holdsText(column: string): boolean {
  return column !== "price" && column !== "active";
}

/**
 * The copied rows and their characters (in the product fields and unused columns, as the file
 * reader saw them): when these differ from what the file reader counted, the two readers parsed
 * some text differently, and the file is staged again without copying.
 */
export async function copiedTotals(
  sql: Sql,
  stage: string,
  layout: FileLayout,
): Promise<{ rows: number; characters: number }> {
  const counted = layout.columns.filter(holdsText)
    .map((column) => `coalesce(char_length(${column}), 0)`).join(" + ");
  const [totals] = await sql<{ rows: number; characters: string }[]>`
    SELECT count(*)::int AS rows, coalesce(sum(${sql.unsafe(counted)}), 0)::text AS characters
    FROM ${sql(stage)} WHERE copied`;
  return { rows: totals.rows, characters: Number(totals.characters) };
}

/**
 * Indexes the staged rows for the writes, both indexes side by side: by record number (each chunk
 * is a range of records) and by SKU (is a later row of the same SKU staged?). The SKU index only
 * answers equality, so it compares bytes (collation "C"): built in half the time of the database's
 * collation. No statistics are gathered: the writes' plans are fixed (see `writeStagedChunk`).
 */
export async function indexStage(sql: Sql, stage: string): Promise<void> {
  await Promise.all([
    sql`CREATE INDEX ON ${sql(stage)} (ord)`,
    sql`CREATE INDEX ON ${sql(stage)} ((lower(sku) COLLATE "C"), ord)`,
  ]);
}

/** How many rows the staging table holds, or null when it does not exist. */
export async function stagedRowCount(sql: Sql, stage: string): Promise<number | null> {
  const [{ exists }] = await sql<{ exists: boolean }[]>`SELECT to_regclass(${stage}) IS NOT NULL AS exists`;
  if (!exists) return null;
  const [{ count }] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM ${sql(stage)}`;
  return count;
}

/**
 * The share of a sample of the staged rows (about 5,000) that would change `products`: a SKU not
 * stored yet, or stored with other values. It tells whether an import is large enough to write
 * without the search indexes (an estimate: a repeated SKU's earlier rows are sampled too). It samples
 * whole pages: a row-by-row sample reads every page of the table (0.4 s at 500k).
 */
export async function sampledWriteShare(sql: Sql, stage: string, stagedRows: number): Promise<number> {
  const percent = Math.min(100, (100 * 5000) / Math.max(1, stagedRows));
  return await sql.begin(async (tx) => {
    // Hashing all of `products` instead took 0.17 s at 500k.
    await probeProductsBySku(tx);
    const [{ share }] = await tx<{ share: number | null }[]>`
    SELECT avg(CASE WHEN p.id IS NULL
        OR (p.sku, p.name, p.description, p.price, p.active)
          IS DISTINCT FROM (s.sku, s.name, coalesce(s.description, p.description),
            coalesce(s.price, p.price), coalesce(s.active, p.active))
      THEN 1 ELSE 0 END)::float8 AS share
    FROM ${tx(stage)} s TABLESAMPLE SYSTEM (${percent})
    LEFT JOIN products p ON lower(p.sku) = lower(s.sku)`;
    return share ?? 0;
  });
}

/** Drops the job's staging table, if it is still there. */
export async function dropStage(sql: Sql, stage: string): Promise<void> {
  await sql`DROP TABLE IF EXISTS ${sql(stage)}`;
}
