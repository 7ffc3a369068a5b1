import { addressSortKey } from '../query/sort-keys';

/**
 * Address strings stored once each and named by a small integer, counted by the rows that use them:
 * a table of a million entries holds a few distinct addresses per remote host instead of four strings
 * per entry, and an address nobody uses any more is freed for reuse. Each address's sort key is kept
 * beside it, so sorting by an address column never parses a string.
 */
export class AddressPool {
  private readonly index = new Map<string, number>();
  /** Address by number; freed numbers hold '' until reused. */
  readonly strings: string[] = [];
  /** Sort key by number (see addressSortKey). */
  keys = new Float64Array(1_024);
  private refs = new Uint32Array(1_024);
  private readonly free: number[] = [];

  /** Numbers in use are below this. */
  get span(): number {
    return this.strings.length;
  }

  /** The number `address` is stored under, if some row uses it (no user counted). */
  numberOf(address: string): number | undefined {
    return this.index.get(address);
  }

  /** The number of `address`, counting one more user. */
  acquire(address: string): number {
    let i = this.index.get(address);
    if (i === undefined) {
      i = this.free.pop() ?? this.strings.length;
      if (i >= this.refs.length) this.grow(i + 1);
      this.strings[i] = address;
      this.keys[i] = addressSortKey(address);
      this.index.set(address, i);
    }
    this.refs[i] = (this.refs[i] as number) + 1;
    return i;
  }

  /** One user fewer; the last one frees the number. */
  release(i: number): void {
    const left = (this.refs[i] as number) - 1;
    this.refs[i] = left;
    if (left > 0) return;
    this.index.delete(this.strings[i] as string);
    this.strings[i] = '';
    this.free.push(i);
  }

  private grow(min: number): void {
    const size = Math.max(min, Math.ceil(this.refs.length * 1.5));
    const refs = new Uint32Array(size);
    refs.set(this.refs);
    this.refs = refs;
    const keys = new Float64Array(size);
    keys.set(this.keys);
    this.keys = keys;
  }
}
