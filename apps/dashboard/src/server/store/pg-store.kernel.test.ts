import { skipPostgresTests, startPostgres, type ThrowawayPostgres } from '@ctscope/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from '../testing/test-dashboard';
import { MIGRATIONS } from './migrations';
import { PgStore } from './pg-store';
import { compositionContract } from './composition-contract';
import { storeContract } from './store-contract';

/*
 * In the kernel project on purpose: it starts a real server process (as the postgres account via
 * runuser when root, like the other privileged fixtures), and that project runs files one at a time
 * with long timeouts, so clusters never compete for the machine with the parallel unit tests.
 */
const skip = skipPostgresTests();
const failOnIdleError = (err: Error) => {
  throw err;
};

describe.skipIf(skip)('PostgreSQL store (a throwaway server from Debian’s packages)', () => {
  let server: ThrowawayPostgres;
  let databases = 0;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  const freshDatabase = () => server.createDatabase(`contract_${++databases}`);

  describe('contract', () => {
    storeContract(async () => PgStore.open(await freshDatabase(), failOnIdleError));
    compositionContract(async () => PgStore.open(await freshDatabase(), failOnIdleError));
  });

  it('migrates once when several dashboards start together, and reopens with the data kept', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => PgStore.open(url, failOnIdleError)));
    await stores[0]?.createUser('admin', 'h', 'admin');
    await Promise.all(stores.map((s) => s.close()));

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const versions = await client.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
      expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      const types = await client.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'audit' AND column_name IN ('id', 'at') ORDER BY column_name",
      );
      expect(types.rows).toEqual([
        { column_name: 'at', data_type: 'bigint' },
        { column_name: 'id', data_type: 'bigint' },
      ]);
    } finally {
      await client.end();
    }

    const reopened = await PgStore.open(url, failOnIdleError);
    expect((await reopened.findUserByName('admin'))?.role).toBe('admin');
    await reopened.close();
  });

  it('refuses to start on a server it cannot reach, with the reason', async () => {
    const unreachable = server.url.replace(/:\d+\//, ':1/');
    await expect(PgStore.open(unreachable, failOnIdleError)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('serves the dashboard: log in, save a view, read it back and its audit row', async () => {
    const databaseUrl = await freshDatabase();
    const dash = await startTestDashboard({ databaseUrl });
    try {
      const cookie = await dash.login();
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${dash.url}${path}`, {
          method,
          headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      const state = { page: 'connections', hostId: dash.server.localAgent.hostId, query: 'dport 443', columns: null, sort: null, range: null, eventTypes: null };
      const created = await call('POST', '/api/views', { name: 'HTTPS on pg', shared: true, state });
      expect(created.status).toBe(201);
      const id = (created.json.view as { id: string }).id;
      const listed = await call('GET', '/api/views');
      expect((listed.json.views as { id: string; name: string }[]).map((v) => [v.id, v.name])).toEqual([[id, 'HTTPS on pg']]);
      const audit = await call('GET', `/api/audit?action=view.create`);
      expect(audit.json).toMatchObject({ total: 1, rows: [{ actor: 'admin', action: 'view.create', target: `view:${id}`, result: 'ok' }] });
      const hosts = await call('GET', '/api/hosts');
      expect((hosts.json.hosts as { id: string }[]).map((h) => h.id)).toEqual([dash.server.localAgent.hostId]);
    } finally {
      await dash.close();
    }

    // The rows are in PostgreSQL, not in a file of the (now deleted) data directory.
    const store = await PgStore.open(databaseUrl, failOnIdleError);
    try {
      expect((await store.listAudit(10)).map((r) => r.action)).toEqual(['view.create']);
      expect(await store.countUsers()).toBe(1);
    } finally {
      await store.close();
    }
  });
});
