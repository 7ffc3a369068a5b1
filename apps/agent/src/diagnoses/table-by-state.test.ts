import type { Flow } from '@ctscope/conntrack';
import { diagnosisSchema, type StatsSample } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../mirror/flow-table';
import { entry } from '../query/testing/entries';
import { TableByStateDetector } from './table-by-state';

const sample = (count: number, max: number): StatsSample => ({ at: 0, count, max, cpu: [], hooksActive: true });

function tableOf(flows: Flow[]): FlowTable {
  const table = new FlowTable();
  for (const f of flows) table.set(f, 0, true);
  return table;
}

describe('table filled by one state', () => {
  // 6 TIME_WAIT (timeout left 100, 100, 50, 50, 10, 10 of 120: idle 20, 20, 70, 70, 110, 110), 4 ESTABLISHED.
  const flows = [100, 100, 50, 50, 10, 10].map((timeout, i) => entry({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1000 + i, id: i + 1, state: 'TIME_WAIT', timeout }).flow);
  const established = [1, 2, 3, 4].map((i) => entry({ src: '10.0.0.1', dst: '10.0.0.3', sport: 2000 + i, id: 100 + i, state: 'ESTABLISHED', timeout: 400_000 }).flow);
  const table = tableOf([...flows, ...established]);

  it('near full and more than half TIME_WAIT: the time_wait timeout lowered, with the what-if count of idle entries', async () => {
    let count = 10;
    let dumps = 0;
    const detector = new TableByStateDetector({
      table: () => table,
      latestSample: () => sample(count, 12),
      fullRatio: 0.8,
      dump: () => {
        dumps++;
        return Promise.resolve([...flows, ...established]);
      },
      readSysctl: (name) => Promise.resolve(name === 'nf_conntrack_tcp_timeout_time_wait' ? 120 : undefined),
    });
    const [found] = await detector.evaluate(1_000);
    expect(diagnosisSchema.parse(found)).toEqual(found);
    expect(found).toMatchObject({ id: 'table-filled-by-state:TIME_WAIT', severity: 'warning', evidence: { query: 'tcp state:time_wait' } });
    expect(found?.evidence.examples).toHaveLength(5);
    // Proposed 30 s: the four entries idle 70 and 110 s.
    expect(found?.evidence.facts).toContainEqual({ label: 'Entries idle longer than 30 s (freed when the change is applied with "free idle entries")', value: '4' });
    expect(found?.fixes).toEqual([expect.objectContaining({ kind: 'sysctl', changes: { 'net.netfilter.nf_conntrack_tcp_timeout_time_wait': 30 } })]);
    // The what-if is not redone on every pass.
    await detector.evaluate(2_000);
    expect(dumps).toBe(1);
    // Just below the near-full ratio once reported: still there (it clears 10 % lower), then gone.
    count = 9;
    expect((await detector.evaluate(3_000)).map((d) => d.since)).toEqual([1_000]);
    count = 8;
    expect(await detector.evaluate(4_000)).toEqual([]);
    // And a table not yet reported needs the full ratio.
    count = 9;
    expect(await detector.evaluate(5_000)).toEqual([]);
  });

  it('a near-full table that no one state fills is not reported', async () => {
    const mixed = tableOf([...flows.slice(0, 3), ...established]);
    const detector = new TableByStateDetector({ table: () => mixed, latestSample: () => sample(7, 7), fullRatio: 0.8, dump: () => Promise.resolve([]), readSysctl: () => Promise.resolve(120) });
    expect(await detector.evaluate(0)).toEqual([]);
  });

  it('unreplied UDP fills it: the UDP timeout halved when already short', async () => {
    const udp = [1, 2, 3].map((i) => entry({ src: '10.0.0.1', dst: '10.0.0.9', proto: 'udp', sport: 3000 + i, dport: 53, id: 200 + i, assured: false, timeout: 1 }).flow);
    const t = tableOf([...udp, established[0] as Flow]);
    const detector = new TableByStateDetector({ table: () => t, latestSample: () => sample(4, 4), fullRatio: 0.8, dump: () => Promise.resolve(udp), readSysctl: (name) => Promise.resolve(name === 'nf_conntrack_udp_timeout' ? 8 : undefined) });
    const [found] = await detector.evaluate(0);
    expect(found).toMatchObject({ id: 'table-filled-by-state:UNREPLIED', severity: 'critical', evidence: { query: 'unreplied' } });
    expect(found?.fixes).toEqual([expect.objectContaining({ changes: { 'net.netfilter.nf_conntrack_udp_timeout': 4 } })]);
    expect(found?.evidence.facts).toContainEqual(expect.objectContaining({ label: expect.stringContaining('idle longer than 4 s'), value: '3' }));
  });
});
