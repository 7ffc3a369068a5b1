import type { AgentInfo, StatsSample } from '@ctscope/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HostRegistry } from '../hosts/registry';
import { SqliteStore } from '../store/sqlite-store';
import { settle } from './fake-clock.testing';
import { NotifyService } from './service';
import type { NotifyEvent } from './types';

const agent: AgentInfo = { hostname: 'gw1.example.net', agentVersion: '0.1.0', kernel: '6.18', source: 'cli' };
const sample = (alerts: StatsSample['alerts']): StatsSample => ({ at: Date.now(), count: 10, max: 100, cpu: [], hooksActive: true, alerts });
const lost = [{ id: 'events-lost:1', name: 'events-lost', severity: 'warning' as const, since: 1, message: 'lost events' }];
const silent = { error: () => undefined, warn: () => undefined };

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup() {
  const store = new SqliteStore(':memory:');
  const registry = new HostRegistry(store);
  const sent: NotifyEvent[] = [];
  const service = new NotifyService({ store, registry, logger: silent, repeatMs: 3_600_000, publicUrl: 'https://ctscope.example.internal', send: async (_d, e) => (sent.push(e), { ok: true }) });
  closers.push(() => service.close(), () => store.close());
  await store.upsertHostToken('gw1', 'gw1.example.net', 'hash-1');
  await store.createDestination({ id: 'dest-0001', name: 'hook', kind: 'webhook', enabled: true, minSeverity: 'warning', hosts: [], url: 'http://127.0.0.1:9/x', secret: {}, createdAt: 0, updatedAt: 0 });
  await service.reload();
  return { store, registry, sent };
}

describe('NotifyService with several dashboard servers', () => {
  it('notifies only for hosts whose agent this server holds; others are sent by the server holding them', async () => {
    const { registry, store, sent } = await setup();
    // The agent is on another server: its samples reach this one too, and are not notified here.
    const now = Date.now();
    registry.remoteConnected({ hostId: 'gw1', connectionId: 'remote-1', connectedAt: now, agent, latest: null, lastSeen: now });
    await settle();
    for (let i = 0; i < 3; i++) registry.remoteSampled('gw1', 'remote-1', sample(lost));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual([]);

    // It reconnects here (a newer connection): now this server notifies, once, with the host's name and link.
    const record = await store.findHost('gw1');
    if (!record) throw new Error('the host is stored');
    registry.connected(record, 'local-1', agent, now + 1_000);
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 3; i++) registry.sampled('gw1', 'local-1', sample(lost));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.map((e) => [e.status, e.host.hostname, e.alert.name, e.hostUrl])).toEqual([['firing', 'gw1.example.net', 'events-lost', 'https://ctscope.example.internal/hosts/gw1']]);
    registry.sampled('gw1', 'local-1', sample([]));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.map((e) => e.status)).toEqual(['firing', 'resolved']);
  });

  it('an agent that moved away and came back: alerts still active are sent again, not taken as already sent', async () => {
    const { registry, store, sent } = await setup();
    const record = await store.findHost('gw1');
    if (!record) throw new Error('the host is stored');
    const now = Date.now();
    registry.connected(record, 'local-1', agent, now);
    await new Promise((r) => setTimeout(r, 50));
    registry.sampled('gw1', 'local-1', sample(lost));
    await new Promise((r) => setTimeout(r, 50));
    // It moves to another server, which sends from now on (this one only hears its samples) ...
    registry.remoteConnected({ hostId: 'gw1', connectionId: 'remote-1', connectedAt: now + 1_000, agent, latest: null, lastSeen: now + 1_000 });
    registry.remoteSampled('gw1', 'remote-1', sample(lost));
    registry.remoteSampled('gw1', 'remote-1', sample([]));
    // ... and comes back here with the alert raised again.
    registry.connected(record, 'local-2', agent, now + 2_000);
    await new Promise((r) => setTimeout(r, 50));
    registry.sampled('gw1', 'local-2', sample(lost));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.map((e) => e.status)).toEqual(['firing', 'firing']);
  });
});
