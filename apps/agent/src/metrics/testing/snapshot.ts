import { CPU_COUNTER_KEYS, type CpuStatsRow } from '@ctscope/protocol';
import type { MetricsSnapshot } from '../render';
import { tally } from '../tally';

export const row = (cpu: number, over: Partial<CpuStatsRow>): CpuStatsRow => ({ cpu, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), ...over }) as CpuStatsRow;

const flow = (proto: 'tcp' | 'udp' | 'icmp' | 'unknown', state?: string, protoNum = 0) => ({ flow: state === undefined ? { proto, protoNum } : { proto, protoNum, state } });

/** A fixed snapshot: two CPUs, a resync, an alert, awkward label values. */
export const SNAPSHOT: MetricsSnapshot = {
  info: { hostname: 'h', agentVersion: '0.1.0', kernel: '6.18.44 "x"\\y\nz', source: 'netlink' },
  sample: {
    at: 1_700_000_000_500,
    count: 5,
    max: 262_144,
    buckets: 65_536,
    cpu: [row(0, { found: 10, insert: 7, insert_failed: 2, drop: 1, search_restart: 4 }), row(1, { found: 5, invalid: 3, insert: 1, insert_failed: 3, early_drop: 6, clash_resolve: 1 })],
    hooksActive: true,
  },
  mirror: { entries: 5, resyncs: 2, lastResync: { at: 1_700_000_000_000, reason: 'overrun', durationMs: 250, entries: 5 }, overruns: 4, lostEvents: 1_234, eventless: 3, events: { NEW: 5, UPDATE: 6, DESTROY: 2 }, resyncing: false, lagMs: 0 },
  ...tally([flow('udp'), flow('tcp', 'TIME_WAIT'), flow('tcp', 'ESTABLISHED'), flow('unknown', undefined, 132), flow('tcp', 'ESTABLISHED')]),
  alerts: [
    { id: 'b', name: 'table-usage', severity: 'warning', since: 1, message: 'm' },
    { id: 'a', name: 'drop-rising', severity: 'critical', since: 1, message: 'm' },
  ],
  dashboardConnected: false,
  kernelTableFullLines: 1,
};
