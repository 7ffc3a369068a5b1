import { ipv4Text } from '@ctscope/conntrack';
import { addressSortKey } from '../query/sort-keys';

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 32-bit number of an IPv4 address written as ipv4Text writes it, else -1. */
function ipv4Number(address: string): number {
  const m = DOTTED_QUAD.exec(address);
  if (!m) return -1;
  const value = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  return ipv4Text(value) === address ? value : -1;
}

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
  /** IPv4 address by number as its 32-bit value (see acquireIpv4), -1 for other addresses and free numbers. */
  ipv4 = new Float64Array(1_024).fill(-1);
  private readonly ipv4Index = new Map<number, number>();
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
      const value = ipv4Number(address);
      this.ipv4[i] = value;
      if (value >= 0) this.ipv4Index.set(value, i);
    }
    this.refs[i] = (this.refs[i] as number) + 1;
    return i;
  }

  /** acquire(ipv4Text(value)) without making the string when the address is known already. */
  acquireIpv4(value: number): number {
    const i = this.ipv4Index.get(value);
    if (i === undefined) return this.acquire(ipv4Text(value));
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
    const value = this.ipv4[i] as number;
    if (value >= 0) this.ipv4Index.delete(value);
    this.ipv4[i] = -1;
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
    const ipv4 = new Float64Array(size).fill(-1);
    ipv4.set(this.ipv4);
    this.ipv4 = ipv4;
  }
}
