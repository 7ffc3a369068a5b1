import { makeFlow } from '@ctscope/conntrack/testing';
import { describe, expect, it } from 'vitest';
import { CounterWindow } from './counter-window';
import { DnsTally } from './dns-tally';

const query = (dst: string, sport: number) => makeFlow({ protoNum: 17, orig: { src: '10.0.0.1', dst, sport, dport: 53 }, status: ['CONFIRMED'] });

describe('DnsTally', () => {
  it('counts only NEW UDP entries to port 53, keeps 256 resolvers per period and counts the rest as other', () => {
    const tally = new DnsTally(60_000, 0);
    for (let i = 0; i < 300; i++) {
      const flow = query(`10.1.${i >> 8}.${i & 255}`, 1000 + i);
      tally.record({ type: 'NEW', flow }, { flow, seenAt: 0 });
      tally.record({ type: 'UPDATE', flow }, { flow, seenAt: 0 });
    }
    const other = makeFlow({ protoNum: 17, orig: { src: '10.0.0.1', dst: '10.9.9.9', sport: 5, dport: 5353 } });
    tally.record({ type: 'NEW', flow: other }, { flow: other, seenAt: 0 });
    expect(tally.total).toBe(300);
    const { top, other: rest } = tally.resolvers(3);
    expect(top.map((r) => r.count)).toEqual([1, 1, 1]);
    expect(rest).toBe(297);
    expect(tally.recentExamples().map((e) => e.flow.orig.sport)).toEqual([1295, 1296, 1297, 1298, 1299]);
  });

  it('forgets resolvers after two periods', () => {
    const tally = new DnsTally(10_000, 0);
    const flow = query('10.96.0.10', 1);
    tally.record({ type: 'NEW', flow }, { flow, seenAt: 0 });
    tally.rotate(10_000);
    expect(tally.resolvers(3).top).toEqual([{ address: '10.96.0.10', count: 1, dnatTo: [] }]);
    tally.rotate(20_000);
    expect(tally.resolvers(3).top).toEqual([]);
    expect(tally.total).toBe(1);
  });
});

describe('CounterWindow', () => {
  const point = (at: number, insertFailed: number, dnsNew = 0) => ({ at, cpu: new Map([[0, { insert_failed: insertFailed, drop: insertFailed, clash_resolve: 0 }]]), dnsNew, usage: 0.1 });

  it('rates over the window from the last point at or before its start; a counter that went back counts as 0', () => {
    const w = new CounterWindow(10_000);
    for (let t = 0; t <= 20; t++) w.add(point(t * 1000, t * 2, t * 10));
    expect(w.rates()).toMatchObject({ seconds: 10, total: { insert_failed: 20 }, dnsNewPerSecond: 10 });
    w.add(point(21_000, 0));
    expect(w.rates()?.total.insert_failed).toBe(0);
  });

  it('ignores points that do not move forward and keeps at most maxPoints', () => {
    const w = new CounterWindow(1_000_000, 4);
    for (let t = 0; t < 10; t++) w.add(point(t * 1000, t));
    w.add(point(5_000, 100));
    expect(w.rates()).toMatchObject({ seconds: 3, total: { insert_failed: 3 } });
  });
});
