import type { NetnsSummary, StatsSample } from '@ctscope/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store';
import { HostRegistry } from './registry';

const stores: SqliteStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

const agent = { hostname: 'node-1', agentVersion: '0.1.0', kernel: '6.18', source: 'netlink' as const };
const netns = (entries: number): NetnsSummary => ({
  at: entries,
  seen: 1,
  truncated: false,
  unreadable: 0,
  cpuMs: 1,
  byNetns: [{ netns: '4026532001', name: 'web', source: 'named', entries }],
  others: { namespaces: 0, entries: 0 },
});
const sample = (at: number, withNetns?: NetnsSummary): StatsSample => ({ at, count: 1, max: 100, cpu: [], hooksActive: true, ...(withNetns && { netns: withNetns }) });

describe('per-namespace counts on a host summary', () => {
  it('the latest sample keeps the last counts until the next pass brings new ones; listeners get samples as sent', async () => {
    const store = new SqliteStore(':memory:');
    stores.push(store);
    await store.upsertHostToken('n1', 'n1', 'n'.repeat(64));
    const registry = new HostRegistry(store);
    const heard: StatsSample[] = [];
    registry.subscribe({ changed: () => undefined, sampled: (_id, s) => heard.push(s) });
    const [host] = await store.listHosts();
    registry.connected(host!, 'c1', agent);
    const latest = async () => (await registry.list()).find((h) => h.id === 'n1')?.latest;

    registry.sampled('n1', 'c1', sample(1));
    expect((await latest())?.netns).toBeUndefined();
    registry.sampled('n1', 'c1', sample(2, netns(5)));
    registry.sampled('n1', 'c1', sample(3));
    expect(await latest()).toMatchObject({ at: 3, netns: netns(5) });
    registry.sampled('n1', 'c1', sample(4, netns(9)));
    registry.sampled('n1', 'c1', sample(5));
    expect(await latest()).toMatchObject({ at: 5, netns: netns(9) });
    expect(heard.map((s) => s.netns?.at ?? null)).toEqual([null, 5, null, 9, null]);
  });
});
