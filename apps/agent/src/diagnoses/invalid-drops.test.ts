import { CPU_COUNTER_KEYS, diagnosisSchema, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { InvalidDropsDetector } from './invalid-drops';

function sample(at: number, invalid: number[]): StatsSample {
  const cpu = invalid.map((value, n) => {
    const row = { cpu: n } as CpuStatsRow;
    for (const key of CPU_COUNTER_KEYS) row[key] = 0;
    row.invalid = value;
    return row;
  });
  return { at, count: 10, max: 1_000, cpu, hooksActive: true };
}

describe('INVALID drops', () => {
  it('reports the rate over the last 30 s per CPU, from when it rose, with both fixes; clears when it stops', async () => {
    let latest: StatsSample | null = null;
    let liberal = 0;
    const detector = new InvalidDropsDetector({ latestSample: () => latest, ratePerSecond: 1, beLiberal: () => Promise.resolve(liberal) });
    expect(await detector.evaluate(0)).toEqual([]);
    latest = sample(1_000, [100, 100]);
    expect(await detector.evaluate(1_000)).toEqual([]);
    // 0.5/s: below the threshold.
    latest = sample(11_000, [105, 100]);
    expect(await detector.evaluate(11_000)).toEqual([]);
    latest = sample(21_000, [305, 110]);
    const [found] = await detector.evaluate(21_000);
    expect(diagnosisSchema.parse(found)).toEqual(found);
    const facts = Object.fromEntries(found?.evidence.facts.map((f) => [f.label, f.value]) ?? []);
    expect(facts).toMatchObject({ 'INVALID packets/s (last 20 s)': '10.8', 'INVALID/s on CPU 0': '10.3', 'INVALID/s on CPU 1': '0.5', 'Rising since': new Date(21_000).toISOString() });
    expect(found?.fixes).toEqual([
      expect.objectContaining({ kind: 'sysctl', changes: { 'net.netfilter.nf_conntrack_tcp_be_liberal': 1 } }),
      expect.objectContaining({ kind: 'rule', spec: { kind: 'log-invalid' }, expiresInSeconds: 60 }),
    ]);
    // Still rising: same since; be_liberal already on: only the LOG rule is offered.
    liberal = 1;
    latest = sample(26_000, [405, 110]);
    const [again] = await detector.evaluate(26_000);
    expect(again?.since).toBe(21_000);
    expect(again?.fixes.map((f) => f.kind)).toEqual(['rule']);
    // Then 0.7/s (7 in the 10 s since the last point inside the window): below the threshold but above
    // half of it, so it holds, with the same since.
    latest = sample(47_000, [405, 110]);
    await detector.evaluate(47_000);
    latest = sample(57_000, [412, 110]);
    expect((await detector.evaluate(57_000)).map((d) => d.since)).toEqual([21_000]);
    // Flat for more than the window: gone.
    latest = sample(90_000, [412, 110]);
    await detector.evaluate(90_000);
    latest = sample(91_000, [412, 110]);
    expect(await detector.evaluate(91_000)).toEqual([]);
  });
});
