import type { SortColumn } from '@ctscope/protocol';
import type { MirrorEntry } from '../mirror/mirror';
import { remainingTimeout } from './wire-flow';

/** A numeric sort key per column; NaN means "no value" and always sorts last. */
export type SortKey = (entry: MirrorEntry, now: number) => number;

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

const opt = (value: number | undefined): number => (value === undefined ? NaN : value);
const portOf = (port: number | undefined, icmpType: number | undefined) => opt(port ?? icmpType);
const sumCounter = (entry: MirrorEntry, field: 'packets' | 'bytes'): number => {
  const { countersOrig, countersReply } = entry.flow;
  if (!countersOrig && !countersReply) return NaN;
  return Number((countersOrig?.[field] ?? 0n) + (countersReply?.[field] ?? 0n));
};

/** Columns whose values are addresses: ties on the numeric key are broken by the full address. */
export const ADDRESS_COLUMNS: Partial<Record<SortColumn, (entry: MirrorEntry) => string>> = {
  src: (e) => e.flow.orig.src,
  dst: (e) => e.flow.orig.dst,
  replySrc: (e) => e.flow.reply.src,
  replyDst: (e) => e.flow.reply.dst,
};

export const SORT_KEYS: Record<SortColumn, SortKey> = {
  proto: (e) => e.flow.protoNum,
  src: (e) => addressSortKey(e.flow.orig.src),
  dst: (e) => addressSortKey(e.flow.orig.dst),
  replySrc: (e) => addressSortKey(e.flow.reply.src),
  replyDst: (e) => addressSortKey(e.flow.reply.dst),
  sport: (e) => portOf(e.flow.orig.sport, e.flow.orig.icmpId),
  dport: (e) => portOf(e.flow.orig.dport, e.flow.orig.icmpType),
  state: (e) => (e.flow.state === undefined ? NaN : stateRank(e.flow.state)),
  status: (e) => e.flow.statusBits,
  timeout: (e, now) => opt(remainingTimeout(e.flow, e.seenAt, now)),
  packets: (e) => sumCounter(e, 'packets'),
  bytes: (e) => sumCounter(e, 'bytes'),
  mark: (e) => opt(e.flow.mark),
  zone: (e) => opt(e.flow.zone),
  id: (e) => opt(e.flow.id),
  age: (e) => (e.flow.timestampStart === undefined ? NaN : -Number(e.flow.timestampStart / 1_000_000n)),
};

const stateRanks = new Map<string, number>();
/** States sort alphabetically; ranks are assigned once per distinct name (a few dozen at most). */
function stateRank(state: string): number {
  let rank = stateRanks.get(state);
  if (rank === undefined) {
    const names = [...stateRanks.keys(), state].sort();
    stateRanks.clear();
    names.forEach((name, i) => stateRanks.set(name, i));
    rank = stateRanks.get(state) ?? 0;
  }
  return rank;
}
