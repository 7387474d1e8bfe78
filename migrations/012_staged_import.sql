-- The import at the write limit (issue 11). An import first stages the file's valid rows in an
-- UNLOGGED table of its own, then writes each SKU's last row once, in chunks of the file.
-- rows_total: the file's data rows, known once it is staged (null while it is read); it marks the
-- job as staged, so an attempt that resumes it writes from its chunks' resume points.
ALTER TABLE import_jobs ADD COLUMN rows_total bigint;
-- search_deferred: this import dropped the search (trigram) indexes to write faster; they are
-- rebuilt after it ends. search_ready_at: when they were whole again (null while they catch up).
ALTER TABLE import_jobs ADD COLUMN search_deferred boolean NOT NULL DEFAULT false;
ALTER TABLE import_jobs ADD COLUMN search_ready_at timestamptz;
