-- Products: SKU unique case-insensitively (seed §3).
CREATE TABLE products (
  id bigserial PRIMARY KEY,
  sku varchar(255) NOT NULL,
  name varchar(500) NOT NULL,
  description text,
  price numeric(10, 2),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX products_sku_lower_key ON products (lower(sku));

-- One row per upload. The counts and resume point are written in the same
-- transaction as each committed batch, so a restarted job knows exactly where to continue.
CREATE TABLE import_jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL DEFAULT 'import',
  file_name text NOT NULL,
  file_path text NOT NULL,
  file_size bigint NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'processing', 'complete', 'error')),
  message text NOT NULL DEFAULT 'Waiting to start',
  rows_done bigint NOT NULL DEFAULT 0,
  bytes_done bigint NOT NULL DEFAULT 0,
  inserted bigint NOT NULL DEFAULT 0,
  updated bigint NOT NULL DEFAULT 0,
  unchanged bigint NOT NULL DEFAULT 0,
  duplicates bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  header jsonb,
  lane_rows_done bigint[],
  error text,
  attempts int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  heartbeat_at timestamptz
);
CREATE INDEX import_jobs_created_at_idx ON import_jobs (created_at DESC);
CREATE INDEX import_jobs_open_idx ON import_jobs (created_at) WHERE status IN ('queued', 'processing');

-- Rows that could not be imported, kept to build the downloadable error CSV.
CREATE TABLE import_row_errors (
  job_id uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
  line bigint NOT NULL,
  fields jsonb NOT NULL,
  message text NOT NULL,
  PRIMARY KEY (job_id, line)
);
