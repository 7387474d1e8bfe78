-- Substring search over SKU, name and description (ILIKE '%term%') served by one trigram index.
-- The fields are joined with chr(31) (unit separator), which no search term contains, so a match
-- never spans two fields.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX products_search_trgm_idx ON products
  USING gin ((lower(sku) || chr(31) || lower(name) || chr(31) || lower(coalesce(description, ''))) gin_trgm_ops);

-- Sorting and paging: each sortable column with id as the tie-breaker.
CREATE INDEX products_updated_at_idx ON products (updated_at, id);
CREATE INDEX products_name_idx ON products (name, id);
CREATE INDEX products_price_idx ON products (price, id);

-- import_jobs also tracks delete-all runs, which have no file.
ALTER TABLE import_jobs ALTER COLUMN file_name SET DEFAULT '';
ALTER TABLE import_jobs ALTER COLUMN file_path SET DEFAULT '';
ALTER TABLE import_jobs ALTER COLUMN file_size SET DEFAULT 0;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_check CHECK (kind IN ('import', 'bulk_delete'));
