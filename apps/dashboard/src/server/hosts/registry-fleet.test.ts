import type { HostSummary } from '@ctscope/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../store/sqlite-store';
import { HostRegistry } from './registry';

const stores: SqliteStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

const agent = { hostname: 'web-1', agentVersion: '0.1.0', kernel: '6.18', source: 'netlink' as const };

describe('a fleet connecting', () => {
  it('announces each host that comes and goes from its own record, without reading every host each time', async () => {
    const store = new SqliteStore(':memory:');
    stores.push(store);
    for (let i = 0; i < 50; i++) await store.upsertHostToken(`h-${i}`, `h-${i}`, String(i).padStart(64, 'h'));
    const registry = new HostRegistry(store);
    const changes: HostSummary[] = [];
    registry.subscribe({ changed: (h) => changes.push(h), sampled: () => undefined });
    const hosts = await store.listHosts();
    // A thousand agents connecting would otherwise read the whole hosts table a thousand times.
    const listHosts = vi.spyOn(store, 'listHosts');
    for (const host of hosts) registry.connected(host, `c-${host.id}`, { ...agent, hostname: host.id });
    await vi.waitFor(() => expect(changes).toHaveLength(50), { timeout: 10_000 });
    expect(changes.map((h) => h.id).sort()).toEqual(hosts.map((h) => h.id).sort());
    expect(changes.every((h) => h.online)).toBe(true);
    registry.disconnected('h-7', 'c-h-7');
    await vi.waitFor(() => expect(changes).toHaveLength(51), { timeout: 10_000 });
    expect(changes[50]).toMatchObject({ id: 'h-7', online: false });
    expect(listHosts).not.toHaveBeenCalled();
  });
});
