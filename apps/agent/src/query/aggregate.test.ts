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

  it('topCounts breaks ties by key and caps at n', () => {
    const map = new Map([['b', 2], ['a', 2], ['c', 5], ['d', 1]]);
    expect(topCounts(map, 3)).toEqual([{ key: 'c', count: 5 }, { key: 'a', count: 2 }, { key: 'b', count: 2 }]);
  });
});
