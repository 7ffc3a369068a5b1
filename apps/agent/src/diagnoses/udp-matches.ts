import { flowKey } from '../mirror/flow-key';
import { ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';

const UDP = 17;
const SEEN_REPLY = 1 << 1;
/** Identities kept per filter: enough to tell whether a filter selects only the stuck entries. */
const MAX_KEYS = 1_024;

/** A filter of the form `[ipv6] udp dst:D dport:P reply-src:R [unreplied] [sport:S]`. */
export interface UdpMatch {
  ipv6: boolean;
  dst: string;
  dport: number;
  replySrc: string;
  unreplied: boolean;
  sport?: number;
}

export function matchQuery(m: UdpMatch): string {
  return `${m.ipv6 ? 'ipv6 ' : ''}udp dst:${m.dst} dport:${m.dport} reply-src:${m.replySrc}${m.unreplied ? ' unreplied' : ''}${m.sport === undefined ? '' : ` sport:${m.sport}`}`;
}

/**
 * How many mirror entries each filter selects (what a dry run of its query will find), and the
 * identities of the first of them, for many filters in one pass over the columns: a filter compiled
 * and run on its own costs a pass each (about 40 ms at a million entries).
 */
export function countMatches(table: FlowTable, matches: readonly UdpMatch[]): { count: number; keys: Set<string> }[] {
  const out = matches.map(() => ({ count: 0, keys: new Set<string>() }));
  const pool = table.addresses;
  const c = table.columns;
  const wanted = new Uint8Array(Math.max(1, pool.span));
  const byDst = new Map<number, { i: number; dport: number; reply: number }[]>();
  matches.forEach((m, i) => {
    const dst = pool.numberOf(m.dst);
    const reply = pool.numberOf(m.replySrc);
    if (dst === undefined || reply === undefined) return;
    wanted[dst] = 1;
    byDst.set(dst, [...(byDst.get(dst) ?? []), { i, dport: m.dport, reply }]);
  });
  if (byDst.size === 0) return out;
  for (let row = 0; row < table.size; row++) {
    if (c.protoNum[row] !== UDP) continue;
    const dst = c.origDst[row] as number;
    if (wanted[dst] !== 1 || !(((c.flags[row] as number) >>> ORIG_SHIFT) & TUPLE.DPORT)) continue;
    for (const { i, dport, reply } of byDst.get(dst) ?? []) {
      const m = matches[i] as UdpMatch;
      if (c.origDport[row] !== dport || c.replySrc[row] !== reply) continue;
      if (m.unreplied && ((c.statusBits[row] as number) & SEEN_REPLY) !== 0) continue;
      if (m.sport !== undefined && c.origSport[row] !== m.sport) continue;
      const hit = out[i] as { count: number; keys: Set<string> };
      hit.count++;
      if (hit.keys.size < MAX_KEYS) hit.keys.add(flowKey(table.entryAt(row).flow));
    }
  }
  return out;
}
