import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { globalConntrackMax } from '@ctscope/testkit';

/** Runs with this many entries or more take the machine's big-bench lock: one at a time per machine. */
export const BIG_TABLE = 1_000_000;
export const BIG_BENCH_LOCK = '/tmp/ctscope-big-bench.lock';
const CONNTRACK_MAX = '/proc/sys/net/netfilter/nf_conntrack_max';
/** Entries a namespace holds beyond the filler: the agent's own connection, the traffic generator. */
const HEADROOM = 10_000;

/**
 * Holds an exclusive flock(1) on `file` until released: a child process keeps the lock (flock --no-fork
 * execs node with the locked descriptor), so whoever else runs `flock FILE …` waits for us.
 */
export async function holdLock(file: string): Promise<() => Promise<void>> {
  const holder = spawn('flock', ['--no-fork', file, process.execPath, '-e', "process.stdout.write('locked\\n'); setInterval(() => {}, 1 << 30);"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', (err) => reject(new Error(`flock could not start (util-linux): ${err.message}`)));
    holder.once('exit', (code) => reject(new Error(`flock ${file} exited with ${code}`)));
  });
  return () =>
    new Promise<void>((resolve) => {
      if (holder.exitCode !== null || holder.signalCode !== null) return resolve();
      holder.once('exit', () => resolve());
      holder.kill('SIGTERM');
    });
}

/**
 * Runs `fn` where a namespace can hold `entries` entries: at BIG_TABLE entries or more under the big-bench
 * lock (waiting for any other big run to end), with the global nf_conntrack_max raised for the run only
 * when it is too small, and put back in a finally whatever happens.
 */
export async function withTableSize<T>(entries: number, fn: () => Promise<T>): Promise<T> {
  const release = entries >= BIG_TABLE ? await holdLock(BIG_BENCH_LOCK) : async () => undefined;
  try {
    const max = await globalConntrackMax();
    const wanted = entries + HEADROOM;
    if (max >= wanted) return await fn();
    process.stderr.write(`bench: nf_conntrack_max ${max} → ${wanted} for the ${entries}-entry run\n`);
    await writeFile(CONNTRACK_MAX, String(wanted));
    try {
      return await fn();
    } finally {
      await writeFile(CONNTRACK_MAX, String(max));
      process.stderr.write(`bench: nf_conntrack_max back to ${max}\n`);
    }
  } finally {
    await release();
  }
}
