/**
 * Lanes: an import writes on several connections at once, each lane taking the rows of its share
 * of the SKUs, committing its batches in file order while the parser fills the next ones.
 */
import type { ProductRow } from "../products/mod.ts";
import type { RowError } from "./jobs.ts";

/**
 * The lane a row is written on. Only the SKU's ASCII digits are hashed: case mapping never
 * creates, removes or changes an ASCII digit, so two SKUs that PostgreSQL's `lower()` treats
 * as equal always share a lane (hashing JS `toLowerCase()` would not guarantee that), and
 * each SKU's rows stay in file order.
 */
export function laneOf(sku: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < sku.length; i++) {
    const code = sku.charCodeAt(i);
    if (code >= 48 && code <= 57) hash = Math.imul(hash ^ code, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/** A lane's batch, handed to its connection to commit. */
export interface LaneBatch {
  lane: LaneWriter;
  rows: ProductRow[];
  errors: RowError[];
  /** The record index of the last record read when the batch was cut. */
  through: number;
  /** The file's bytes read when the batch was cut. */
  bytesRead: number;
}

/** One lane: the batch it is filling, the batch it is committing, and how far it has committed. */
export class LaneWriter {
  readonly index: number;
  readonly #batchSize: number;
  readonly #commit: (batch: LaneBatch) => Promise<void>;
  /** Rows of this lane up to this record index were committed by an earlier attempt. */
  readonly #resumeAfter: number;
  #committedThrough: number;
  #rows: ProductRow[] = [];
  #errors: RowError[] = [];
  #committing: Promise<void> = Promise.resolve();
  #failure: unknown = null;

  constructor(
    index: number,
    options: { resumeAfter: number; batchSize: number; commit: (batch: LaneBatch) => Promise<void> },
  ) {
    this.index = index;
    this.#resumeAfter = options.resumeAfter;
    this.#committedThrough = options.resumeAfter;
    this.#batchSize = options.batchSize;
    this.#commit = options.commit;
  }

  /** Every row of this lane up to this record index is committed. */
  get committedThrough(): number {
    return this.#committedThrough;
  }

  /** True when an earlier attempt already committed this record. */
  hasCommitted(recordIndex: number): boolean {
    return recordIndex <= this.#resumeAfter;
  }

  /** Adds a valid row to the batch being filled. */
  addRow(row: ProductRow): void {
    this.#rows.push(row);
  }

  /** Adds a row error to the batch being filled (it is recorded with the batch). */
  addError(error: RowError): void {
    this.#errors.push(error);
  }

  /** True when the batch being filled has reached the batch size. */
  get full(): boolean {
    return this.#rows.length + this.#errors.length >= this.#batchSize;
  }

  /**
   * Hands the filled batch to the connection, behind the one it is committing, and returns that
   * earlier commit: awaiting it keeps the parser at most one batch ahead of each lane.
   */
  cut(through: number, bytesRead: number): Promise<void> {
    const batch: LaneBatch = { lane: this, rows: this.#rows, errors: this.#errors, through, bytesRead };
    this.#rows = [];
    this.#errors = [];
    const previous = this.#committing;
    this.#committing = previous.then(async () => {
      await this.#commit(batch);
      this.#committedThrough = through;
    });
    // A failed commit is thrown to whoever awaits this lane next, not reported as unhandled.
    this.#committing.catch((error) => {
      this.#failure ??= error;
    });
    return previous;
  }

  /** Throws the error of a commit that failed, so the reader stops at once instead of at the end. */
  throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  /** Waits for every batch handed over; throws the first commit that failed. */
  async drain(): Promise<void> {
    await this.#committing;
  }
}
