import type { SysctlHistoryEntry } from '@ctscope/protocol';
import { describe, expect, it } from 'vitest';
import { paramSeries } from './param-history';

const EST = 'net.netfilter.nf_conntrack_tcp_timeout_established';
const UDP = 'net.netfilter.nf_conntrack_udp_timeout';
const entry = (time: string, changes: SysctlHistoryEntry['changes'], result: 'ok' | 'error' = 'ok', user = 'alice'): SysctlHistoryEntry => ({ id: time, time, user, via: 'dashboard', action: 'sysctl.set', result, changes });

describe("a parameter's value over time from its change history", () => {
  // As the agent sends it: newest first.
  const history = [
    entry('2026-01-01T12:00:00Z', [{ name: EST, before: 3600, after: 432000 }], 'ok', 'bob'),
    entry('2026-01-01T11:30:00Z', [{ name: EST, before: 3600, after: 5 }], 'error'),
    entry('2026-01-01T11:00:00Z', [{ name: UDP, before: 30, after: 60 }]),
    entry('2026-01-01T10:00:00Z', [{ name: EST, before: 432000, after: 3600 }, { name: UDP, before: 60, after: 30 }]),
  ];
  const now = Date.parse('2026-01-01T13:00:00Z');

  it('one marked point per successful change, oldest first, between the value before and the value now', () => {
    const series = paramSeries(history, EST, 432000, now);
    expect(series?.changes.map((c) => [c.after, c.user])).toEqual([
      [3600, 'alice'],
      [432000, 'bob'],
    ]);
    expect(series?.data[1]).toEqual([432000, 3600, 432000, 432000]);
    expect(series?.markers).toEqual([1, 2]);
    const times = series?.data[0] ?? [];
    expect(times.slice(1)).toEqual([Date.parse('2026-01-01T10:00:00Z') / 1000, Date.parse('2026-01-01T12:00:00Z') / 1000, now / 1000]);
    expect(times[0]).toBeLessThan(times[1] ?? 0);
  });
  it('ends at the value read now, even when it was changed outside ctscope', () => {
    expect(paramSeries(history, UDP, 45, now)?.data[1]).toEqual([60, 30, 60, 45]);
  });
  it('is null when nothing changed the parameter', () => {
    expect(paramSeries(history, 'net.netfilter.nf_conntrack_acct', 0, now)).toBeNull();
    expect(paramSeries([], EST, 1, now)).toBeNull();
  });
});
