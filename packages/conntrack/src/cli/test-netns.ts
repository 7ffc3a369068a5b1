/** Namespace helpers for the CLI source's kernel tests. */
import { readdir, readFile } from 'node:fs/promises';
import { run, type Netns } from '@ctscope/testkit';
import { CliSource } from './cli-source';

export function cliSourceIn(ns: Netns, logger?: { warn(obj: object, msg: string): void }): CliSource {
  return new CliSource({ command: ['ip', 'netns', 'exec', ns.name, 'conntrack'], restartDelayMs: 100, ...(logger ? { logger } : {}) });
}

/** Pids of `conntrack -E` processes inside the namespace. */
export async function eventFollowerPids(ns: Netns): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', ns.name]).catch(() => ({ stdout: '' }));
  const pids: number[] = [];
  const inNs = new Set(stdout.split('\n').filter(Boolean).map(Number));
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!inNs.has(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (argv[0]?.endsWith('conntrack') && argv.includes('-E')) pids.push(pid);
  }
  return pids;
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
