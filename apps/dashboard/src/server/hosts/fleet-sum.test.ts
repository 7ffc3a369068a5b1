import type { HistoryPoint } from '@ctscope/protocol';
import { CPU_COUNTER_KEYS } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { fleetHistory } from './fleet-history';
import { sumFleet } from './fleet-sum';

const zeros = Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])) as HistoryPoint['totals'];
const point = (at: number, count: number, max: number, extra: Partial<HistoryPoint> = {}): HistoryPoint => ({ at, count, max, totals: zeros, ...extra });
const rates = (drop: number, insert_failed = 0) => ({ ...zeros, drop, insert_failed });

describe('sumFleet', () => {
  it('sums the last count and max of every host per bucket, and averages rates within a bucket before summing', () => {
    const a = [point(1_000, 10, 100, { rates: rates(2), eventRates: { NEW: 4, UPDATE: 0, DESTROY: 1 } }), point(9_000, 20, 100, { rates: rates(4), eventRates: { NEW: 6, UPDATE: 2, DESTROY: 1 } })];
    const b = [point(5_000, 300, 1000, { rates: rates(1, 3), eventRates: { NEW: 1, UPDATE: 1, DESTROY: 1 } })];
    const [only, ...rest] = sumFleet([a, b], { since: 0, until: 10_000, stepMs: 10_000, staleMs: 0 });
    expect(rest).toEqual([]);
    expect(only).toEqual({
      at: 10_000,
      count: 320,
      max: 1100,
      hosts: 2,
      eventRates: { NEW: 6, UPDATE: 2, DESTROY: 2 },
      rates: { insert_failed: 3, drop: 4, early_drop: 0, invalid: 0, search_restart: 0 },
    });
  });

  it('keeps a host in the sum across a bucket without its point while the last one is fresh, then lets it go', () => {
    const a = [point(1_000, 10, 100), point(2_000, 10, 100), point(3_000, 10, 100), point(4_000, 10, 100)];
    const b = [point(1_500, 5, 50)]; // stopped reporting after the first bucket
    const sums = sumFleet([a, b], { since: 0, until: 4_000, stepMs: 1_000, staleMs: 1_600 });
    expect(sums.map((p) => [p.at, p.count, p.hosts])).toEqual([
      [1_000, 10, 1],
      [2_000, 15, 2],
      [3_000, 15, 2],
      [4_000, 10, 1],
    ]);
  });

  it('leaves out buckets no host reported in and bounds the answer to the bucket count', () => {
    const a = Array.from({ length: 1_000 }, (_, i) => point(50_000 + i * 10, i, 1_000));
    const sums = sumFleet([a], { since: 0, until: 100_000, stepMs: 1_000, staleMs: 0 });
    expect(sums.length).toBeLessThanOrEqual(100);
    expect(sums.map((p) => p.at)).toEqual(Array.from({ length: 11 }, (_, i) => 50_000 + i * 1_000));
    expect(sums.at(-1)?.count).toBe(999);
  });
});

describe('fleetHistory', () => {
  it('reads every host from the store since the start of the range, at no finer than the stored step', async () => {
    const now = 10 * 60_000;
    const asked: [string, number][] = [];
    const store = {
      listHosts: async () => [{ id: 'a', hostname: 'a', lastSeen: null, agent: null, latest: null }, { id: 'b', hostname: 'b', lastSeen: null, agent: null, latest: null }],
      listHistory: async (hostId: string, since: number) => {
        asked.push([hostId, since]);
        return hostId === 'a' ? [point(now - 5_000, 7, 70)] : [point(now - 4_000, 3, 30)];
      },
    };
    const answer = await fleetHistory(store, '5m', 10_000, now);
    expect(asked).toEqual([['a', now - 300_000], ['b', now - 300_000]]);
    expect(answer.stepMs).toBe(10_000);
    expect(answer.points).toEqual([{ at: now, count: 10, max: 100, hosts: 2 }]);
  });
});
