import { describe, expect, it } from 'vitest';
import { entry } from '../query/testing/entries';
import { FlowTable } from './flow-table';

const flow = (id: number, timeout = 100, dport = 443) => entry({ src: '10.0.0.1', dst: '10.0.0.2', dport, id, timeout }).flow;

describe('FlowTable', () => {
  it('merges a dump in place: seen entries refreshed, unseen ones swept, the rest untouched', () => {
    const table = new FlowTable();
    for (let id = 1; id <= 5; id++) table.set(flow(id), 0, false);
    const row = table.findRow(flow(2));
    table.beginMerge();
    table.set(flow(2, 42), 10, false);
    table.set(flow(4), 10, false);
    table.set(flow(9), 10, false);
    expect(table.size).toBe(6); // nothing removed before the sweep: queries during a resync see every entry once
    expect(table.sweep()).toBe(3);
    expect(table.entries().map((e) => e.flow.id).sort()).toEqual([2, 4, 9]);
    const kept = table.find(flow(2));
    expect(kept?.flow.timeout).toBe(42);
    expect(kept?.seenAt).toBe(10);
    expect(row).toBeGreaterThanOrEqual(0);
  });

  it('keeps entries sharing a kernel id apart and finds them after others are removed', () => {
    const table = new FlowTable();
    table.set(flow(7, 100, 80), 0, false);
    table.set(flow(7, 100, 81), 0, false);
    table.set(flow(8), 0, false);
    expect(table.withId(7)).toHaveLength(2);
    expect(table.delete(flow(7, 1, 80))).toBe(true);
    expect(table.delete(flow(7, 1, 80))).toBe(false);
    expect(table.withId(7).map((e) => e.flow.orig.dport)).toEqual([81]);
    expect(table.entries()).toHaveLength(2);
    expect(table.find(flow(8))?.flow.id).toBe(8);
  });

  it('indexes ids above 2^31 (the kernel id is unsigned)', () => {
    const table = new FlowTable();
    table.set(flow(4_000_000_000), 0, false);
    expect(table.withId(4_000_000_000)).toHaveLength(1);
    expect(table.find(flow(4_000_000_000))).toBeDefined();
  });

  it('finds every entry by id while the index grows past its buckets and shrinks back', () => {
    const table = new FlowTable();
    for (let id = 1; id <= 5_000; id++) table.set(flow(id, 100, id % 2 ? 443 : 80), 0, false);
    expect(table.withId(4_321)).toHaveLength(1);
    table.beginMerge();
    for (let id = 4_901; id <= 5_000; id++) table.set(flow(id, 50, id % 2 ? 443 : 80), 1, false);
    expect(table.sweep()).toBe(4_900);
    expect(table.withId(4_321)).toEqual([]);
    for (let id = 4_901; id <= 5_000; id++) expect(table.withId(id).map((e) => e.flow.timeout)).toEqual([50]);
    expect(table.find(flow(4_950, 1, 80))?.seenAt).toBe(1);
  });

  it('drops a field a fresh report lacks', () => {
    const table = new FlowTable();
    table.set(entry({ src: '10.0.0.1', dst: '10.0.0.2', id: 3, state: 'ESTABLISHED' }).flow, 0, false);
    const fresh = flow(3);
    table.set(fresh, 1, false);
    expect(table.size).toBe(1);
    expect(table.find(fresh)?.flow).toEqual(fresh);
  });
});
