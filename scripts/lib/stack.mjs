import { spawn } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { dashboardIdentity } from './dashboard-user.mjs';
import { ROOT } from './setup.mjs';

export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
export const CTSCOPE_BIN = join(ROOT, 'apps', 'agent', 'bin', 'ctscope.mjs');

const DASHBOARD_DIR = join(ROOT, 'apps', 'dashboard');

/**
 * Starts the dashboard server; its output goes to ours (`stdio` says otherwise). Under root it runs as the
 * unprivileged system user `ctscope` (created when missing), which then owns `dataDir`.
 */
export function startDashboard({ port, dataDir, env = {}, stdio = 'inherit', nodeArgs = [] }) {
  const identity = dashboardIdentity({ appDirs: [DASHBOARD_DIR, join(DASHBOARD_DIR, '.next'), join(ROOT, 'node_modules')], dataDir });
  // node with tsx as a loader (not the tsx wrapper process): the child's pid is the server itself.
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server.ts'], {
    cwd: DASHBOARD_DIR,
    stdio,
    ...(identity.uid !== undefined && { uid: identity.uid, gid: identity.gid }),
    env: { ...process.env, ...identity.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', PORT: String(port), CTSCOPE_DATA_DIR: dataDir, ...env },
  });
}

/** The local dashboard's URL: https when it serves TLS itself (CTSCOPE_TLS_CERT in the environment it inherits). */
export const localDashboardUrl = (port) => `${process.env.CTSCOPE_TLS_CERT ? 'https' : 'http'}://127.0.0.1:${port}`;

// Only whether the local server answers: nothing is sent, so its certificate (often issued for the public
// name, not 127.0.0.1) is not checked here; the agent verifies it.
const healthy = (url) =>
  url.startsWith('https:')
    ? new Promise((resolve) => {
        const req = httpsGet(`${url}/healthz`, { rejectUnauthorized: false }, (res) => (res.resume(), resolve(res.statusCode === 200)));
        req.on('error', () => resolve(false));
      })
    : fetch(`${url}/healthz`).then((res) => res.ok, () => false);

export async function waitForHealth(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the dashboard exited (code ${child.exitCode}) before it was ready`);
    if (await healthy(url)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the dashboard did not answer ${url}/healthz within ${timeoutMs / 1000} s`);
}

/** Stops children on Ctrl-C / SIGTERM / exit of any of them, then runs `cleanup` once. */
export function superviseChildren(children, cleanup = async () => {}) {
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await cleanup();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // A closed terminal: the children go too (an HTTPS dashboard takes SIGHUP as "reload the certificate").
  process.on('SIGHUP', () => void stop(0));
  for (const child of children) child.once('exit', (code) => void stop(code ?? 1));
  return stop;
}
