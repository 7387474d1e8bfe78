/**
 * Lanes: an import writes on several connections at once, each lane taking the rows of its share
 * of the SKUs, committing its batches in file order while the parser fills the next ones.
 */
import type { EarlierInFile, ProductRow } from "../products/mod.ts";
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

/**
 * The SKUs a lane has committed in this import, so that a SKU's later rows count as repeats.
 * Kept as 53-bit hashes of the lower-cased SKU in an open-addressing table of doubles (9 bytes a
 * slot, 2–4 slots per SKU: ~9 MB for 500k SKUs, where a `Map` took 22.6 MB; a SKU string sliced
 * from the parser's chunk would also keep the whole chunk alive). A hash collision (for a million SKUs, about a 1 in 20,000 chance that any
 * two collide) counts one row of a stored product as repeated instead of updated or unchanged; a
 * new product is always counted new.
 */
export class SkusInFile {
  /** Hashes, 0 for an empty slot; the size is a power of two, at most half full. */
  #keys = new Float64Array(1024);
  /** Per slot: 1 (counted new or updated) or 2 (counted unchanged so far). */
  #states = new Uint8Array(1024);
  #size = 0;

  /** Each row's {@linkcode EarlierInFile}, or null when no row's SKU came earlier. */
  earlier(rows: ProductRow[]): EarlierInFile[] | null {
    let flags: EarlierInFile[] | null = null;
    for (let i = 0; i < rows.length; i++) {
      const state = this.#states[this.#slot(skuHash(rows[i].sku))] as EarlierInFile;
      if (state === 0) continue;
      flags ??= new Array<EarlierInFile>(rows.length).fill(0);
      flags[i] = state;
    }
    return flags;
  }

  /** Records a committed batch: `unchangedRows` are the positions whose SKU is, so far, unchanged. */
  committed(rows: ProductRow[], unchangedRows: number[]): void {
    const unchanged = new Set(unchangedRows);
    for (let i = 0; i < rows.length; i++) this.#set(skuHash(rows[i].sku), unchanged.has(i) ? 2 : 1);
  }

  /** Records a SKU an earlier attempt committed (whether it was unchanged is not known then). */
  committedBefore(sku: string): void {
    this.#set(skuHash(sku), 1);
  }

  /** The slot holding `hash`, or the empty slot where it would go. */
  #slot(hash: number): number {
    const mask = this.#keys.length - 1;
    let slot = (hash % 4294967296) & mask;
    while (this.#keys[slot] !== 0 && this.#keys[slot] !== hash) slot = (slot + 1) & mask;
    return slot;
  }

  #set(hash: number, state: 1 | 2): void {
    let slot = this.#slot(hash);
    if (this.#keys[slot] === 0) {
      if ((this.#size + 1) * 2 > this.#keys.length) {
        this.#grow();
        slot = this.#slot(hash);
      }
      this.#keys[slot] = hash;
      this.#size += 1;
    }
    this.#states[slot] = state;
  }

  #grow(): void {
    const keys = this.#keys;
    const states = this.#states;
    this.#keys = new Float64Array(keys.length * 2);
    this.#states = new Uint8Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) continue;
      const slot = this.#slot(keys[i]);
      this.#keys[slot] = keys[i];
      this.#states[slot] = states[i];
    }
  }
}

/** cyrb53: a fast 53-bit string hash, of the SKU in lower case; never 0 (an empty slot). */
function skuHash(sku: string): number {
  const key = sku.toLowerCase();
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
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
  /** The SKUs this lane has committed; only this lane writes them, in file order. */
  readonly skus: SkusInFile = new SkusInFile();
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

  /** Rows and row errors in the batch being filled. */
  get pending(): number {
    return this.#rows.length + this.#errors.length;
  }

  /** True when the batch being filled has reached the batch size. */
  get full(): boolean {
    return this.pending >= this.#batchSize;
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
