-- Imports page (issue 12): preview before writing, column mapping, cancelling a running import.

-- A cancelled import stops after its current batch; what it committed stays. cancel_requested_at is
-- set by whoever asks (any instance); the instance running the job ends it as 'cancelled'.
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_status_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_status_check
  CHECK (status IN ('queued', 'processing', 'complete', 'error', 'cancelled'));
ALTER TABLE import_jobs ADD COLUMN cancel_requested_at timestamptz;
-- How the file's headers map to product fields ({normalized header: field or "ignore"}); NULL reads
-- the headers by name only. The delimiter is the one the preview detected (the API's uploads: comma).
ALTER TABLE import_jobs ADD COLUMN column_mapping jsonb;
ALTER TABLE import_jobs ADD COLUMN delimiter text NOT NULL DEFAULT ',';

-- An uploaded file waiting for the user to confirm its preview. The file stays on the receiving
-- instance's volume (owner_instance) until it is imported, cancelled or expires.
CREATE TABLE import_previews (
  id uuid PRIMARY KEY,
  file_name text NOT NULL,
  file_path text NOT NULL,
  file_size bigint NOT NULL,
  owner_instance text NOT NULL,
  delimiter text NOT NULL,
  encoding text NOT NULL,
  header jsonb NOT NULL,
  sample_rows jsonb NOT NULL,
  problem text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX import_previews_expires_at_idx ON import_previews (expires_at);

-- A header the user mapped once (normalized: lower case, spaces as underscores) is mapped the same way
-- in the next preview, app-wide: catalogs of one company come from the same few exports.
CREATE TABLE import_column_mappings (
  header text PRIMARY KEY,
  field text NOT NULL CHECK (field IN ('sku', 'name', 'description', 'price', 'active', 'ignore')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
