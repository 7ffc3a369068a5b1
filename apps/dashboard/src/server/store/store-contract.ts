import { CPU_COUNTER_KEYS, sumCpuCounters, type CpuStatsRow, type StatsSample, type ViewState } from '@ctscope/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, Sessions, sha256 } from '../auth/sessions';
import { recordHistory } from '../hosts/history-recorder';
import { HostRegistry } from '../hosts/registry';
import { notifyStoreContract } from './notify-contract';
import type { ApiTokenRecord, Store, ViewRecord } from './types';

const state: ViewState = { page: 'connections', hostId: 'gw1', query: 'dport 443', columns: ['proto', 'src'], sort: { column: 'bytes', desc: true }, range: null, eventTypes: null };
const view = (over: Partial<ViewRecord>): ViewRecord => ({ id: 'view-00001', ownerId: 1, ownerName: 'admin', name: 'HTTPS', shared: false, state, createdAt: 1, updatedAt: 1, ...over });

const cpu = (n: number, insert: number): CpuStatsRow => ({ cpu: n, ...Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])), insert }) as CpuStatsRow;
const sample = (at: number, count: number): StatsSample => ({ at, count, max: 1000, cpu: [cpu(0, 2), cpu(1, 3)], hooksActive: true });

/** Waits until `check` passes (history points are stored in the background). */
async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * What every Store must do, whatever database is under it. `open` returns a fresh, empty, migrated
 * store for each test; it is closed after the test.
 */
