import type { ViewState } from '@ctscope/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store';
import type { ViewRecord } from './types';

const stores: SqliteStore[] = [];
const memoryStore = () => {
  const store = new SqliteStore(':memory:');
  stores.push(store);
  return store;
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const state: ViewState = { page: 'connections', hostId: 'gw1', query: 'dport 443', columns: ['proto', 'src'], sort: { column: 'bytes', desc: true }, range: null, eventTypes: null };
const view = (over: Partial<ViewRecord>): ViewRecord => ({ id: 'view-00001', ownerId: 1, ownerName: 'admin', name: 'HTTPS', shared: false, state, createdAt: 1, updatedAt: 1, ...over });

describe('users in the store', () => {
  it('lists, changes roles and passwords, counts admins', () => {
    const store = memoryStore();
    const a = store.createUser('admin', 'h1', 'admin');
    const b = store.createUser('bob', 'h2', 'viewer');
    expect(store.listUsers().map((u) => [u.username, u.role])).toEqual([['admin', 'admin'], ['bob', 'viewer']]);
    expect(store.countAdmins()).toBe(1);
    expect(store.updateUserRole(b.id, 'admin')).toBe(true);
    expect(store.countAdmins()).toBe(2);
    expect(store.updateUserPassword(a.id, 'h3')).toBe(true);
    expect(store.findUserById(a.id)?.passwordHash).toBe('h3');
    expect(store.updateUserRole(999, 'viewer')).toBe(false);
  });

  it('ends sessions of a user except the kept one, and with the user', () => {
    const store = memoryStore();
    const u = store.createUser('op', 'h', 'operator');
    store.createSession({ tokenHash: 'a', userId: u.id, expiresAt: 10 });
    store.createSession({ tokenHash: 'b', userId: u.id, expiresAt: 10 });
    expect(store.deleteUserSessions(u.id, 'a')).toBe(1);
    expect(store.findSession('a', 0)).toBeDefined();
    expect(store.deleteUser(u.id)).toBe(true);
    expect(store.findSession('a', 0)).toBeUndefined();
    expect(store.deleteUser(u.id)).toBe(false);
  });

  it('deletes a user’s private views and keeps their shared ones without an owner', () => {
    const store = memoryStore();
    const u = store.createUser('op', 'h', 'operator');
    store.createView(view({ id: 'private-01', ownerId: u.id, ownerName: 'op' }));
    store.createView(view({ id: 'shared-001', ownerId: u.id, ownerName: 'op', shared: true }));
    store.deleteUser(u.id);
    expect(store.findView('private-01')).toBeUndefined();
    expect(store.findView('shared-001')).toMatchObject({ ownerId: null, ownerName: 'op', shared: true });
  });
});

describe('hosts in the store', () => {
  it('adds a host once, revokes its token and issues a new one', () => {
    const store = memoryStore();
    expect(store.createHost('gw1', 'gw1.example', 'hash1', 100)).toBe(true);
    expect(store.createHost('gw1', 'other', 'hash2', 200)).toBe(false);
    expect(store.findHostByTokenHash('hash1')?.id).toBe('gw1');
    expect(store.findHostEnrollment('gw1')).toEqual({ id: 'gw1', hostname: 'gw1.example', createdAt: 100, tokenIssuedAt: 100, revokedAt: null });

    expect(store.revokeHost('gw1', 300)).toBe(true);
    expect(store.findHostByTokenHash('hash1')).toBeUndefined();
    expect(store.findHostByTokenHash('revoked:gw1')).toBeUndefined();
    expect(store.findHostEnrollment('gw1')?.revokedAt).toBe(300);
    // The local agent's bootstrap re-issuing its token does not lift a revocation.
    store.upsertHostToken('gw1', 'gw1.example', 'hash3');
    expect(store.findHostByTokenHash('hash3')).toBeUndefined();

    expect(store.replaceHostToken('gw1', 'hash4', 400)).toBe(true);
    expect(store.findHostByTokenHash('hash4')?.id).toBe('gw1');
    expect(store.findHostEnrollment('gw1')).toMatchObject({ tokenIssuedAt: 400, revokedAt: null });
    expect(store.revokeHost('nope', 1)).toBe(false);
    expect(store.listHostEnrollments().map((h) => h.id)).toEqual(['gw1']);
  });
});

describe('views in the store', () => {
  it('lists own and shared views by name, updates and deletes', () => {
    const store = memoryStore();
    const a = store.createUser('a', 'h', 'admin');
    const b = store.createUser('b', 'h', 'viewer');
    store.createView(view({ id: 'a-private', ownerId: a.id, name: 'zeta' }));
    store.createView(view({ id: 'a-shared1', ownerId: a.id, name: 'Alpha', shared: true }));
    store.createView(view({ id: 'b-private', ownerId: b.id, ownerName: 'b', name: 'mine' }));
    expect(store.listViewsFor(b.id).map((v) => v.id)).toEqual(['a-shared1', 'b-private']);
    expect(store.listViewsFor(a.id).map((v) => v.id)).toEqual(['a-shared1', 'a-private']);
    expect(store.findView('a-private')?.state).toEqual(state);
    expect(store.updateView('a-private', { name: 'renamed', shared: true }, 50)).toMatchObject({ name: 'renamed', shared: true, updatedAt: 50 });
    expect(store.updateView('a-private', { shared: false }, 60)).toMatchObject({ name: 'renamed', shared: false });
    expect(store.deleteView('a-private')).toBe(true);
    expect(store.deleteView('a-private')).toBe(false);
  });
});

describe('audit queries', () => {
  it('filters, pages newest first and counts', () => {
    const store = memoryStore();
    for (let i = 0; i < 30; i++) {
      store.appendAudit({ at: 1000 + i, actor: i % 2 ? 'alice' : 'bob', action: i % 3 ? 'conntrack.delete' : 'user.create', target: i % 5 ? 'gw1' : 'gw2', detail: { i }, result: i === 7 ? 'error' : 'ok' });
    }
    const all = store.queryAudit({}, 0, 10);
    expect(all.total).toBe(30);
    expect(all.rows.map((r) => r.at)).toEqual([1029, 1028, 1027, 1026, 1025, 1024, 1023, 1022, 1021, 1020]);
    expect(store.queryAudit({}, 25, 10).rows).toHaveLength(5);
    const alice = store.queryAudit({ actor: 'alice', target: 'gw1', result: 'ok' }, 0, 100);
    expect(alice.rows.every((r) => r.actor === 'alice' && r.target === 'gw1' && r.result === 'ok')).toBe(true);
    expect(alice.total).toBe(alice.rows.length);
    expect(store.queryAudit({ from: 1010, to: 1012 }, 0, 100).rows.map((r) => r.at)).toEqual([1012, 1011, 1010]);
    expect(store.queryAudit({ result: 'error' }, 0, 10).rows).toEqual([{ id: 8, at: 1007, actor: 'alice', action: 'conntrack.delete', target: 'gw1', detail: { i: 7 }, result: 'error' }]);
    expect(store.auditFacets()).toEqual({ actors: ['alice', 'bob'], targets: ['gw1', 'gw2'], actions: ['conntrack.delete', 'user.create'] });
    // Filter values are bound, never spliced into SQL.
    expect(store.queryAudit({ actor: "x' OR '1'='1" }, 0, 10).total).toBe(0);
  });
});
