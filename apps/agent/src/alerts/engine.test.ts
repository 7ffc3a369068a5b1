import { CPU_COUNTER_KEYS, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { AlertEngine, type AlertInput } from './engine';
import { TABLE_FULL, kmsgMessage } from './kmsg';

const row = (over: Partial<CpuStatsRow> = {}): CpuStatsRow => ({ cpu: 0, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), ...over }) as CpuStatsRow;
const sample = (count: number, over: Partial<CpuStatsRow> = {}, hooksActive = true): StatsSample => ({ at: 0, count, max: 1000, cpu: [row(over)], hooksActive });
const input = (now: number, s: StatsSample | null, extra: Partial<AlertInput> = {}): AlertInput => ({ now, sample: s, overruns: 0, tableFullLines: 0, ...extra });

describe('alert engine', () => {
  it('table usage: warning above 90 %, kept until below 85 %; critical above 95 %, kept until below 90 %', () => {
    const engine = new AlertEngine();
    const usage = (n: number, t: number) => engine.evaluate(input(t, sample(n))).active.find((a) => a.name === 'table-usage')?.severity ?? null;
    expect([usage(900, 1), usage(901, 2), usage(870, 3), usage(849, 4)]).toEqual([null, 'warning', 'warning', null]);
    expect([usage(951, 5), usage(920, 6), usage(899, 7), usage(860, 8), usage(840, 9)]).toEqual(['critical', 'critical', 'warning', 'warning', null]);
  });

  it('reports raised and cleared transitions once, with a start time and advice', () => {
    const engine = new AlertEngine();
    const first = engine.evaluate(input(1_000, sample(960)));
    expect(first.raised.map((a) => [a.name, a.severity, a.since])).toEqual([['table-usage', 'critical', 1_000]]);
    expect(first.raised[0]?.message).toMatch(/96 % full \(960 of 1,000\).*nf_conntrack_max/);
    expect(engine.evaluate(input(2_000, sample(960))).raised).toEqual([]);
    expect(engine.evaluate(input(3_000, sample(10))).cleared.map((a) => a.name)).toEqual(['table-usage']);
  });

  it('rising counters fire on an increase and clear after a quiet minute', () => {
    const engine = new AlertEngine();
    engine.evaluate(input(0, sample(10, { insert_failed: 5, drop: 1 })));
    const rose = engine.evaluate(input(1_000, sample(10, { insert_failed: 9, drop: 1 })));
    expect(rose.raised.map((a) => a.name)).toEqual(['insert-failed-rising']);
    expect(rose.raised[0]?.message).toContain('rose by 4');
    expect(engine.evaluate(input(30_000, sample(10, { insert_failed: 9, drop: 1 }))).cleared).toEqual([]);
    expect(engine.evaluate(input(62_000, sample(10, { insert_failed: 9, drop: 1 }))).cleared.map((a) => a.name)).toEqual(['insert-failed-rising']);
  });

  it('lost events, kernel table-full lines, inactive hooks and a missing module', () => {
    const engine = new AlertEngine();
    engine.evaluate(input(0, sample(1)));
    const names = engine.evaluate(input(1_000, sample(1, {}, false), { overruns: 2, tableFullLines: 1 })).raised.map((a) => a.name);
    expect(names.sort()).toEqual(['events-lost', 'hooks-inactive', 'kernel-table-full']);
    const gone = engine.evaluate(input(2_000, null));
    expect(gone.raised.map((a) => a.name)).toEqual(['module-not-loaded']);
    expect(engine.evaluate(input(3_000, sample(1))).cleared.map((a) => a.name)).toContain('module-not-loaded');
  });
});

describe('kernel log records', () => {
  it('matches the table-full line in both spellings', () => {
    expect(TABLE_FULL.test(kmsgMessage('4,1234,5678901,-;nf_conntrack: nf_conntrack: table full, dropping packet\n'))).toBe(true);
    expect(TABLE_FULL.test(kmsgMessage('4,1235,5678902,-;nf_conntrack: table full, dropping packet'))).toBe(true);
    expect(TABLE_FULL.test(kmsgMessage('6,1236,5678903,-;eth0: link up\n SUBSYSTEM=net'))).toBe(false);
  });
});
