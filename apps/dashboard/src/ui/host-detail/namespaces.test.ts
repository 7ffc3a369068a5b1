import type { NetnsSummary } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { namespaceView, TOP_NAMESPACES } from './namespaces';

const summary = (entries: number[], others = { namespaces: 0, entries: 0 }): NetnsSummary => ({
  at: 0,
  seen: entries.length + others.namespaces,
  truncated: false,
  unreadable: 0,
  cpuMs: 1,
  byNetns: entries.map((n, i) => ({ netns: String(4026532000 + i), name: `ns${i}`, source: 'named' as const, entries: n })),
  others,
});

describe('namespaceView', () => {
  it('most entries first, the top ten until "show all"; the total counts every namespace, summed ones too', () => {
    const s = summary([5, 900, 12, 0, 40, 7, 8, 9, 10, 11, 300, 2], { namespaces: 3, entries: 4 });
    const top = namespaceView(s, false);
    expect(top.rows.map((r) => r.entries)).toEqual([900, 300, 40, 12, 11, 10, 9, 8, 7, 5]);
    expect(top.rows).toHaveLength(TOP_NAMESPACES);
    expect(top).toMatchObject({ total: 1304 + 4, counted: 15, hidden: 2 });
    const all = namespaceView(s, true);
    expect(all.rows.map((r) => r.entries).slice(-2)).toEqual([2, 0]);
    expect(all.hidden).toBe(0);
  });

  it('a few namespaces: nothing hidden', () => {
    expect(namespaceView(summary([3, 1]), false)).toMatchObject({ total: 4, counted: 2, hidden: 0 });
  });
});
