import type { FlowFilter } from '@ctscope/conntrack';
import { describe, expect, it } from 'vitest';
import { compileQuery } from './compile-query';
import { entry, tableOf } from './testing/entries';
import { queryWindow, smallest } from './window';
import { compareAddresses } from './sort-keys';

const entries = [
  entry({ src: '10.0.0.9', dst: '10.0.1.1', dport: 443, id: 5, state: 'ESTABLISHED', timeout: 50, packets: 7 }),
  entry({ src: '10.0.0.10', dst: '10.0.1.1', dport: 80, id: 3, state: 'TIME_WAIT', timeout: 10 }),
  entry({ src: '9.255.255.255', dst: '10.0.1.2', dport: 53, proto: 'udp', id: 9, assured: false }),
  entry({ src: 'fd00::2', dst: 'fd00::1', dport: 443, id: 1, state: 'ESTABLISHED', timeout: 30, packets: 2 }),
  entry({ src: 'fd00::1:0', dst: 'fd00::1', dport: 443, id: 2, state: 'SYN_SENT', timeout: 80 }),
];
const all: FlowFilter = {};
const window = (column: Parameters<typeof queryWindow>[0]['spec']['sort']['column'], desc = false, offset = 0, limit = 10, filter = all) =>
  queryWindow({ table: tableOf(entries), filter, spec: { sort: { column, desc }, offset, limit }, now: 0 });

