import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsCount } from '@ctscope/protocol';
import type { NetnsProvider } from './summarise';

const inode = (path: string): string | null => {
  try {
    return String(statSync(path).ino);
  } catch {
    return null;
  }
};

/** The namespace this process runs in: its inode, and a name from /run/netns when `ip netns` made it. */
export function ownNetns(): Omit<NetnsCount, 'entries'> {
  const own = inode('/proc/self/ns/net') ?? 'unknown';
  if (own === inode('/proc/1/ns/net')) return { netns: own, name: 'host', source: 'host' };
  let names: string[] = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    // no named namespaces on this host
  }
  const named = names.find((name) => inode(join('/run/netns', name)) === own);
  return named ? { netns: own, name: named.slice(0, 200), source: 'named' } : { netns: own, name: `netns ${own}`, source: 'process' };
}

/**
 * Until a per-namespace counter is wired in, the agent reports its own namespace with every entry it
 * mirrors (it watches that namespace alone). Resolved once: a process does not change namespace.
 */
export function ownNetnsProvider(): NetnsProvider {
  const own = ownNetns();
  return (total) => [{ ...own, entries: total }];
}
