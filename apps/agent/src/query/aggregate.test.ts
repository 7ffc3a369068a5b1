import { describe, expect, it } from 'vitest';
import { aggregate, topCounts } from './aggregate';
import { entry, tableOf } from './testing/entries';

describe('aggregate', () => {
  const entries = [
    ...Array.from({ length: 5 }, (_, i) => entry({ src: '10.0.0.1', dst: '10.0.1.1', sport: 1000 + i, id: i, state: 'ESTABLISHED', timeout: 432_000 - 30 })),
    entry({ src: '10.0.0.2', dst: '10.0.1.1', id: 10, state: 'ESTABLISHED', timeout: 432_000 - 7_200 }),
    entry({ src: '10.0.0.2', dst: '10.0.1.2', dport: 53, proto: 'udp', id: 11, assured: false }),
  ];
  const result = aggregate({ table: tableOf(entries), filter: {}, top: 2, establishedTimeout: 432_000, now: 0 });

  it('counts by protocol, state and status', () => {
    expect(result.total).toBe(7);
    expect(result.byProtocol).toEqual([{ key: 'tcp', count: 6 }, { key: 'udp', count: 1 }]);
    expect(result.byState).toEqual([{ key: 'tcp ESTABLISHED', count: 6 }]);
    expect(result.assured).toBe(6);
    expect(result.unreplied).toBe(1);
  });

  it('ranks top talkers, ports and pairs', () => {
    expect(result.topSources).toEqual([{ key: '10.0.0.1', count: 5 }, { key: '10.0.0.2', count: 2 }]);
    expect(result.topDestinationPorts[0]).toEqual({ key: 'tcp/443', count: 6 });
    expect(result.topPairs[0]).toEqual({ key: '10.0.0.1 → 10.0.1.1', count: 5 });
  });

  it('buckets ESTABLISHED idle time as configured timeout minus remaining', () => {
    const byBound = Object.fromEntries(result.idle.buckets.map((b) => [String(b.upToSeconds), b.count]));
    expect(byBound['60']).toBe(5);
    expect(byBound['21600']).toBe(1);
    expect(result.idle.buckets.reduce((s, b) => s + b.count, 0)).toBe(6);
  });

  it('counts pairs exactly past the first size of the pair table (it grows as pairs appear)', () => {
    // 6,000 distinct pairs, pair i seen (i % 7) + 1 times: the top ones are those with i % 7 === 6.
    const many = Array.from({ length: 6_000 }, (_, i) => Array.from({ length: (i % 7) + 1 }, (_, k) => entry({ src: `10.1.${i >> 8}.${i & 255}`, dst: `10.2.${i % 13}.1`, sport: 1_000 + k, id: i * 8 + k })));
    const got = aggregate({ table: tableOf(many.flat()), filter: {}, top: 3, establishedTimeout: 432_000, now: 0 });
    const counts = new Map<string, number>();
    for (const e of many.flat()) counts.set(`${e.flow.orig.src} → ${e.flow.orig.dst}`, (counts.get(`${e.flow.orig.src} → ${e.flow.orig.dst}`) ?? 0) + 1);
    expect(counts.size).toBe(6_000);
    expect(got.topPairs).toEqual(topCounts(counts, 3));
    expect(got.topPairs[0]?.count).toBe(7);
  });

  it('topCounts breaks ties by key and caps at n', () => {
    const map = new Map([['b', 2], ['a', 2], ['c', 5], ['d', 1]]);
    expect(topCounts(map, 3)).toEqual([{ key: 'c', count: 5 }, { key: 'a', count: 2 }, { key: 'b', count: 2 }]);
  });
});
