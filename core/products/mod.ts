/**
 * Products: the field rules (`fields.ts`, browser-safe), validated input (`input.ts`), one-at-a-time
 * changes with their webhook events (`store.ts`), listing and search (`listing.ts`), the CSV export
 * (`export.ts`), the bulk statements an import or a delete-all runs (`bulk.ts`), the search
 * indexes a large import drops and rebuilds (`deferred_indexes.ts`), and bulk actions on a selection
 * (`selection.ts`, their API input in `bulk_input.ts`).
 */
export {
  type ChunkCounts,
  deleteAllProducts,
  type PresentColumns,
  probeProductsBySku,
  type ProductRow,
  type StagedChunk,
  tidyAfterBulkChange,
  writeStagedChunk,
} from "./bulk.ts";
export {
  DEFERRED_INDEXES,
  deferredIndexesWhole,
  dropDeferredIndexes,
  rebuildDeferredIndexes,
  SEARCH_INDEXES,
  usableDeferredIndexes,
} from "./deferred_indexes.ts";
export { neutralizeFormula, neutralizeUploadedCell, restoreNeutralized } from "./csv_formula.ts";
export { productsCsvStream } from "./export.ts";
export {
  checkProductField,
  fieldMessage,
  type FieldProblem,
  LENGTH_LIMITS,
  PRICE_RULE,
  PRODUCT_LIMITS,
  type ProductField,
} from "./fields.ts";
export { type BulkActionInput, BulkActionSchema, parseBulkAction } from "./bulk_input.ts";
export { parseProductCreate, parseProductUpdate, ProductCreateSchema, ProductUpdateSchema } from "./input.ts";
export {
  COUNT_CAP,
  listProducts,
  type ProductFilters,
  type ProductPage,
  type ProductQuery,
} from "./listing.ts";
export { SORT_KEYS, type SortKey } from "./sort_order.ts";
export {
  applyBulkActionNow,
  applyToNextBatch,
  type BatchOutcome,
  BULK_ACTIONS,
  BULK_BATCH_SIZE,
  type BulkAction,
  bulkActionDone,
  countSelection,
  describeSelection,
  MAX_SELECTED_IDS,
  type ProductSelection,
  sampleSelection,
} from "./selection.ts";
export {
  countProducts,
  createProduct,
  deleteProduct,
  findDeletedProduct,
  getProduct,
  type Product,
  type ProductChangeOptions,
  productJson,
  restoreProduct,
  updateProduct,
} from "./store.ts";
