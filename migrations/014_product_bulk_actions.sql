-- Bulk actions on a selection of products (issue 12): delete, activate or deactivate the products
-- ticked on a page or all that match a filter. A large one runs as a job like delete-all; `params`
-- holds what it does to which products, its planned total and its resume point (the last id done).
ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_kind_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_check
  CHECK (kind IN ('import', 'bulk_delete', 'bulk_action'));
ALTER TABLE import_jobs ADD COLUMN params jsonb;

-- Undo of a delete: the product as it was, kept for a day, so "Undo" can put it back with the same
-- id, SKU and fields. Pruned by each delete that writes here (the index keeps that cheap).
CREATE TABLE deleted_products (
  id bigint PRIMARY KEY,
  sku varchar(255) NOT NULL,
  name varchar(500) NOT NULL,
  description text,
  price numeric(10, 2),
  active boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deleted_products_deleted_at_idx ON deleted_products (deleted_at);
