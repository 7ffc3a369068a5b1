import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '@ctscope/testkit';
import pino from 'pino';
import { createDashboardServer, type DashboardServer } from '../app';
import { loadConfig } from '../config';

export const TEST_ADMIN_PASSWORD = 'correct horse battery staple';
const APP_DIR = fileURLToPath(new URL('../../..', import.meta.url));

export interface TestDashboard {
  url: string;
  server: DashboardServer;
  agentToken(): Promise<string>;
  /** Logs in (as admin unless told) and returns the Cookie header value. */
  login(username?: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real dashboard server (API + sockets, no pages) on an ephemeral port with a throwaway store: a SQLite
 * file, or the PostgreSQL database at `databaseUrl`. With CTSCOPE_TEST_STORE=postgres in the environment
 * every test dashboard gets a throwaway PostgreSQL server of its own instead of the SQLite file.
 */
export async function startTestDashboard(options: { port?: number; databaseUrl?: string } = {}): Promise<TestDashboard> {
  const postgres = options.databaseUrl === undefined && process.env.CTSCOPE_TEST_STORE === 'postgres' ? await startPostgres() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'ctscope-dash-'));
  const config = {
    ...loadConfig({ NODE_ENV: 'test', CTSCOPE_DATA_DIR: dataDir, CTSCOPE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, CTSCOPE_LOG_LEVEL: 'silent' }, APP_DIR),
    port: options.port ?? 0,
    databaseUrl: options.databaseUrl ?? postgres?.url,
  };
  const server = await createDashboardServer(config, pino({ level: 'silent' }), { pages: false }).catch(async (err: unknown) => {
    await postgres?.stop();
    throw err;
  });
  const url = `http://127.0.0.1:${await server.listen()}`;
  return {
    url,
    server,
    agentToken: async () => (await readFile(config.localAgentTokenFile, 'utf8')).trim(),
    async login(username = 'admin', password = TEST_ADMIN_PASSWORD) {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!res.ok) throw new Error(`login failed: ${res.status}`);
      return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    },
    async close() {
      await server.close();
      await postgres?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
