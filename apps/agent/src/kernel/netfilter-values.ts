import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The kernel's default nf_conntrack_tcp_timeout_established (5 days). */
export const DEFAULT_ESTABLISHED_TIMEOUT = 432_000;

/** Reads one integer from /proc/sys/net/netfilter; undefined when absent or unreadable. */
export async function readNetfilterInteger(name: string, procRoot = '/proc'): Promise<number | undefined> {
  try {
    const text = await readFile(join(procRoot, 'sys/net/netfilter', name), 'utf8');
    const value = Number.parseInt(text.trim(), 10);
    return Number.isSafeInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
