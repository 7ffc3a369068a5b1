import { describe, expect, it } from 'vitest';
import type { Composition, RankedList } from './composition';
import { compositionCount, compositionGrowth, describeGrowth } from './composition-growth';

const list = (entries: Record<string, number>, rest = 0): RankedList => ({ top: Object.entries(entries).map(([key, count]) => ({ key, count })), rest });
const summary = (at: number, parts: Partial<Composition>): Composition => ({
  at,
  total: 0,
  byProtocol: [],
  byState: [],
  byStatus: [],
  sources: list({}),
  destinations: list({}),
  ports: list({}),
  pairs: list({}),
  byNetns: [],
  tookMs: 0,
  ...parts,
});

describe('composition growth', () => {
  it('ranks keys by entries added; exact when the key was listed at both moments', () => {
    const from = summary(0, { ports: list({ 'udp/53': 100, 'tcp/443': 500 }), sources: list({ '10.0.0.1': 50 }) });
    const to = summary(1, { ports: list({ 'udp/53': 41_300, 'tcp/443': 480 }), sources: list({ '10.0.0.1': 12_050 }) });
    expect(compositionGrowth(from, to, 10)).toEqual([
      { dimension: 'port', key: 'udp/53', label: 'udp/53', added: 41_200, upTo: 41_200, exact: true },
      { dimension: 'source', key: '10.0.0.1', label: '10.0.0.1', added: 12_000, upTo: 12_000, exact: true },
    ]);
  });

  it('a key below the earlier cut-off gets a lower bound (its count minus the cut-off) and an upper one (its count)', () => {
    const from = summary(0, { sources: list({ a: 900 }, 70) });
    const to = summary(1, { sources: list({ b: 1_000, a: 905 }, 3) });
    const [row, ...others] = compositionGrowth(from, to, 10);
    expect(row).toEqual({ dimension: 'source', key: 'b', label: 'b', added: 930, upTo: 1_000, exact: false });
    expect(others.map((r) => r.key)).toEqual(['a']);
    expect(describeGrowth(row as never)).toBe('src b ≥+930');
    expect(compositionCount(from, 'source', 'b')).toBeNull();
    expect(compositionCount(to, 'source', 'b')).toBe(1_000);
    expect(compositionCount(summary(2, { sources: list({ a: 1 }) }), 'source', 'zzz')).toBe(0);
  });

  it('leaves out keys that shrank, held steady or may not have grown at all', () => {
    const from = summary(0, { ports: list({ 'tcp/80': 10 }, 40) });
    const to = summary(1, { ports: list({ 'tcp/80': 10, 'tcp/22': 30 }) });
    expect(compositionGrowth(from, to, 10)).toEqual([]);
  });

  it('namespaces: a complete list, named by source and name, exact', () => {
    const from = summary(0, { byNetns: [{ netns: '1', name: 'web', source: 'pod', entries: 10 }] });
    const to = summary(1, {
      byNetns: [
        { netns: '1', name: 'web', source: 'pod', entries: 40_010 },
        { netns: '2', name: 'host', source: 'host', entries: 7 },
      ],
    });
    const rows = compositionGrowth(from, to, 5, ['netns']);
    expect(rows).toEqual([
      { dimension: 'netns', key: '1', label: 'pod web', added: 40_000, upTo: 40_000, exact: true },
      { dimension: 'netns', key: '2', label: 'host', added: 7, upTo: 7, exact: true },
    ]);
    expect(describeGrowth(rows[0] as never)).toBe('pod web +40,000');
  });

  it('caps at the limit, ties broken by the upper bound then the key', () => {
    const from = summary(0, { ports: list({}, 5) });
    const to = summary(1, { ports: list({ 'udp/1': 15, 'udp/2': 20, 'udp/3': 20 }) });
    expect(compositionGrowth(from, to, 2).map((r) => [r.key, r.added, r.upTo])).toEqual([
      ['udp/2', 15, 20],
      ['udp/3', 15, 20],
    ]);
  });
});
