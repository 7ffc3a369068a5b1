import { compositionCount, compositionGrowth, type Composition, type CompositionGrowth } from '@ctscope/protocol';
import type { Store } from '../store/types';

/** Points each key's series is sampled at, at most. */
export const GROWTH_POINTS = 60;

/** The stored summary at (or just before) `at`; the first one after it when none is earlier; null when none. */
export async function compositionAt(store: Store, hostId: string, at: number): Promise<Composition | null> {
  const time = await store.nearestCompositionTime(hostId, at);
  if (time === undefined) return null;
  return (await store.loadCompositions(hostId, [time]))[0] ?? null;
}

/** `n` of `times`, evenly spread, the first and last always among them. */
export function spread(times: readonly number[], n: number): number[] {
  if (times.length <= n) return [...times];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(times[Math.round((i * (times.length - 1)) / (n - 1))] as number);
  return out;
}

/**
 * Keys ranked by the entries they added between the summaries nearest `from` and `to` (each the last at
 * or before its moment, so "to = now" is the newest summary), with their counts at up to GROWTH_POINTS
 * summaries between. Empty when fewer than two summaries lie in the interval.
 */
export async function growthBetween(store: Store, hostId: string, from: number, to: number, limit: number): Promise<CompositionGrowth> {
  const start = (await store.nearestCompositionTime(hostId, from)) ?? from;
  const times = await store.compositionTimes(hostId, Math.min(start, to), to);
  const empty: CompositionGrowth = { from: null, to: null, points: [], rows: [] };
  if (times.length === 0) return empty;
  const points = spread(times, GROWTH_POINTS);
  const loaded = await store.loadCompositions(hostId, points);
  const first = loaded[0];
  const last = loaded[loaded.length - 1];
  if (!first || !last) return empty;
  if (first === last) return { from: first, to: last, points: [first.at], rows: [] };
  const rows = compositionGrowth(first, last, limit).map((row) => ({ ...row, series: loaded.map((c) => compositionCount(c, row.dimension, row.key)) }));
  return { from: first, to: last, points: loaded.map((c) => c.at), rows };
}
