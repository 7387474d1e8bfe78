-- The description's trigram index in two halves, by even and odd id, so that rebuilding the search
-- indexes after a large import keeps both cores busy: one description index was ~11 s of one core
-- at 500k while names and SKUs took ~5 s together; the halves take ~6 s each, side by side.
-- Searches ask for each half explicitly (`core/products/listing.ts`), which the planner ORs.
DROP INDEX IF EXISTS products_description_trgm_idx;
CREATE INDEX IF NOT EXISTS products_description_even_trgm_idx
  ON products USING gin (lower(description) gin_trgm_ops) WHERE id % 2 = 0;
CREATE INDEX IF NOT EXISTS products_description_odd_trgm_idx
  ON products USING gin (lower(description) gin_trgm_ops) WHERE id % 2 = 1;
