import type { Flow, FlowFilter } from '@ctscope/conntrack';
import type { Aggregates, KeyCount } from '@ctscope/protocol';
import { ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';
import type { MirrorEntry } from '../mirror/mirror';
import { compileRowFilter } from './row-filter';
import { rowTimeout } from './sort-keys';
import { smallest } from './window';
import { remainingTimeout } from './wire-flow';

const ASSURED = 1 << 2;
const SEEN_REPLY = 1 << 1;

/** Upper bounds (seconds) of the idle-time histogram; the last bucket is open-ended. */
export const IDLE_BUCKETS = [60, 300, 900, 3_600, 6 * 3_600, 86_400, 2 * 86_400] as const;

export interface AggregateInput {
  /** The mirror's table, read synchronously. */
  table: FlowTable;
  /** Which entries count (compileQuery's filter), evaluated on the columns (see compileRowFilter). */
  filter: FlowFilter;
  top: number;
  /** The configured nf_conntrack_tcp_timeout_established, seconds. */
  establishedTimeout: number;
  /**
   * The idle histogram computed from a fresh dump (idleHistogram): a packet refreshes an entry's
   * timeout without any event, so the mirror's own timeouts make busy connections look idle.
   */
  idle?: Aggregates['idle'];
  now?: number;
}

/** How long ESTABLISHED TCP entries have been idle: configured timeout minus time left. */
export function idleHistogram(entries: readonly MirrorEntry[], match: (flow: Flow) => boolean, establishedTimeout: number, now = Date.now()): Aggregates['idle'] {
  const idle = new Array<number>(IDLE_BUCKETS.length + 1).fill(0);
  for (const entry of entries) {
    if (!match(entry.flow)) continue;
    const bucket = idleBucket(entry, establishedTimeout, now);
    if (bucket !== undefined) idle[bucket] = (idle[bucket] ?? 0) + 1;
  }
  return { timeoutSeconds: establishedTimeout, buckets: idle.map((count, i) => ({ upToSeconds: IDLE_BUCKETS[i] ?? null, count })) };
}

function idleBucket(entry: MirrorEntry, establishedTimeout: number, now: number): number | undefined {
  const { flow } = entry;
  if (flow.protoNum !== 6 || flow.state !== 'ESTABLISHED') return undefined;
  const remaining = remainingTimeout(flow, entry.seenAt, now);
  if (remaining === undefined) return undefined;
  const idleFor = Math.max(0, establishedTimeout - remaining);
  const bucket = IDLE_BUCKETS.findIndex((upTo) => idleFor <= upTo);
  return bucket < 0 ? IDLE_BUCKETS.length : bucket;
}

/** The `n` largest counts, largest first (ties by key). */
export function topCounts(map: Map<string, number>, n: number): KeyCount[] {
  const keys = [...map.keys()];
  const counts = keys.map((k) => map.get(k) ?? 0);
  const compare = (a: number, b: number) => (counts[b] as number) - (counts[a] as number) || ((keys[a] as string) < (keys[b] as string) ? -1 : 1);
  return Array.from(smallest(keys.length, Math.min(n, keys.length), compare), (i) => ({ key: keys[i] as string, count: counts[i] as number }));
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The `n` largest of counts kept by number (an address, a port...), ties by the number's text. */
export function topNumbered(numbers: ArrayLike<number>, counts: ArrayLike<number>, length: number, n: number, text: (i: number) => string): KeyCount[] {
  const compare = (a: number, b: number) => (counts[b] as number) - (counts[a] as number) || byText(text(numbers[a] as number), text(numbers[b] as number));
  return Array.from(smallest(length, Math.min(n, length), compare), (i) => ({ key: text(numbers[i] as number), count: counts[i] as number }));
}

/** The numbers with a count, and their counts, out of a count per number. */
export function nonZero(counts: Uint32Array, span: number): { numbers: Uint32Array; counts: Uint32Array; length: number } {
  let length = 0;
  for (let i = 0; i < span; i++) if (counts[i] !== 0) length++;
  const numbers = new Uint32Array(length);
  const kept = new Uint32Array(length);
  for (let i = 0, j = 0; i < span; i++) {
    const count = counts[i] as number;
    if (count === 0) continue;
    numbers[j] = i;
    kept[j++] = count;
  }
  return { numbers, counts: kept, length };
}

/**
 * Counts of (source, destination) address pairs: an open hash over `source · span + destination`
 * (exact below 2^53, so for pools under 2^26 addresses) in typed arrays, no object per pair.
 */
export class PairCounts {
  keys: Float64Array;
  counts: Uint32Array;
  size = 0;
  constructor(expected: number) {
    let capacity = 1_024;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Float64Array(capacity).fill(-1);
    this.counts = new Uint32Array(capacity);
  }
  bump(key: number): void {
    const mask = this.keys.length - 1;
    let i = PairCounts.hash(key) & mask;
    for (;;) {
      const k = this.keys[i] as number;
      if (k === key) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
      if (k === -1) break;
      i = (i + 1) & mask;
    }
    this.keys[i] = key;
    this.counts[i] = 1;
    if (++this.size * 2 > this.keys.length) this.grow();
  }
  private grow(): void {
    const { keys, counts } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.counts = new Uint32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key === -1) continue;
      let j = PairCounts.hash(key) & mask;
      while (this.keys[j] !== -1) j = (j + 1) & mask;
      this.keys[j] = key;
      this.counts[j] = counts[i] as number;
    }
  }
  private static hash(key: number): number {
    return Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul((key / 4_294_967_296) >>> 0, 0x85ebca6b);
  }
}

