import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '@ctscope/testkit';
import pino from 'pino';
import { createDashboardServer, type DashboardServer } from '../app';
import { loadConfig } from '../config';

export const TEST_ADMIN_PASSWORD = 'correct horse battery staple';
export const TEST_CLUSTER_SECRET = 'a test cluster secret, 32 characters or more';
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
export async function startTestDashboard(options: { port?: number; databaseUrl?: string; env?: Record<string, string> } = {}): Promise<TestDashboard> {
  const postgres = options.databaseUrl === undefined && process.env.CTSCOPE_TEST_STORE === 'postgres' ? await startPostgres() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'ctscope-dash-'));
  const dash = await dashboardOn(dataDir, options.env ?? {}, options.port ?? 0, options.databaseUrl ?? postgres?.url).catch(async (err: unknown) => {
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    ...dash,
    async close() {
      await dash.close();
      await postgres?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Two dashboard servers sharing one store and one Redis, as behind a load balancer. Both start at once,
 * as a deployment's servers would.
 */
export async function startTestCluster(redisUrl: string): Promise<{ a: TestDashboard; b: TestDashboard; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ctscope-cluster-'));
  const env = { REDIS_URL: redisUrl, CTSCOPE_CLUSTER_SECRET: TEST_CLUSTER_SECRET };
  const started = await Promise.allSettled([dashboardOn(dataDir, env), dashboardOn(dataDir, env)]);
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async () => {
    for (const server of servers) await server.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  const [a, b] = servers;
  if (!a || !b) {
    await close();
    throw (started.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
  }
  return { a, b, close };
}

async function dashboardOn(dataDir: string, env: Record<string, string>, port = 0, databaseUrl?: string): Promise<TestDashboard> {
  const config = {
    // No agent packages unless a test brings its own (not whatever this checkout's dist/release holds).
    ...loadConfig({ NODE_ENV: 'test', CTSCOPE_DATA_DIR: dataDir, CTSCOPE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, CTSCOPE_LOG_LEVEL: 'silent', CTSCOPE_RELEASE_DIR: join(dataDir, 'release'), ...env }, APP_DIR),
    port,
    databaseUrl,
  };
  const server = await createDashboardServer(config, pino({ level: 'silent' }), { pages: false });
  const url = `${server.scheme}://127.0.0.1:${await server.listen()}`;
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
    close: () => server.close(),
  };
}