export function storeContract(open: () => Promise<Store>): void {
  const stores: Store[] = [];
  const fresh = async () => {
    const store = await open();
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  notifyStoreContract(fresh);

  describe('users in the store', () => {
    it('lists, changes roles and passwords, counts admins', async () => {
      const store = await fresh();
      const a = await store.createUser('admin', 'h1', 'admin');
      const b = await store.createUser('bob', 'h2', 'viewer');
      expect(await store.countUsers()).toBe(2);
      expect((await store.listUsers()).map((u) => [u.username, u.role])).toEqual([['admin', 'admin'], ['bob', 'viewer']]);
      expect(await store.countAdmins()).toBe(1);
      expect(await store.updateUserRole(b.id, 'admin')).toBe(true);
      expect(await store.countAdmins()).toBe(2);
      expect(await store.updateUserPassword(a.id, 'h3')).toBe(true);
      expect((await store.findUserById(a.id))?.passwordHash).toBe('h3');
      expect(await store.findUserByName('bob')).toEqual({ id: b.id, username: 'bob', passwordHash: 'h2', role: 'admin' });
      expect(await store.updateUserRole(999, 'viewer')).toBe(false);
      await expect(store.createUser('bob', 'h4', 'viewer')).rejects.toThrow();
    });

    it('finds SSO users by issuer and subject, never by a local namesake', async () => {
      const store = await fresh();
      const local = await store.createUser('ann', 'h', 'viewer');
      const sso = await store.createOidcUser('ann-sso', '!sso', 'operator', { issuer: 'https://idp.example', subject: 'sub-1' });
      expect(await store.findUserByOidc({ issuer: 'https://idp.example', subject: 'sub-1' })).toEqual({ id: sso.id, username: 'ann-sso', passwordHash: '!sso', role: 'operator', ssoIssuer: 'https://idp.example' });
      expect(await store.findUserByOidc({ issuer: 'https://other.example', subject: 'sub-1' })).toBeUndefined();
      expect(await store.findUserByOidc({ issuer: 'https://idp.example', subject: 'ann' })).toBeUndefined();
      expect(await store.findUserById(local.id)).toEqual({ id: local.id, username: 'ann', passwordHash: 'h', role: 'viewer' });
      expect((await store.listUsers()).map((u) => [u.username, u.ssoIssuer])).toEqual([['ann', undefined], ['ann-sso', 'https://idp.example']]);
      await expect(store.createOidcUser('ann-2', '!sso', 'viewer', { issuer: 'https://idp.example', subject: 'sub-1' })).rejects.toThrow();
    });

    it('ends sessions of a user except the kept one, and with the user', async () => {
      const store = await fresh();
      const u = await store.createUser('op', 'h', 'operator');
      await store.createSession({ tokenHash: 'a', userId: u.id, expiresAt: 10 });
      await store.createSession({ tokenHash: 'b', userId: u.id, expiresAt: 10 });
      expect(await store.deleteUserSessions(u.id, 'a')).toBe(1);
      expect(await store.findSession('a', 0)).toBeDefined();
      expect(await store.deleteUser(u.id)).toBe(true);
      expect(await store.findSession('a', 0)).toBeUndefined();
      expect(await store.deleteUser(u.id)).toBe(false);
    });

    it('deletes a user’s private views and keeps their shared ones without an owner', async () => {
      const store = await fresh();
      const u = await store.createUser('op', 'h', 'operator');
      await store.createView(view({ id: 'private-01', ownerId: u.id, ownerName: 'op' }));
      await store.createView(view({ id: 'shared-001', ownerId: u.id, ownerName: 'op', shared: true }));
      await store.deleteUser(u.id);
      expect(await store.findView('private-01')).toBeUndefined();
      expect(await store.findView('shared-001')).toMatchObject({ ownerId: null, ownerName: 'op', shared: true });
    });
  });

  describe('sessions in the store', () => {
    it('stores only the token hash and expires sessions', async () => {
      const store = await fresh();
      const user = await store.createUser('op', 'hash', 'operator');
      const sessions = new Sessions(store, { ttlMs: 1000, secureCookies: true });
      // Millisecond timestamps beyond 32 bits must survive (PostgreSQL keeps them in BIGINT).
      const now = Date.UTC(2030, 0, 1);
      const { token, cookie } = await sessions.create(user.id, now);
      expect(cookie).toContain('Secure');
      expect(await store.findSession(token, now + 500)).toBeUndefined();
      expect(await store.findSession(sha256(token), now + 500)).toEqual({ tokenHash: sha256(token), userId: user.id, expiresAt: now + 1000 });
      // Over HTTPS only the __Host- cookie counts: one without the prefix may have been set over plain HTTP or by another host.
      expect(sessions.cookieName).toBe(SECURE_SESSION_COOKIE);
      const header = `${SECURE_SESSION_COOKIE}=${token}`;
      expect(await sessions.userFromCookieHeader(header, now + 500)).toEqual({ id: user.id, username: 'op', role: 'operator' });
      expect(await sessions.userFromCookieHeader(`${SESSION_COOKIE}=${token}`, now + 500)).toBeNull();
      expect(await sessions.userFromCookieHeader(header, now + 1001)).toBeNull();
      expect(await sessions.userFromCookieHeader(`${SECURE_SESSION_COOKIE}=forged`, now + 500)).toBeNull();
      expect(await store.deleteExpiredSessions(now + 10_000)).toBe(1);
      expect(await sessions.destroyFromCookieHeader(header)).toContain('Max-Age=0');
    });
  });

  describe('hosts in the store', () => {
    it('adds a host once, revokes its token and issues a new one', async () => {
      const store = await fresh();
      expect(await store.createHost('gw1', 'gw1.example', 'hash1', 100)).toBe(true);
      expect(await store.createHost('gw1', 'other', 'hash2', 200)).toBe(false);
      expect((await store.findHostByTokenHash('hash1'))?.id).toBe('gw1');
      expect(await store.findHostEnrollment('gw1')).toEqual({ id: 'gw1', hostname: 'gw1.example', createdAt: 100, tokenIssuedAt: 100, revokedAt: null });

      expect(await store.revokeHost('gw1', 300)).toBe(true);
      expect(await store.findHostByTokenHash('hash1')).toBeUndefined();
      expect(await store.findHostByTokenHash('revoked:gw1')).toBeUndefined();
      expect((await store.findHostEnrollment('gw1'))?.revokedAt).toBe(300);
      // The local agent's bootstrap re-issuing its token does not lift a revocation.
      await store.upsertHostToken('gw1', 'gw1.example', 'hash3');
      expect(await store.findHostByTokenHash('hash3')).toBeUndefined();

      expect(await store.replaceHostToken('gw1', 'hash4', 400)).toBe(true);
      expect((await store.findHostByTokenHash('hash4'))?.id).toBe('gw1');
      expect(await store.findHostEnrollment('gw1')).toMatchObject({ tokenIssuedAt: 400, revokedAt: null });
      expect(await store.revokeHost('nope', 1)).toBe(false);
      expect((await store.listHostEnrollments()).map((h) => h.id)).toEqual(['gw1']);
    });

    it('records what was seen of a host', async () => {
      const store = await fresh();
      await store.upsertHostToken('web-1', 'web-1', 'h'.repeat(64));
      const agent = { hostname: 'web-1.example', agentVersion: '0.1.0', kernel: '6.18', source: 'netlink' as const };
      await store.recordHostSeen('web-1', Date.UTC(2030, 0, 1), agent, null);
      await store.recordHostSeen('web-1', Date.UTC(2030, 0, 2), null, sample(5, 7));
      expect(await store.listHosts()).toEqual([{ id: 'web-1', hostname: 'web-1.example', lastSeen: Date.UTC(2030, 0, 2), agent, latest: sample(5, 7) }]);
    });
  });

  describe('stats history in the store', () => {
    it('keeps one point per step with summed counters, oldest first', async () => {
      const store = await fresh();
      await store.upsertHostToken('web-1', 'web-1', 'h'.repeat(64));
      const [host] = await store.listHosts();
      if (!host) throw new Error('host not created');
      const registry = new HostRegistry(store);
      registry.connected(host, 'conn-1', { hostname: 'web-1', agentVersion: '0.1.0', kernel: '6.18', source: 'netlink' });
      const stop = recordHistory(registry, store, { stepMs: 10_000, retentionMs: 86_400_000 }, pino({ level: 'silent' }));
      const base = Date.now();
      for (let i = 0; i < 35; i++) registry.sampled('web-1', 'conn-1', sample(base + i * 1000, i), base + i * 1000);
      stop();
      await eventually(async () => expect((await store.listHistory('web-1', 0, 100)).map((p) => p.count)).toEqual([0, 10, 20, 30]));
      expect((await store.listHistory('web-1', 0, 100))[0]?.totals.insert).toBe(5);
      expect((await store.listHistory('web-1', base + 10_000, 100)).map((p) => p.count)).toEqual([20, 30]);
      expect((await store.listHistory('web-1', 0, 2)).map((p) => p.count)).toEqual([0, 10]);
    });

    it('replaces a point at the same time and prunes points past retention', async () => {
      const store = await fresh();
      await store.upsertHostToken('web-1', 'web-1', 'h'.repeat(64));
      const totals = sumCpuCounters([]);
      await store.appendHistory('web-1', { at: 1_000, count: 1, max: 10, totals });
      await store.appendHistory('web-1', { at: 5_000, count: 2, max: 10, totals });
      await store.appendHistory('web-1', { at: 5_000, count: 3, max: 10, totals });
      expect(await store.pruneHistory(2_000)).toBe(1);
      expect((await store.listHistory('web-1', 0, 10)).map((p) => p.count)).toEqual([3]);
    });
  });

  describe('views in the store', () => {
    it('lists own and shared views by name, updates and deletes', async () => {
      const store = await fresh();
      const a = await store.createUser('a', 'h', 'admin');
      const b = await store.createUser('b', 'h', 'viewer');
      await store.createView(view({ id: 'a-private', ownerId: a.id, name: 'zeta' }));
      await store.createView(view({ id: 'a-shared1', ownerId: a.id, name: 'Alpha', shared: true }));
      await store.createView(view({ id: 'b-private', ownerId: b.id, ownerName: 'b', name: 'mine' }));
      expect((await store.listViewsFor(b.id)).map((v) => v.id)).toEqual(['a-shared1', 'b-private']);
      expect((await store.listViewsFor(a.id)).map((v) => v.id)).toEqual(['a-shared1', 'a-private']);
      expect((await store.findView('a-private'))?.state).toEqual(state);
      expect(await store.updateView('a-private', { name: 'renamed', shared: true }, 50)).toMatchObject({ name: 'renamed', shared: true, updatedAt: 50 });
      expect(await store.updateView('a-private', { shared: false }, 60)).toMatchObject({ name: 'renamed', shared: false });
      expect(await store.updateView('missing', { shared: false }, 60)).toBeUndefined();
      expect(await store.deleteView('a-private')).toBe(true);
      expect(await store.deleteView('a-private')).toBe(false);
    });
  });

  describe('audit in the store', () => {
    it('filters, pages newest first and counts', async () => {
      const store = await fresh();
      for (let i = 0; i < 30; i++) {
        await store.appendAudit({ at: 1000 + i, actor: i % 2 ? 'alice' : 'bob', action: i % 3 ? 'conntrack.delete' : 'user.create', target: i % 5 ? 'gw1' : 'gw2', detail: { i }, result: i === 7 ? 'error' : 'ok' });
      }
      const all = await store.queryAudit({}, 0, 10);
      expect(all.total).toBe(30);
      expect(all.rows.map((r) => r.at)).toEqual([1029, 1028, 1027, 1026, 1025, 1024, 1023, 1022, 1021, 1020]);
      expect((await store.queryAudit({}, 25, 10)).rows).toHaveLength(5);
      const alice = await store.queryAudit({ actor: 'alice', target: 'gw1', result: 'ok' }, 0, 100);
      expect(alice.rows.every((r) => r.actor === 'alice' && r.target === 'gw1' && r.result === 'ok')).toBe(true);
      expect(alice.total).toBe(alice.rows.length);
      expect((await store.queryAudit({ from: 1010, to: 1012 }, 0, 100)).rows.map((r) => r.at)).toEqual([1012, 1011, 1010]);
      expect((await store.queryAudit({ result: 'error' }, 0, 10)).rows).toEqual([{ id: 8, at: 1007, actor: 'alice', action: 'conntrack.delete', target: 'gw1', detail: { i: 7 }, result: 'error' }]);
      expect(await store.auditFacets()).toEqual({ actors: ['alice', 'bob'], targets: ['gw1', 'gw2'], actions: ['conntrack.delete', 'user.create'] });
      expect((await store.listAudit(2)).map((r) => r.at)).toEqual([1029, 1028]);
      // Filter values are bound, never spliced into SQL.
      expect((await store.queryAudit({ actor: "x' OR '1'='1" }, 0, 10)).total).toBe(0);
    });

    it('keeps every row of concurrent writers', async () => {
      const store = await fresh();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendAudit({ at: i, actor: 'a', action: 'x', target: 't', detail: null, result: 'ok' })));
      expect((await store.queryAudit({}, 0, 100)).total).toBe(50);
    });
  });

  describe('API tokens in the store', () => {
    const token = (over: Partial<ApiTokenRecord>): ApiTokenRecord => ({ id: '0123456789abcdef', userId: 1, name: 'ci', tokenHash: 'h1', role: 'viewer', createdAt: 10, expiresAt: 1_000, lastUsedAt: null, ...over });

    it('finds a token by hash until it expires, with its owner as they are now', async () => {
      const store = await fresh();
      const bob = await store.createUser('bob', 'pw', 'operator');
      expect(await store.createApiToken(token({ userId: bob.id, role: 'operator' }))).toBe(true);
      const found = await store.findApiTokenByHash('h1', 999);
      expect(found?.token).toEqual(token({ userId: bob.id, role: 'operator' }));
      expect(found?.user).toEqual({ id: bob.id, username: 'bob', passwordHash: 'pw', role: 'operator' });
      expect(await store.findApiTokenByHash('h1', 1_000)).toBeUndefined();
      expect(await store.findApiTokenByHash('other', 0)).toBeUndefined();
      await store.updateUserRole(bob.id, 'viewer');
      expect((await store.findApiTokenByHash('h1', 0))?.user.role).toBe('viewer');
    });

    it('keeps names unique per user, lists without hashes, records use, deletes', async () => {
      const store = await fresh();
      const ann = await store.createUser('ann', 'pw', 'admin');
      const bob = await store.createUser('bob', 'pw', 'viewer');
      expect(await store.createApiToken(token({ id: 'a000000000000001', userId: ann.id, name: 'deploy', tokenHash: 'ha' }))).toBe(true);
      expect(await store.createApiToken(token({ id: 'a000000000000002', userId: ann.id, name: 'deploy', tokenHash: 'hb' }))).toBe(false);
      expect(await store.createApiToken(token({ id: 'b000000000000001', userId: bob.id, name: 'deploy', tokenHash: 'hc', expiresAt: 5_000_000_000_000 }))).toBe(true);
      const all = await store.listApiTokens();
      expect(all.map((t) => [t.username, t.name])).toEqual([['ann', 'deploy'], ['bob', 'deploy']]);
      expect(all[0]).not.toHaveProperty('tokenHash');
      expect(all[1]?.expiresAt).toBe(5_000_000_000_000);
      expect((await store.listApiTokens(bob.id)).map((t) => t.id)).toEqual(['b000000000000001']);
      await store.touchApiToken('b000000000000001', 4_000_000_000_000);
      expect((await store.findApiToken('b000000000000001'))?.lastUsedAt).toBe(4_000_000_000_000);
      expect(await store.deleteApiToken('a000000000000001')).toBe(true);
      expect(await store.deleteApiToken('a000000000000001')).toBe(false);
      expect(await store.findApiTokenByHash('ha', 0)).toBeUndefined();
    });

    it('drops a user’s tokens with the user', async () => {
      const store = await fresh();
      const bob = await store.createUser('bob', 'pw', 'viewer');
      await store.createApiToken(token({ userId: bob.id }));
      await store.deleteUser(bob.id);
      expect(await store.findApiTokenByHash('h1', 0)).toBeUndefined();
      expect(await store.listApiTokens()).toEqual([]);
    });
  });
}