describe('queryWindow', () => {
  it('sorts addresses numerically, IPv4 before IPv6', () => {
    expect(window('src').rows.map((r) => r.orig.src)).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', 'fd00::2', 'fd00::1:0']);
    expect(window('src', true).rows.map((r) => r.orig.src)).toEqual(['fd00::1:0', 'fd00::2', '10.0.0.10', '10.0.0.9', '9.255.255.255']);
  });

  it('puts missing values last in both directions', () => {
    expect(window('packets').rows.map((r) => r.id)).toEqual([1, 5, 2, 3, 9]);
    expect(window('packets', true).rows.map((r) => r.id)).toEqual([5, 1, 2, 3, 9]);
  });

  it('counts every match and returns only the window', () => {
    const result = window('id', false, 1, 2);
    expect(result.total).toBe(5);
    expect(result.rows.map((r) => r.id)).toEqual([2, 3]);
    const query = compileQuery('tcp dport:443');
    if (!query.ok) throw new Error(query.message);
    const filtered = window('timeout', true, 0, 10, query.filter);
    expect(filtered.total).toBe(3);
    expect(filtered.rows.map((r) => r.timeout)).toEqual([80, 50, 30]);
  });

  it('counts the timeout down from when the kernel reported it', () => {
    const result = queryWindow({ table: tableOf(entries), filter: all, spec: { sort: { column: 'id', desc: false }, offset: 0, limit: 1 }, now: 12_500 });
    expect(result.rows[0]?.timeout).toBe(18);
  });

  it('a window past the end is empty but still counts', () => {
    const result = window('id', false, 10, 5);
    expect(result.rows).toEqual([]);
    expect(result.total).toBe(5);
  });

  it('heap selection agrees with a full sort', () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1009);
    const compare = (a: number, b: number) => (values[a] as number) - (values[b] as number) || a - b;
    const expected = values.map((_, i) => i).sort(compare).slice(0, 37);
    expect(Array.from(smallest(values.length, 37, compare))).toEqual(expected);
  });

  it('deep windows agree with the heap path, ties and missing values included', () => {
    const many = Array.from({ length: 9_000 }, (_, i) =>
      entry({ src: `10.0.${(i * 37) % 256}.${i % 200}`, dst: '10.9.0.1', dport: (i * 7919) % 50, id: i + 1, ...(i % 5 === 0 ? {} : { packets: (i * 31) % 97 }) }),
    );
    const manyTable = tableOf(many);
    for (const [column, desc] of [['dport', false], ['packets', true], ['packets', false], ['src', true], ['proto', false]] as const) {
      for (const offset of [0, 4_321, 8_950]) {
        const spec = { sort: { column, desc }, offset, limit: 300 };
        const deep = queryWindow({ table: manyTable, filter: all, spec, now: 0, heapLimit: 0 });
        const heap = queryWindow({ table: manyTable, filter: all, spec, now: 0, heapLimit: Infinity });
        expect(deep.rows.map((r) => r.id)).toEqual(heap.rows.map((r) => r.id));
        expect(deep.rows).toHaveLength(Math.min(300, 9_000 - offset));
      }
    }
  });

  it('deep windows over a few widely shared keys agree with the heap path (repeated ids, IPv6 ties)', () => {
    const many = Array.from({ length: 12_000 }, (_, i) =>
      entry({
        src: i % 4 === 0 ? `fd00::${(i * 13) % 97}:1` : `10.1.${i % 3}.1`,
        dst: '10.9.0.1',
        dport: i % 3,
        proto: i % 5 === 0 ? 'udp' : 'tcp',
        timeout: 100 + (i % 4),
        id: (i * 7_919) % 5_000,
        sport: i,
        ...(i % 7 === 0 ? {} : { state: (['ESTABLISHED', 'TIME_WAIT', 'SYN_SENT'] as const)[i % 3] }),
      }),
    );
    const manyTable = tableOf(many);
    for (const [column, desc] of [['dport', false], ['dport', true], ['proto', false], ['proto', true], ['state', false], ['state', true], ['timeout', true], ['src', false], ['src', true]] as const) {
      for (const offset of [0, 3_999, 7_950, 11_900]) {
        const spec = { sort: { column, desc }, offset, limit: 100 };
        const deep = queryWindow({ table: manyTable, filter: all, spec, now: 0, heapLimit: 0 });
        const heap = queryWindow({ table: manyTable, filter: all, spec, now: 0, heapLimit: Infinity });
        expect(deep.rows.map((r) => r.key)).toEqual(heap.rows.map((r) => r.key));
        expect(deep.rows).toHaveLength(100);
      }
    }
  }, 30_000); // 12,000 entries × 24 windows: seconds on a busy shared machine

  it('windows sorted by a one-byte column agree with the heap path, filtered, and when every id is the same', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      entry({
        src: `10.2.${i % 250}.1`,
        dst: '10.9.0.1',
        dport: i % 11,
        proto: i % 3 === 0 ? 'udp' : 'tcp',
        id: i < 5_000 ? 42 : 3_000_000_000 + ((i * 7_919) % 100_003),
        sport: i,
        ...(i % 3 === 0 ? {} : { state: (['ESTABLISHED', 'CLOSE', 'SYN_RECV', 'TIME_WAIT'] as const)[i % 4] }),
      }),
    );
    const manyTable = tableOf(many);
    const filtered = compileQuery('dport:0-5');
    if (!filtered.ok) throw new Error(filtered.message);
    for (const filter of [all, filtered.filter]) {
      for (const [column, desc] of [['proto', false], ['proto', true], ['state', false], ['state', true]] as const) {
        for (const offset of [0, 2_450, 4_990, 6_001, 9_990]) {
          const spec = { sort: { column, desc }, offset, limit: 120 };
          const deep = queryWindow({ table: manyTable, filter, spec, now: 0, heapLimit: 0 });
          const heap = queryWindow({ table: manyTable, filter, spec, now: 0, heapLimit: Infinity });
          expect({ column, desc, offset, keys: deep.rows.map((r) => r.key) }).toEqual({ column, desc, offset, keys: heap.rows.map((r) => r.key) });
          expect(deep.total).toBe(heap.total);
        }
      }
    }
  }, 30_000);

  it('breaks IPv6 ties beyond the first 48 bits', () => {
    expect(compareAddresses('fd00::1', 'fd00::2')).toBeLessThan(0);
    expect(compareAddresses('fd00::1:0', 'fd00::2')).toBeGreaterThan(0);
    expect(compareAddresses('10.0.0.1', '10.0.0.1')).toBe(0);
  });
});

describe('compileQuery', () => {
  it('accepts the query syntax and pasted conntrack arguments with the same meaning', () => {
    const a = compileQuery('tcp dport:443');
    const b = compileQuery('conntrack -L -p tcp --dport 443');
    expect(a.ok && b.ok && a.filter).toEqual(b.ok && b.filter);
  });
  it('points at the wrong token', () => {
    const bad = compileQuery('tcp dport:http');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/dport:http|http/);
  });
});
