import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ctscope/testkit';
import { startDashboard as startDashboardProcess } from '../../../scripts/lib/stack.mjs';

const ADMIN_PASSWORD = 'fleet bench admin password';

/** The id (and hostname) of simulated host number `i`. */
export const simHostId = (i: number): string => `sim-${String(i).padStart(4, '0')}`;

export interface DashboardProcess {
  url: string;
  pid: number;
  /** The admin's session cookie (Cookie header value). */
  cookie: string;
  /** Adds a host through the admin API and returns its agent token. */
  addHost(id: string): Promise<string>;
  /** Adds hosts sim-<first>… (`count` of them); their tokens land in `dir` as HOSTNAME.token (0600). */
  enroll(count: number, dir: string, first?: number): Promise<void>;
  stop(): Promise<void>;
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });

/**
 * The real dashboard as users run it (production build, `server.ts`), in a node process of its own whose
 * pid is the server itself (tsx as a loader, not as a wrapper process), with a throwaway data directory.
 * `cpuProfileDir` adds --cpu-prof: a V8 profile written there when the server stops. Servers of one cluster
 * share a `dataDir` (the caller's to remove) and get `env` (REDIS_URL, the cluster secret).
 */
export async function startDashboard(options: { cpuProfileDir?: string; dataDir?: string; env?: Record<string, string> } = {}): Promise<DashboardProcess> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ctscope-fleet-bench-')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profiling = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  // As `npm start` runs it: under root, as the unprivileged user ctscope owning the data directory.
  const child = startDashboardProcess({ port, dataDir, nodeArgs: profiling, stdio: ['ignore', 'ignore', 'inherit'], env: { CTSCOPE_ADMIN_PASSWORD: ADMIN_PASSWORD, CTSCOPE_LOG_LEVEL: 'warn', ...options.env } });
  const stop = async () => {
    await stopChild(child);
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the dashboard exited with ${child.exitCode}`);
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
      if (i > 480) throw new Error('the dashboard did not become healthy in 2 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    if (!login.ok) throw new Error(`login failed: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const addHost = async (id: string) => {
      const res = await fetch(`${url}/api/hosts`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ id, hostname: id }) });
      if (res.status !== 201) throw new Error(`enrolling ${id} failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { enrollment: { token: string } }).enrollment.token;
    };
    const enroll = async (count: number, dir: string, first = 0) => {
      // A few at a time: a thousand hosts one by one take minutes on a busy machine.
      let next = first;
      const worker = async () => {
        for (let i = next++; i < first + count; i = next++) await writeFile(join(dir, `${simHostId(i)}.token`), await addHost(simHostId(i)), { mode: 0o600 });
      };
      await Promise.all(Array.from({ length: Math.min(8, count) }, worker));
    };
    return { url, pid: child.pid as number, cookie, addHost, enroll, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