/**
 * The top pairs "src → dst": largest count first, ties by that text. Comparing the source and then the
 * destination gives the text's order without building it: " → " sorts before any address character.
 */
export function topPairs(pairs: PairCounts, span: number, strings: readonly string[], n: number): KeyCount[] {
  const used = new Uint32Array(pairs.size);
  for (let i = 0, j = 0; i < pairs.keys.length; i++) if ((pairs.keys[i] as number) !== -1) used[j++] = i;
  const srcOf = (slot: number) => strings[Math.floor((pairs.keys[slot] as number) / span)] as string;
  const dstOf = (slot: number) => strings[(pairs.keys[slot] as number) % span] as string;
  const compare = (a: number, b: number) => {
    const sa = used[a] as number;
    const sb = used[b] as number;
    return (pairs.counts[sb] as number) - (pairs.counts[sa] as number) || byText(srcOf(sa), srcOf(sb)) || byText(dstOf(sa), dstOf(sb));
  };
  return Array.from(smallest(used.length, Math.min(n, used.length), compare), (i) => {
    const slot = used[i] as number;
    return { key: `${srcOf(slot)} → ${dstOf(slot)}`, count: pairs.counts[slot] as number };
  });
}

/** Breakdowns of the matching entries: what fills the table and who, counted straight from the columns. */
export function aggregate(input: AggregateInput): Aggregates {
  const started = performance.now();
  const now = input.now ?? Date.now();
  const { table } = input;
  const match = compileRowFilter(input.filter, table);
  const c = table.columns;
  const pool = table.addresses;
  const span = Math.max(1, pool.span);
  const byProtoState = new Uint32Array(256 * 256);
  const sources = new Uint32Array(span);
  const destinations = new Uint32Array(span);
  const portsByProto: (Uint32Array | undefined)[] = [];
  // Sized for a few hundred pairs and grown as they appear: sized for every row, a table of a million
  // entries allocated and filled 24 MB per query (page faults most of its time) for the few thousand
  // pairs such tables usually hold.
  const pairs = new PairCounts(Math.min(table.size, 512));
  const idle = new Array<number>(IDLE_BUCKETS.length + 1).fill(0);
  const established = table.stateNumberOf('ESTABLISHED');
  let total = 0;
  let assured = 0;
  let unreplied = 0;
  for (let row = 0, size = table.size; row < size; row++) {
    if (!match(row)) continue;
    total++;
    const protoNum = c.protoNum[row] as number;
    const state = c.state[row] as number;
    byProtoState[protoNum * 256 + state] = (byProtoState[protoNum * 256 + state] as number) + 1;
    const bits = c.statusBits[row] as number;
    if (bits & ASSURED) assured++;
    if (!(bits & SEEN_REPLY)) unreplied++;
    const src = c.origSrc[row] as number;
    const dst = c.origDst[row] as number;
    sources[src] = (sources[src] as number) + 1;
    destinations[dst] = (destinations[dst] as number) + 1;
    if (((c.flags[row] as number) >>> ORIG_SHIFT) & TUPLE.DPORT) {
      const ports = (portsByProto[protoNum] ??= new Uint32Array(65_536));
      const port = c.origDport[row] as number;
      ports[port] = (ports[port] as number) + 1;
    }
    pairs.bump(src * span + dst);
    if (!input.idle && protoNum === 6 && state === established && established !== 0) {
      const remaining = rowTimeout(table, row, now);
      if (remaining === remaining) {
        const idleFor = Math.max(0, input.establishedTimeout - remaining);
        const bucket = IDLE_BUCKETS.findIndex((upTo) => idleFor <= upTo);
        const b = bucket < 0 ? IDLE_BUCKETS.length : bucket;
        idle[b] = (idle[b] as number) + 1;
      }
    }
  }
  const protoText = (protoNum: number) => {
    const name = table.protoName(protoNum);
    return name === 'unknown' ? String(protoNum) : name;
  };
  const byProtocol = new Map<string, number>();
  const byState = new Map<string, number>();
  for (let protoNum = 0; protoNum < 256; protoNum++) {
    for (let state = 0; state < 256; state++) {
      const count = byProtoState[protoNum * 256 + state] as number;
      if (count === 0) continue;
      const proto = protoText(protoNum);
      byProtocol.set(proto, (byProtocol.get(proto) ?? 0) + count);
      if (state !== 0) byState.set(`${proto} ${table.stateName(state)}`, count);
    }
  }
  const ports = new Map<string, number>();
  portsByProto.forEach((counts, protoNum) => {
    if (!counts) return;
    for (let port = 0; port < 65_536; port++) if (counts[port] !== 0) ports.set(`${protoText(protoNum)}/${port}`, counts[port] as number);
  });
  const address = (i: number) => pool.strings[i] as string;
  const src = nonZero(sources, span);
  const dst = nonZero(destinations, span);
  return {
    total,
    size: table.size,
    byProtocol: topCounts(byProtocol, 300),
    byState: topCounts(byState, 64),
    assured,
    unreplied,
    topSources: topNumbered(src.numbers, src.counts, src.length, input.top, address),
    topDestinations: topNumbered(dst.numbers, dst.counts, dst.length, input.top, address),
    topDestinationPorts: topCounts(ports, input.top),
    topPairs: topPairs(pairs, span, pool.strings, input.top),
    idle: input.idle ?? { timeoutSeconds: input.establishedTimeout, buckets: idle.map((count, i) => ({ upToSeconds: IDLE_BUCKETS[i] ?? null, count })) },
    at: now,
    tookMs: performance.now() - started,
  };
}
