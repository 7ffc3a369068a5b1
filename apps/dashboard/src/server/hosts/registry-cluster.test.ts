import type { HostSummary, StatsSample } from '@ctscope/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../store/sqlite-store';
import { recordHistory } from './history-recorder';
import { HostRegistry, type HostPresence } from './registry';

const stores: SqliteStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

const agent = { hostname: 'web-1', agentVersion: '0.1.0', kernel: '6.18', source: 'netlink' as const };
const sample = (at: number, count: number): StatsSample => ({ at, count, max: 1000, cpu: [], hooksActive: true });
const presence = (connectionId: string, connectedAt: number): HostPresence => ({ hostId: 'web-1', connectionId, connectedAt, agent, latest: null, lastSeen: connectedAt });

async function setup() {
  const store = new SqliteStore(':memory:');
  stores.push(store);
  await store.upsertHostToken('web-1', 'web-1', 'h'.repeat(64));
  const registry = new HostRegistry(store);
  const changes: HostSummary[] = [];
  const samples: number[] = [];
  const reconnects: string[] = [];
  registry.subscribe({ changed: (h) => changes.push(h), sampled: (_id, s) => samples.push(s.count) });
  registry.onRemoteConnected((hostId) => reconnects.push(hostId));
  const host = async () => (await store.listHosts())[0]!;
  return { store, registry, changes, samples, reconnects, host };
}

describe('hosts held by other dashboard servers', () => {
  it('lists a host another server holds as online, passes its samples on and forgets it when it leaves', async () => {
    const { registry, changes, samples, reconnects } = await setup();
    expect(registry.remoteConnected(presence('b-1', 1000), 1000)).toBeUndefined();
    expect((await registry.list())[0]).toMatchObject({ id: 'web-1', online: true });
    expect(registry.remoteConnection('web-1')).toBe('b-1');
    expect(registry.isLocal('web-1')).toBe(false);
    expect(reconnects).toEqual(['web-1']);

    registry.remoteSampled('web-1', 'b-1', sample(2000, 7), 2000);
    registry.remoteSampled('web-1', 'stale', sample(2001, 99), 2001);
    expect(samples).toEqual([7]);
    expect((await registry.list())[0]?.latest?.count).toBe(7);

    // The periodic announcement of the same connection only refreshes it.
    registry.remoteConnected(presence('b-1', 1000), 3000);
    expect(reconnects).toEqual(['web-1']);
    registry.remoteDisconnected('web-1', 'b-1');
    expect((await registry.list())[0]?.online).toBe(false);
    await vi.waitFor(() => expect(changes.map((c) => c.online)).toEqual([true, false]));
  });

  it('keeps the newer of two connections and tells which local one to close', async () => {
    const { registry, host } = await setup();
    registry.connected(await host(), 'a-1', agent, 5000);
    expect(registry.remoteConnected(presence('b-old', 4000), 6000)).toBeUndefined();
    expect(registry.isLocal('web-1')).toBe(true);
    expect(registry.remoteConnected(presence('b-new', 7000), 7000)).toBe('a-1');
    expect(registry.remoteConnection('web-1')).toBe('b-new');
    // The replaced local connection closing later changes nothing.
    registry.disconnected('web-1', 'a-1', 8000);
    expect((await registry.list())[0]?.online).toBe(true);
  });

  it('takes a host offline when its server falls silent', async () => {
    const { registry } = await setup();
    registry.remoteConnected(presence('b-1', 1000), 1000);
    registry.expireRemote(500);
    expect((await registry.list())[0]?.online).toBe(true);
    registry.expireRemote(1500);
    expect((await registry.list())[0]?.online).toBe(false);
  });

  it('records history only on the server holding the agent', async () => {
    const { store, registry } = await setup();
    const stop = recordHistory(registry, store, { stepMs: 1000, retentionMs: 86_400_000 }, pino({ level: 'silent' }));
    const now = Date.now();
    registry.remoteConnected(presence('b-1', now), now);
    registry.remoteSampled('web-1', 'b-1', sample(now + 1000, 3), now + 1000);
    expect(await store.listHistory('web-1', 0, 10)).toEqual([]);
    stop();
  });
});
