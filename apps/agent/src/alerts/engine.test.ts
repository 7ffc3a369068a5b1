import { CPU_COUNTER_KEYS, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { AlertEngine, type AlertInput } from './engine';
import { parseAlertThresholds } from './thresholds';

const row = (over: Partial<CpuStatsRow> = {}): CpuStatsRow => ({ cpu: 0, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), ...over }) as CpuStatsRow;
const sample = (count: number, over: Partial<CpuStatsRow> = {}, hooksActive = true, max = 1000): StatsSample => ({ at: 0, count, max, cpu: [row(over)], hooksActive });
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

  it('table usage at the exact boundaries: above raises, at-or-above clear keeps', () => {
    const engine = new AlertEngine();
    const usage = (count: number, t: number) => engine.evaluate(input(t, sample(count, {}, true, 10_000))).active.find((a) => a.name === 'table-usage')?.severity ?? null;
    expect(usage(9_000, 1)).toBeNull(); // 90 % is not above 90 %
    expect(usage(9_001, 2)).toBe('warning');
    expect(usage(8_500, 3)).toBe('warning'); // 85 % is not below 85 %
    expect(usage(8_499, 4)).toBeNull();
    expect(usage(9_500, 5)).toBe('warning'); // 95 % is not above 95 %
    expect(usage(9_501, 6)).toBe('critical');
    expect(usage(9_000, 7)).toBe('critical'); // 90 % is not below 90 %
    expect(usage(8_999, 8)).toBe('warning');
  });

  it('keeps the start time when the severity changes, and reports the change as raised', () => {
    const engine = new AlertEngine();
    engine.evaluate(input(1_000, sample(920)));
    const up = engine.evaluate(input(2_000, sample(970)));
    expect(up.raised.map((a) => [a.severity, a.since])).toEqual([['critical', 1_000]]);
    expect(up.cleared).toEqual([]);
    const down = engine.evaluate(input(3_000, sample(880)));
    expect(down.raised.map((a) => [a.severity, a.since, a.id])).toEqual([['warning', 1_000, 'table-usage:3000']]);
    expect(engine.active.map((a) => a.name)).toEqual(['table-usage']);
  });

  it('uses configured thresholds and refuses inverted ones', () => {
    const thresholds = parseAlertThresholds({ usageWarning: { raise: 75, clear: 70 }, usageCritical: { raise: 80, clear: 78 }, quietSeconds: 0 });
    const engine = new AlertEngine(thresholds);
    expect(engine.evaluate(input(1, sample(760))).raised.map((a) => a.severity)).toEqual(['warning']);
    expect(engine.evaluate(input(2, sample(810))).raised.map((a) => a.severity)).toEqual(['critical']);
    expect(() => parseAlertThresholds({ usageWarning: { raise: 80, clear: 85 } })).toThrow(/hysteresis/);
    expect(() => parseAlertThresholds({ usageWarning: { raise: 97, clear: 90 } })).toThrow(/critical/);
    expect(() => parseAlertThresholds({ quietSeconds: -1 })).toThrow();
    expect(parseAlertThresholds(undefined)).toEqual({ usageWarning: { raise: 90, clear: 85 }, usageCritical: { raise: 95, clear: 90 }, quietSeconds: 60 });
  });

  it('sums rising counters over CPUs, says over how long, and treats a drop as a new baseline', () => {
    const engine = new AlertEngine(parseAlertThresholds({ quietSeconds: 0 }));
    const multi = (t: number, a: number, b: number) => input(t, { at: t, count: 1, max: 1000, cpu: [row({ cpu: 0, early_drop: a }), row({ cpu: 1, early_drop: b })], hooksActive: true });
    engine.evaluate(multi(0, 100, 100));
    const rose = engine.evaluate(multi(2_000, 100, 103));
    expect(rose.raised.map((a) => [a.name, a.severity])).toEqual([['early-drop-rising', 'warning']]);
    expect(rose.raised[0]?.message).toContain('rose by 3 in the last 2 s');
    expect(engine.evaluate(multi(3_000, 100, 103)).cleared.map((a) => a.name)).toEqual(['early-drop-rising']);
    expect(engine.evaluate(multi(4_000, 0, 0)).raised).toEqual([]); // counters reset
    expect(engine.evaluate(multi(5_000, 0, 1)).raised.map((a) => a.name)).toEqual(['early-drop-rising']);
  });

  it('a rising alert stays while the counter keeps rising', () => {
    const engine = new AlertEngine();
    let drops = 0;
    const tick = (t: number, more: number) => engine.evaluate(input(t * 1_000, sample(1, { drop: (drops += more) })));
    tick(0, 0);
    expect(tick(1, 5).raised.map((a) => a.name)).toEqual(['drop-rising']);
    for (let t = 2; t < 100; t++) expect(tick(t, t % 30 === 0 ? 1 : 0).cleared).toEqual([]);
    expect(tick(150, 0).cleared.map((a) => a.name)).toEqual(['drop-rising']);
  });

  it('tells a missing module from an unreadable table, and keeps counting lost events meanwhile', () => {
    const engine = new AlertEngine();
    engine.evaluate(input(0, sample(1)));
    const unreadable = engine.evaluate(input(1_000, null, { moduleLoaded: true, overruns: 1 }));
    expect(unreadable.raised.map((a) => a.name).sort()).toEqual(['events-lost', 'table-unreadable']);
    expect(unreadable.raised.find((a) => a.name === 'table-unreadable')?.message).toMatch(/CAP_NET_ADMIN/);
    const missing = engine.evaluate(input(2_000, null, { moduleLoaded: false, overruns: 1 }));
    expect(missing.raised.map((a) => a.name)).toEqual(['module-not-loaded']);
    expect(missing.cleared.map((a) => a.name)).toEqual(['table-unreadable']);
    expect(missing.raised[0]?.message).toMatch(/modprobe nf_conntrack/);
  });
});
