-- Deep pages read only ids from a sort index (an index-only scan) and fetch the page's 50 rows
-- afterwards. The planner takes an index-only scan only when the index holds every column the query
-- names, and `ORDER BY lower(sku)` names sku, so the SKU order needs sku and id beside lower(sku).
-- The other sort indexes (updated_at, id), (name, id) and (price, id) already cover their order.
-- Page 5,000 sorted by SKU at 500k: 68–90 ms reading rows, 15–19 ms reading this index. Its cost:
-- 22 MB at 500k, ~0.5 s to build from scratch.
CREATE INDEX products_sku_paging_idx ON products (lower(sku)) INCLUDE (sku, id);
