import { describe, expect, it } from 'vitest';
import type { DestinationRecord } from '../notify/types';
import type { Store } from './types';

const destination = (over: Partial<DestinationRecord>): DestinationRecord => ({
  id: 'dest-0001',
  name: 'Ops webhook',
  kind: 'webhook',
  enabled: true,
  minSeverity: 'warning',
  hosts: [],
  url: 'https://hooks.example.internal/T0/B0/secret',
  secret: {},
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  ...over,
});

/** Notification destinations in every Store (called from storeContract). */
export function notifyStoreContract(fresh: () => Promise<Store>): void {
  describe('notification destinations in the store', () => {
    it('creates, lists by name, updates and deletes, keeping secrets and routing', async () => {
      const store = await fresh();
      const hook = destination({ secret: { hmacSecret: 'a-long-shared-secret' }, hosts: ['gw1', 'node-2'] });
      const am = destination({ id: 'dest-0002', name: 'alertmanager', kind: 'alertmanager', url: 'http://127.0.0.1:9093', minSeverity: 'critical', secret: { auth: { type: 'basic', username: 'u', password: 'p' } } });
      await store.createDestination(hook);
      await store.createDestination(am);
      expect((await store.listDestinations()).map((d) => d.name)).toEqual(['alertmanager', 'Ops webhook']);
      expect(await store.findDestination('dest-0001')).toEqual(hook);
      expect(await store.findDestination('dest-0002')).toEqual(am);

      const edited = { ...hook, enabled: false, url: 'https://other.example.internal/x', secret: {}, updatedAt: hook.updatedAt + 5 };
      expect(await store.updateDestination(edited)).toBe(true);
      expect(await store.findDestination('dest-0001')).toEqual(edited);
      expect(await store.updateDestination(destination({ id: 'dest-none' }))).toBe(false);

      expect(await store.deleteDestination('dest-0001')).toBe(true);
      expect(await store.deleteDestination('dest-0001')).toBe(false);
      expect((await store.listDestinations()).map((d) => d.id)).toEqual(['dest-0002']);
    });
  });
}
