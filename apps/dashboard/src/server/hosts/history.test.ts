import { CPU_COUNTER_KEYS, sumCpuCounters, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store';
import { recordHistory } from './history-recorder';
import { HostRegistry } from './registry';

const stores: SqliteStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

const cpu = (n: number, insert: number): CpuStatsRow => ({ cpu: n, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), insert }) as CpuStatsRow;
const sample = (at: number, count: number): StatsSample => ({ at, count, max: 1000, cpu: [cpu(0, 2), cpu(1, 3)], hooksActive: true });

function setup() {
  const store = new SqliteStore(':memory:');
  stores.push(store);
  store.upsertHostToken('web-1', 'web-1', 'h'.repeat(64));
  const host = store.listHosts()[0];
  if (!host) throw new Error('host not created');
  const registry = new HostRegistry(store);
  registry.connected(host, 'conn-1', { hostname: 'web-1', agentVersion: '0.1.0', kernel: '6.18', source: 'netlink' });
  return { store, registry };
}

describe('stats history in the store', () => {
  it('keeps one point per step with summed counters, oldest first', () => {
    const { store, registry } = setup();
    const stop = recordHistory(registry, store, { stepMs: 10_000, retentionMs: 86_400_000 }, pino({ level: 'silent' }));
    const base = Date.now();
    for (let i = 0; i < 35; i++) registry.sampled('web-1', 'conn-1', sample(base + i * 1000, i), base + i * 1000);
    stop();
    const points = store.listHistory('web-1', 0, 100);
    expect(points.map((p) => p.count)).toEqual([0, 10, 20, 30]);
    expect(points[0]?.totals.insert).toBe(5);
    expect(store.listHistory('web-1', base + 10_000, 100).map((p) => p.count)).toEqual([20, 30]);
  });

  it('prunes points past retention', () => {
    const { store } = setup();
    const totals = sumCpuCounters([]);
    store.appendHistory('web-1', { at: 1_000, count: 1, max: 10, totals });
    store.appendHistory('web-1', { at: 5_000, count: 2, max: 10, totals });
    expect(store.pruneHistory(2_000)).toBe(1);
    expect(store.listHistory('web-1', 0, 10).map((p) => p.count)).toEqual([2]);
  });
});
