import { CPU_COUNTER_KEYS, type CpuStatsRow } from '@ctscope/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { entry } from '../query/testing/entries';
import { renderMetrics, type MetricsSnapshot } from './render';
import { MetricsBindError, startMetricsServer } from './server';
import { tally } from './tally';

const row = (cpu: number, over: Partial<CpuStatsRow>): CpuStatsRow => ({ cpu, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), ...over }) as CpuStatsRow;
const entries = [
  entry({ src: '10.0.0.1', dst: '10.0.0.2', id: 1, state: 'ESTABLISHED' }),
  entry({ src: '10.0.0.1', dst: '10.0.0.3', id: 2, state: 'TIME_WAIT' }),
  entry({ src: '10.0.0.1', dst: '10.0.0.4', id: 3, proto: 'udp' }),
];
const snapshot: MetricsSnapshot = {
  info: { hostname: 'h', agentVersion: '0.1.0', kernel: '6.18 "x"', source: 'netlink' },
  sample: { at: 1, count: 3, max: 262144, cpu: [row(0, { insert_failed: 2, drop: 1 }), row(1, { insert_failed: 3 })], hooksActive: true, buckets: 65536 },
  mirror: { entries: 3, resyncs: 1, lastResync: null, overruns: 4, events: { NEW: 5, UPDATE: 6, DESTROY: 2 }, resyncing: false, lagMs: 0 },
  ...tally(entries),
  alerts: [{ id: 'a', name: 'table-usage', severity: 'warning', since: 1, message: 'm' }],
  dashboardConnected: false,
};

/** A minimal exposition parser: `name{labels} value` → value by series. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

describe('/metrics rendering', () => {
  const text = renderMetrics(snapshot);
  const series = parse(text);
  it('uses node_exporter names for what it has', () => {
    expect(series.get('node_nf_conntrack_entries')).toBe(3);
    expect(series.get('node_nf_conntrack_entries_limit')).toBe(262144);
    expect(series.get('node_nf_conntrack_stat_insert_failed')).toBe(5);
    expect(series.get('node_nf_conntrack_stat_drop')).toBe(1);
  });
  it('adds ctscope_* series with escaped labels', () => {
    expect(series.get('ctscope_entries_by_state{protocol="tcp",state="ESTABLISHED"}')).toBe(1);
    expect(series.get('ctscope_entries_by_protocol{protocol="udp"}')).toBe(1);
    expect(series.get('ctscope_events_total{type="NEW"}')).toBe(5);
    expect(series.get('ctscope_event_overruns_total')).toBe(4);
    expect(series.get('ctscope_alerts_active{name="table-usage",severity="warning"}')).toBe(1);
    expect(series.get('ctscope_agent_info{version="0.1.0",kernel="6.18 \\"x\\"",source="netlink"}')).toBe(1);
  });
  it('declares HELP and TYPE once per metric', () => {
    expect(text.match(/^# TYPE node_nf_conntrack_entries gauge$/gm)).toHaveLength(1);
    expect(text.match(/^# TYPE ctscope_events_total counter$/gm)).toHaveLength(1);
  });
});

describe('metrics server', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));
  const logger = pino({ level: 'silent' });

  it('serves /metrics and /healthz on loopback; 404 and 405 otherwise', async () => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, allowRemote: false, snapshot: () => snapshot, health: () => ({ ok: true, entries: 3 }), logger });
    servers.push(server);
    const port = (server.address() as { port: number }).port;
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('version=0.0.4');
    expect(parse(await metrics.text()).get('node_nf_conntrack_entries')).toBe(3);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true, entries: 3 });
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a non-loopback address unless allowed', async () => {
    await expect(startMetricsServer({ host: '0.0.0.0', port: 0, allowRemote: false, snapshot: () => snapshot, health: () => ({ ok: true }), logger })).rejects.toThrow(MetricsBindError);
  });
});
