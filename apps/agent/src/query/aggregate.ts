import type { Flow } from '@ctscope/conntrack';
import type { Aggregates, KeyCount } from '@ctscope/protocol';
import type { MirrorEntry } from '../mirror/mirror';
import { smallest } from './window';
import { remainingTimeout } from './wire-flow';

const ASSURED = 1 << 2;
const SEEN_REPLY = 1 << 1;

/** Upper bounds (seconds) of the idle-time histogram; the last bucket is open-ended. */
export const IDLE_BUCKETS = [60, 300, 900, 3_600, 6 * 3_600, 86_400, 2 * 86_400] as const;

export interface AggregateInput {
  entries: readonly MirrorEntry[];
  size: number;
  match: (flow: Flow) => boolean;
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

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function bumpIn(maps: Map<string, Map<string, number>>, outer: string, inner: string): void {
  let counts = maps.get(outer);
  if (!counts) maps.set(outer, (counts = new Map()));
  bump(counts, inner);
}

/** Nested counts as one map keyed `outer + separator + inner` (built once per distinct pair). */
function flatten(maps: Map<string, Map<string, number>>, separator: string): Map<string, number> {
  const flat = new Map<string, number>();
  for (const [outer, counts] of maps) for (const [inner, count] of counts) flat.set(`${outer}${separator}${inner}`, count);
  return flat;
}

/** The `n` largest counts, largest first (ties by key). */
export function topCounts(map: Map<string, number>, n: number): KeyCount[] {
  const keys = [...map.keys()];
  const counts = keys.map((k) => map.get(k) ?? 0);
  const compare = (a: number, b: number) => (counts[b] as number) - (counts[a] as number) || ((keys[a] as string) < (keys[b] as string) ? -1 : 1);
  return Array.from(smallest(keys.length, Math.min(n, keys.length), compare), (i) => ({ key: keys[i] as string, count: counts[i] as number }));
}

function topPairs(pairs: Map<string, Map<string, number>>, n: number): KeyCount[] {
  const best: KeyCount[] = [];
  for (const [src, destinations] of pairs) for (const { key, count } of topCounts(destinations, n)) best.push({ key: `${src} → ${key}`, count });
  return best.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).slice(0, n);
}

/** Breakdowns of the matching entries: what fills the table and who. */
export function aggregate(input: AggregateInput): Aggregates {
  const started = performance.now();
  const now = input.now ?? Date.now();
  const byProtocol = new Map<string, number>();
  // States and ports are counted under numbers and nested maps, so no key string is built per entry.
  const statesByProtocol = new Map<string, Map<string, number>>();
  const sources = new Map<string, number>();
  const destinations = new Map<string, number>();
  const ports = new Map<number, number>();
  const protocolNames = new Map<number, string>();
  const pairs = new Map<string, Map<string, number>>();
  const idle = new Array<number>(IDLE_BUCKETS.length + 1).fill(0);
  let total = 0;
  let assured = 0;
  let unreplied = 0;

  const { entries } = input;
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e] as MirrorEntry;
    const { flow } = entry;
    if (!input.match(flow)) continue;
    total++;
    const proto = flow.proto === 'unknown' ? String(flow.protoNum) : flow.proto;
    bump(byProtocol, proto);
    if (flow.state !== undefined) bumpIn(statesByProtocol, proto, flow.state);
    if (flow.statusBits & ASSURED) assured++;
    if (!(flow.statusBits & SEEN_REPLY)) unreplied++;
    bump(sources, flow.orig.src);
    bump(destinations, flow.orig.dst);
    if (flow.orig.dport !== undefined) {
      const port = flow.protoNum * 65_536 + flow.orig.dport;
      ports.set(port, (ports.get(port) ?? 0) + 1);
      if (!protocolNames.has(flow.protoNum)) protocolNames.set(flow.protoNum, proto);
    }
    bumpIn(pairs, flow.orig.src, flow.orig.dst);
    if (!input.idle) {
      const bucket = idleBucket(entry, input.establishedTimeout, now);
      if (bucket !== undefined) idle[bucket] = (idle[bucket] ?? 0) + 1;
    }
  }

  return {
    total,
    size: input.size,
    byProtocol: topCounts(byProtocol, 300),
    byState: topCounts(flatten(statesByProtocol, ' '), 64),
    assured,
    unreplied,
    topSources: topCounts(sources, input.top),
    topDestinations: topCounts(destinations, input.top),
    topDestinationPorts: topCounts(new Map(Array.from(ports, ([port, count]) => [`${protocolNames.get(Math.floor(port / 65_536)) ?? ''}/${port % 65_536}`, count])), input.top),
    topPairs: topPairs(pairs, input.top),
    idle: input.idle ?? { timeoutSeconds: input.establishedTimeout, buckets: idle.map((count, i) => ({ upToSeconds: IDLE_BUCKETS[i] ?? null, count })) },
    at: now,
    tookMs: performance.now() - started,
  };
}
