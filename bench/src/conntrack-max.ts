import { readFile, writeFile } from 'node:fs/promises';
import { globalConntrackMax } from '@ctscope/testkit';

const CONNTRACK_MAX = '/proc/sys/net/netfilter/nf_conntrack_max';
/** Headroom over the wanted entries: the spray's own datagrams and stray flows must not hit the limit. */
const HEADROOM = 1.2;

/**
 * Runs `fn` with the machine's global nf_conntrack_max raised to hold `entries` (plus headroom), and
 * puts the old value back in a finally. Only raised, never lowered; a run that fits leaves it alone.
 * The value is global: run big benchmarks one at a time (`flock /tmp/ctscope-big-bench.lock ...`).
 */
export async function withConntrackMax<T>(entries: number, fn: () => Promise<T>): Promise<T> {
  const before = await globalConntrackMax();
  const wanted = Math.ceil(entries * HEADROOM);
  if (wanted <= before) return fn();
  await writeFile(CONNTRACK_MAX, String(wanted));
  try {
    return await fn();
  } finally {
    await writeFile(CONNTRACK_MAX, String(before));
    const restored = Number((await readFile(CONNTRACK_MAX, 'utf8')).trim());
    if (restored !== before) process.stderr.write(`nf_conntrack_max is ${restored}, could not restore ${before}\n`);
  }
}
