import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns';

export const SPRAY_SCRIPT = fileURLToPath(new URL('../bin/udp-spray.mjs', import.meta.url));
const CONNTRACK_MAX = '/proc/sys/net/netfilter/nf_conntrack_max';

/** The machine's nf_conntrack_max: global, and the limit each namespace's own count is checked against. */
export async function globalConntrackMax(): Promise<number> {
  return Number((await readFile(CONNTRACK_MAX, 'utf8')).trim());
}

/**
 * Fills a namespace with `entries` real UDP conntrack entries (one datagram to each of `entries`
 * destinations). UDP entries normally expire after 30 s; the namespace's own UDP timeouts are raised
 * so the table stays put for the whole test.
 */
export async function fillConntrack(ns: Netns, entries: number): Promise<void> {
  await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout', 3600);
  await ns.sysctl('net.netfilter.nf_conntrack_udp_timeout_stream', 3600);
  await ns.exec(process.execPath, [SPRAY_SCRIPT, String(entries)]);
  const count = Number((await ns.conntrack(['-C'])).stdout.trim());
  if (count < entries) throw new Error(`namespace holds ${count} entries, wanted ${entries} (nf_conntrack_max is ${await globalConntrackMax()})`);
}
