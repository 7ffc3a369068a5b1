import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './setup.mjs';

export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
export const CTSCOPE_BIN = join(ROOT, 'apps', 'agent', 'bin', 'ctscope.mjs');

/** Starts the dashboard server; its output goes to ours. */
export function startDashboard({ port, dataDir, env = {} }) {
  return spawn(TSX, ['server.ts'], {
    cwd: join(ROOT, 'apps', 'dashboard'),
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', PORT: String(port), CTSCOPE_DATA_DIR: dataDir, ...env },
  });
}

export async function waitForHealth(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the dashboard exited (code ${child.exitCode}) before it was ready`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
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
  for (const child of children) child.once('exit', (code) => void stop(code ?? 1));
  return stop;
}
