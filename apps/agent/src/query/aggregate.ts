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
  entries: Iterable<MirrorEntry>;
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
export function idleHistogram(entries: Iterable<MirrorEntry>, match: (flow: Flow) => boolean, establishedTimeout: number, now = Date.now()): Aggregates['idle'] {
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
  const byState = new Map<string, number>();
  const sources = new Map<string, number>();
  const destinations = new Map<string, number>();
  const ports = new Map<string, number>();
  // Pairs are counted per source, so no key string is built per entry.
  const pairs = new Map<string, Map<string, number>>();
  const idle = new Array<number>(IDLE_BUCKETS.length + 1).fill(0);
  let total = 0;
  let assured = 0;
  let unreplied = 0;

  for (const entry of input.entries) {
    const { flow } = entry;
    if (!input.match(flow)) continue;
    total++;
    const proto = flow.proto === 'unknown' ? String(flow.protoNum) : flow.proto;
    bump(byProtocol, proto);
    if (flow.state !== undefined) bump(byState, `${proto} ${flow.state}`);
    if (flow.statusBits & ASSURED) assured++;
    if (!(flow.statusBits & SEEN_REPLY)) unreplied++;
    bump(sources, flow.orig.src);
    bump(destinations, flow.orig.dst);
    if (flow.orig.dport !== undefined) bump(ports, `${proto}/${flow.orig.dport}`);
    let toDestinations = pairs.get(flow.orig.src);
    if (!toDestinations) pairs.set(flow.orig.src, (toDestinations = new Map()));
    bump(toDestinations, flow.orig.dst);
    if (!input.idle) {
      const bucket = idleBucket(entry, input.establishedTimeout, now);
      if (bucket !== undefined) idle[bucket] = (idle[bucket] ?? 0) + 1;
    }
  }

  return {
    total,
    size: input.size,
    byProtocol: topCounts(byProtocol, 300),
    byState: topCounts(byState, 64),
    assured,
    unreplied,
    topSources: topCounts(sources, input.top),
    topDestinations: topCounts(destinations, input.top),
    topDestinationPorts: topCounts(ports, input.top),
    topPairs: topPairs(pairs, input.top),
    idle: input.idle ?? { timeoutSeconds: input.establishedTimeout, buckets: idle.map((count, i) => ({ upToSeconds: IDLE_BUCKETS[i] ?? null, count })) },
    at: now,
    tookMs: performance.now() - started,
  };
}
