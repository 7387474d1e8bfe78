import type { ColumnType, Generated } from "kysely";

/** The `products` table. */
export interface ProductTable {
  id: Generated<number>;
  sku: string;
  name: string;
  description: string | null;
  /** numeric(10,2), returned as a string to keep cents exact. */
  price: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

/** `product_stats`: one row holding the exact product count, kept by triggers. */
export interface ProductStatsTable {
  singleton: boolean;
  total: ColumnType<string | number, never, never>;
}

/** The `webhooks` table (migration 003). */
export interface WebhookTable {
  id: Generated<number>;
  url: string;
  event_types: string[];
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: ColumnType<number, never, number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

/** The tables the typed queries use. */
export interface Database {
  products: ProductTable;
  product_stats: ProductStatsTable;
  webhooks: WebhookTable;
}
