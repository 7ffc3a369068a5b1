import type { Columns } from './columns';

const MIN_BUCKETS = 1_024;

/**
 * The table's index by kernel id: an open hash of row chains held in typed arrays (the links are the
 * columns' `next`), nothing for the garbage collector to trace. Rows are read from the columns each
 * time: they are replaced when the table grows.
 */
export class IdIndex {
  /** 1 + first row of each id bucket; 0 when empty. */
  private buckets = new Int32Array(MIN_BUCKETS);
  private shift = 32 - Math.log2(MIN_BUCKETS);

  constructor(private readonly columns: Columns) {}

  /** 1 + the first row of the chain `id` belongs to, 0 when empty; `columns.next` continues it. */
  first(id: number): number {
    return this.buckets[this.bucket(id)] as number;
  }

  /** Puts `row` (its id written) at the head of its chain; more buckets once `rows` outnumber them. */
  link(row: number, rows: number): void {
    const c = this.columns;
    const b = this.bucket(c.id[row] as number);
    c.next[row] = this.buckets[b] as number;
    this.buckets[b] = row + 1;
    if (rows > this.buckets.length) this.rehash(this.buckets.length * 2, rows);
  }

  /** Takes `row` out of its chain (its id still written). */
  unlink(row: number): void {
    const c = this.columns;
    const b = this.bucket(c.id[row] as number);
    let r = (this.buckets[b] as number) - 1;
    if (r === row) {
      this.buckets[b] = c.next[row] as number;
      return;
    }
    while (r >= 0) {
      const next = (c.next[r] as number) - 1;
      if (next === row) {
        c.next[r] = c.next[row] as number;
        return;
      }
      r = next;
    }
  }

  /** Fewer buckets when far fewer rows remain. */
  fit(rows: number): void {
    let size = MIN_BUCKETS;
    while (size < rows) size *= 2;
    if (size < this.buckets.length / 4) this.rehash(size * 2, rows);
  }

  private bucket(id: number): number {
    return Math.imul(id >>> 0, 0x9e3779b1) >>> this.shift;
  }

  private rehash(size: number, rows: number): void {
    this.buckets = new Int32Array(size);
    this.shift = 32 - Math.log2(size);
    for (let row = 0; row < rows; row++) {
      const b = this.bucket(this.columns.id[row] as number);
      this.columns.next[row] = this.buckets[b] as number;
      this.buckets[b] = row + 1;
    }
  }
}
