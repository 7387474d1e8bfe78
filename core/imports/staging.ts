/**
 * The staging table of one import: an UNLOGGED table (no WAL: written at memory speed, emptied if
 * PostgreSQL itself crashes) holding the file's valid rows with their record numbers, so the
 * writes that follow can keep each SKU's last row and write it once.
 */
import type postgres from "postgres";
import type { Sql } from "../platform/db.ts";
import type { ProductRow } from "../products/mod.ts";

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

/** Creates the job's staging table empty, replacing what an interrupted attempt left. */
export async function createStage(sql: Sql, stage: string): Promise<void> {
  await sql`DROP TABLE IF EXISTS ${sql(stage)}`;
  await sql`
    CREATE UNLOGGED TABLE ${sql(stage)} (
      ord bigint NOT NULL,
      sku text NOT NULL,
      name text NOT NULL,
      description text,
      price numeric(10, 2),
      active boolean
    )`;
}

/** Appends rows to the staging table in one statement (one array per column: the cheapest to send). */
export async function appendToStage(sql: Sql, stage: string, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const array = (values: unknown[], oid: number) =>
    sql.array(values as postgres.SerializableParameter[], oid);
  await sql`
    INSERT INTO ${sql(stage)} (ord, sku, name, description, price, active)
    SELECT * FROM unnest(
      ${array(rows.map((r) => r.ord), INT8_OID)}::bigint[],
      ${array(rows.map((r) => r.row.sku), TEXT_OID)}::text[],
      ${array(rows.map((r) => r.row.name), TEXT_OID)}::text[],
      ${array(rows.map((r) => r.row.description), TEXT_OID)}::text[],
      ${array(rows.map((r) => r.row.price), TEXT_OID)}::numeric[],
      ${array(rows.map((r) => r.row.active), BOOL_OID)}::boolean[])`;
}

/**
 * Indexes the staged rows for the writes: by record number (each chunk is a range of records) and
 * by SKU (is a later row of the same SKU staged?), built side by side; then gathers statistics.
 */
export async function indexStage(sql: Sql, stage: string): Promise<void> {
  await Promise.all([
    sql`CREATE INDEX ON ${sql(stage)} (ord)`,
    sql`CREATE INDEX ON ${sql(stage)} (lower(sku), ord)`,
  ]);
  await sql`ANALYZE ${sql(stage)}`;
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
 * without the search indexes (an estimate: a repeated SKU's earlier rows are sampled too).
 */
export async function sampledWriteShare(sql: Sql, stage: string, stagedRows: number): Promise<number> {
  const percent = Math.min(100, (100 * 5000) / Math.max(1, stagedRows));
  const [{ share }] = await sql<{ share: number | null }[]>`
    SELECT avg(CASE WHEN p.id IS NULL
        OR (p.sku, p.name, p.description, p.price, p.active)
          IS DISTINCT FROM (s.sku, s.name, coalesce(s.description, p.description),
            coalesce(s.price, p.price), coalesce(s.active, p.active))
      THEN 1 ELSE 0 END)::float8 AS share
    FROM ${sql(stage)} s TABLESAMPLE BERNOULLI (${percent})
    LEFT JOIN products p ON lower(p.sku) = lower(s.sku)`;
  return share ?? 0;
}

/** Drops the job's staging table, if it is still there. */
export async function dropStage(sql: Sql, stage: string): Promise<void> {
  await sql`DROP TABLE IF EXISTS ${sql(stage)}`;
}
