import { describe, expect, it } from 'vitest';
import { machineLine, markdownTable } from './readme-table';
import { atMost, atSize, compare, figureOf, measured, withGrowth } from './results';

describe('the README bench table', () => {
  it('shows each goal, value, baseline and verdict as a markdown row, escaping pipes', () => {
    const table = markdownTable([compare('dump (a) | vs (b)', 400, 500, 'ms', 0.8), atMost('deep window p95', 70, 'ms', 50), measured('RSS', 180, 'MB')]).split('\n');
    expect(table).toHaveLength(5);
    expect(table[0]).toBe('| benchmark | value | baseline | ratio | growth | goal | |');
    expect(table[2]).toBe('| dump (a) \\| vs (b) | 400 ms | 500 ms | 0.8 |  | ratio <= 0.8 | met |');
    expect(table[3]).toBe('| deep window p95 | 70 ms |  |  |  | <= 50 ms | **not met** |');
    expect(table[4]).toBe('| RSS | 180 MB |  |  |  | reported |  |');
  });

  it('names the machine: cores, memory, kernel, Node', () => {
    expect(machineLine()).toMatch(/^\d+ × .+, \d+ GiB, kernel \S+, Node \d+\.\d+\.\d+; load average [\d.]+ \/ [\d.]+ \/ [\d.]+ at the end$/);
  });
});

describe('figures measured at several table sizes', () => {
  it('knows one figure across sizes, whatever its run ranges and sample counts', () => {
    const small = { name: 'agent window: all over 250000 entries, p95 (worst of 3 runs; range 15.9-21.9 ms)', size: 250_000 };
    const big = { name: 'agent window: all over 1000000 entries, p95 (worst of 1 runs; range 70-70 ms)', size: 1_000_000 };
    expect(figureOf(small)).toBe('agent window: all over N entries, p95');
    expect(figureOf(big)).toBe(figureOf(small));
    expect(figureOf({ name: 'browser: longest task while scrolling, 250000 entries (2 over 50 ms)', size: 250_000 })).toBe(figureOf({ name: 'browser: longest task while scrolling, 1000000 entries (0 over 50 ms)', size: 1_000_000 }));
    expect(figureOf({ name: 'fleet 1000 agents: CPU' })).toBe('fleet 1000 agents: CPU');
  });

  it('gives each larger size its growth against the smallest, and marks growth faster than the entries', () => {
    const rows = withGrowth([
      ...atSize([atMost('q over 250000 entries, p95', 20, 'ms', 50), measured('RSS after loading 250000 entries', 150, 'MB')], 250_000),
      ...atSize([atMost('q over 1000000 entries, p95', 100, 'ms', 50), measured('RSS after loading 1000000 entries', 300, 'MB')], 1_000_000),
      measured('fleet CPU', 10, '%'),
    ]);
    expect(rows.map((r) => r.growth)).toEqual([undefined, undefined, { factor: 5, entries: 4 }, { factor: 2, entries: 4 }, undefined]);
    const table = markdownTable(rows).split('\n');
    expect(table[4]).toContain('| ×5 for ×4 entries (faster than the entries) |');
    expect(table[5]).toContain('| ×2 for ×4 entries |');
  });

  it('grows a figure measured in several runs from their medians, while its value (the worst run) meets the goal', () => {
    const rows = withGrowth(
      atSize([{ ...atMost('q over 250000 entries, p50', 10, 'ms', 50), growthBasis: 9 }], 250_000).concat(atSize([{ ...atMost('q over 1000000 entries, p50', 44, 'ms', 50), growthBasis: 36 }], 1_000_000)),
    );
    expect(rows[1]?.growth).toEqual({ factor: 4, entries: 4 });
    expect(markdownTable(rows).split('\n')[3]).toContain('| 44 ms |  |  | ×4 for ×4 entries (median runs) | <= 50 ms | met |');
  });
});
