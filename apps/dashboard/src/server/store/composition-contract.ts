import type { Composition, RankedList } from '@ctscope/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { growthBetween } from '../history/composition-queries';
import type { Store } from './types';

const list = (entries: Record<string, number>, rest = 0): RankedList => ({ top: Object.entries(entries).map(([key, count]) => ({ key, count })), rest });
const composition = (at: number, port53: number): Composition => ({
  at,
  total: 100 + port53,
  byProtocol: [{ key: 'udp', count: 100 + port53 }],
  byState: [],
  byStatus: [{ key: 'CONFIRMED', count: 100 + port53 }],
  sources: list({ '10.0.0.1': 100, ...(port53 > 0 ? { '10.6.6.6': port53 } : {}) }),
  destinations: list({ '10.0.0.2': 100 + port53 }),
  ports: list({ 'udp/53': port53, 'udp/123': 100 }, 2),
  pairs: list({}),
  byNetns: [{ netns: '4026531840', name: 'host', source: 'host', entries: 100 + port53 }],
  tookMs: 1,
});

/** Composition summaries, on every Store (`open`: a fresh migrated store per test, closed after it). */
export function compositionContract(open: () => Promise<Store>): void {
  const stores: Store[] = [];
  const fresh = async () => {
    const store = await open();
    stores.push(store);
    await store.createHost('gw1', 'gw1', 'hash-gw1', 1);
    await store.createHost('gw2', 'gw2', 'hash-gw2', 1);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  describe('composition summaries in the store', () => {
    it('stores and reads them back by host and time, nearest at or before a moment', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i++) await store.appendComposition('gw1', composition(1_000_000 + i * 10_000, i * 1_000));
      await store.appendComposition('gw2', composition(1_000_005, 7));
      await store.appendComposition('gw1', composition(1_000_000, 5)); // same time again: replaced
      expect(await store.compositionTimes('gw1', 1_010_000, 1_030_000)).toEqual([1_010_000, 1_020_000, 1_030_000]);
      expect(await store.nearestCompositionTime('gw1', 1_025_000)).toBe(1_020_000);
      expect(await store.nearestCompositionTime('gw1', 5)).toBe(1_000_000);
      expect(await store.nearestCompositionTime('gw3', 5)).toBeUndefined();
      const [first, last] = await store.loadCompositions('gw1', [1_040_000, 1_000_000]);
      expect(first?.ports.top.find((k) => k.key === 'udp/53')?.count).toBe(5);
      expect(last).toEqual(composition(1_040_000, 4_000));
    });

    it('ranks growth between two moments with each key\'s series', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i++) await store.appendComposition('gw1', composition(1_000_000 + i * 10_000, i * 1_000));
      const growth = await growthBetween(store, 'gw1', 1_005_000, 1_045_000, 3);
      expect(growth.points).toEqual([1_000_000, 1_010_000, 1_020_000, 1_030_000, 1_040_000]);
      expect(growth.rows.map((r) => [r.dimension, r.key, r.added, r.exact, r.series])).toEqual([
        ['port', 'udp/53', 4_000, true, [0, 1_000, 2_000, 3_000, 4_000]],
        // Absent at the start with a complete list (rest 0): it had none then.
        ['source', '10.6.6.6', 4_000, true, [0, 1_000, 2_000, 3_000, 4_000]],
        ['destination', '10.0.0.2', 4_000, true, [100, 1_100, 2_100, 3_100, 4_100]],
      ]);
      expect(await growthBetween(store, 'gw2', 0, 10, 3)).toEqual({ from: null, to: null, points: [], rows: [] });
    });

    it('prunes past retention and thins older summaries to one a minute, then one per 10 minutes', async () => {
      const store = await fresh();
      const now = 10 * 86_400_000;
      const at = (agoMs: number) => now - agoMs;
      const times = [
        ...[0, 10, 20, 30].map((s) => at(30 * 60_000 + s * 1000)), // last hour: all kept
        ...[0, 10, 20, 70].map((s) => at(3 * 3_600_000 - s * 1000)), // a few hours old
        ...[0, 60, 120, 900].map((s) => at(2 * 86_400_000 - s * 1000)), // two days old
        at(9 * 86_400_000), // past retention
      ];
      for (const t of times) await store.appendComposition('gw1', composition(t, 1));
      const before = await store.compositionTimes('gw1', 0, now);
      expect(before).toHaveLength(13);
      const removed = await store.pruneCompositions(now, 7 * 86_400_000);
      const after = await store.compositionTimes('gw1', 0, now);
      expect(removed).toBe(before.length - after.length);
      expect(after.filter((t) => t > at(3_600_000))).toHaveLength(4);
      // Within each minute only the first stays; within each 10 minutes, likewise.
      const minutes = after.filter((t) => t < at(3_600_000) && t > at(86_400_000)).map((t) => Math.floor(t / 60_000));
      expect(new Set(minutes).size).toBe(minutes.length);
      expect(minutes.length).toBeGreaterThanOrEqual(2);
      const tens = after.filter((t) => t < at(86_400_000)).map((t) => Math.floor(t / 600_000));
      expect(new Set(tens).size).toBe(tens.length);
      expect(after).not.toContain(at(9 * 86_400_000));
      expect(await store.pruneCompositions(now, 7 * 86_400_000)).toBe(0);
    });
  });
}
