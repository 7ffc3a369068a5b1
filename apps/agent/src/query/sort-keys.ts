import type { SortColumn } from '@ctscope/protocol';
import { HAS, ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';

const TWO_POW_32 = 2 ** 32;

/**
 * Orders addresses numerically: IPv4 first (as 32-bit numbers), then IPv6 by their first 48 bits. IPv6
 * addresses sharing those bits tie here and are ordered by `addressTieBreak`.
 */
export function addressSortKey(address: string): number {
  if (!address.includes(':')) {
    let value = 0;
    let octet = 0;
    for (let i = 0; i < address.length; i++) {
      const c = address.charCodeAt(i);
      if (c === 46) {
        value = value * 256 + octet;
        octet = 0;
      } else octet = octet * 10 + (c - 48);
    }
    return value * 256 + octet;
  }
  const groups = expandIpv6(address);
  return TWO_POW_32 + (groups[0] ?? 0) * 2 ** 32 + (groups[1] ?? 0) * 2 ** 16 + (groups[2] ?? 0);
}

/** The eight 16-bit groups of an IPv6 address (IPv4-mapped tails included). */
export function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::', 2) as [string, string | undefined];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = addressSortKey(group);
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else out.push(parseInt(group, 16));
    }
    return out;
  };
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
}

export function compareAddresses(a: string, b: string): number {
  const ka = addressSortKey(a);
  const kb = addressSortKey(b);
  if (ka !== kb) return ka - kb;
  if (!a.includes(':')) return 0;
  const ga = expandIpv6(a);
  const gb = expandIpv6(b);
  for (let i = 3; i < 8; i++) if ((ga[i] ?? 0) !== (gb[i] ?? 0)) return (ga[i] ?? 0) - (gb[i] ?? 0);
  return 0;
}

/** A numeric sort key per column, read from a row of the table's columns; NaN means "no value" and always sorts last. */
export type SortKey = (table: FlowTable, row: number, now: number) => number;

const flagged = (table: FlowTable, row: number, flag: number, column: ArrayLike<number>): number => ((table.columns.flags[row] as number) & flag ? (column[row] as number) : NaN);

/** The original tuple's port, or for ICMP the id (source side) or type (destination side), as `conntrack` shows them. */
function portOf(table: FlowTable, row: number, port: number, ports: Uint16Array, icmp: number, icmps: Uint16Array | Uint8Array): number {
  const flags = (table.columns.flags[row] as number) >>> ORIG_SHIFT;
  return flags & port ? (ports[row] as number) : flags & icmp ? (icmps[row] as number) : NaN;
}

function sumCounter(table: FlowTable, row: number, at: 0 | 1): number {
  const { counters, flags } = table.columns;
  const f = flags[row] as number;
  if (!counters || !(f & (HAS.COUNTERS_ORIG | HAS.COUNTERS_REPLY))) return NaN;
  const orig = f & HAS.COUNTERS_ORIG ? (counters[4 * row + at] as bigint) : 0n;
  const reply = f & HAS.COUNTERS_REPLY ? (counters[4 * row + 2 + at] as bigint) : 0n;
  return Number(orig + reply);
}

/** Columns whose values are addresses: ties on the numeric key are broken by the full address. */
export const ADDRESS_COLUMNS: Partial<Record<SortColumn, (table: FlowTable, row: number) => string>> = {
  src: (t, r) => t.addresses.strings[t.columns.origSrc[r] as number] as string,
  dst: (t, r) => t.addresses.strings[t.columns.origDst[r] as number] as string,
  replySrc: (t, r) => t.addresses.strings[t.columns.replySrc[r] as number] as string,
  replyDst: (t, r) => t.addresses.strings[t.columns.replyDst[r] as number] as string,
};

/** Seconds left before the row's entry expires (see remainingTimeout), NaN without a timeout. */
export function rowTimeout(table: FlowTable, row: number, now: number): number {
  const c = table.columns;
  if (!((c.flags[row] as number) & HAS.TIMEOUT)) return NaN;
  return Math.max(0, (c.timeout[row] as number) - Math.floor((now - (c.seenAt[row] as number)) / 1000));
}

export const SORT_KEYS: Record<SortColumn, SortKey> = {
  proto: (t, r) => t.columns.protoNum[r] as number,
  src: (t, r) => t.addresses.keys[t.columns.origSrc[r] as number] as number,
  dst: (t, r) => t.addresses.keys[t.columns.origDst[r] as number] as number,
  replySrc: (t, r) => t.addresses.keys[t.columns.replySrc[r] as number] as number,
  replyDst: (t, r) => t.addresses.keys[t.columns.replyDst[r] as number] as number,
  sport: (t, r) => portOf(t, r, TUPLE.SPORT, t.columns.origSport, TUPLE.ICMP_ID, t.columns.origIcmpId),
  dport: (t, r) => portOf(t, r, TUPLE.DPORT, t.columns.origDport, TUPLE.ICMP_TYPE, t.columns.origIcmpType),
  state: (t, r) => {
    const index = t.columns.state[r] as number;
    return index === 0 ? NaN : (t.stateRanks()[index] as number);
  },
  status: (t, r) => t.columns.statusBits[r] as number,
  timeout: rowTimeout,
  packets: (t, r) => sumCounter(t, r, 0),
  bytes: (t, r) => sumCounter(t, r, 1),
  mark: (t, r) => flagged(t, r, HAS.MARK, t.columns.mark),
  zone: (t, r) => flagged(t, r, HAS.ZONE, t.columns.zone),
  id: (t, r) => flagged(t, r, HAS.ID, t.columns.id),
  age: (t, r) => {
    const stamps = t.columns.timestamps;
    return stamps && (t.columns.flags[r] as number) & HAS.TIMESTAMP_START ? -Number((stamps[2 * r] as bigint) / 1_000_000n) : NaN;
  },
};
