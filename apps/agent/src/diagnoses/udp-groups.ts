import { HAS, ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';

const UDP = 17;
const SEEN_REPLY = 1 << 1;
const NONE = 0xffffffff;
/** Rows kept per destination: what the detector may read afresh from the kernel. */
const MAX_ROWS_PER_GROUP = 256;

/** UDP entries to one original (pre-DNAT) destination address and port. */
export interface UdpGroup {
  /** Address number (see AddressPool) and text of the original destination. */
  dst: number;
  dstText: string;
  dport: number;
  ipv6: boolean;
  total: number;
  unreplied: number;
  /** Some entries answer from elsewhere than the original destination (DNAT). */
  natted: boolean;
  /** Entries answer from more than one place, or some are unreplied while others are answered. */
  suspicious: boolean;
  /** Up to MAX_ROWS_PER_GROUP of its rows; once full, unreplied rows take the place of replied ones. */
  rows: number[];
}

/**
 * UDP destinations worth a closer look, from the mirror's columns in two passes. The first pass, over
 * every row, keeps per original destination address (typed arrays, no map): the first reply source,
 * whether another appeared, whether any entry is DNATed, and replied / unreplied counts. Only rows of
 * destinations that are DNATed, or mix replied and unreplied entries, are grouped by port in the second.
 * Suspicious groups come first, then by size.
 */
export function udpCandidateGroups(table: FlowTable): UdpGroup[] {
  const c = table.columns;
  const size = table.size;
  const span = Math.max(1, table.addresses.span);
  const firstReply = new Uint32Array(span).fill(NONE);
  // bit 0: several reply sources; bit 1: DNATed; bit 2: some replied; bit 3: some unreplied.
  const marks = new Uint8Array(span);
  let any = false;
  for (let row = 0; row < size; row++) {
    if (c.protoNum[row] !== UDP) continue;
    const dst = c.origDst[row] as number;
    const reply = c.replySrc[row] as number;
    const first = firstReply[dst] as number;
    let m = marks[dst] as number;
    if (first === NONE) firstReply[dst] = reply;
    else if (first !== reply) m |= 1;
    if (reply !== dst) m |= 2;
    m |= ((c.statusBits[row] as number) & SEEN_REPLY) !== 0 ? 4 : 8;
    marks[dst] = m;
    any = true;
  }
  if (!any) return [];
  const wanted = (m: number) => (m & 2) !== 0 || (m & 12) === 12;
  const groups = new Map<number, UdpGroup & { replySources: Set<number>; replied: number; repliedKept: number }>();
  const pool = table.addresses;
  for (let row = 0; row < size; row++) {
    if (c.protoNum[row] !== UDP) continue;
    const dst = c.origDst[row] as number;
    if (!wanted(marks[dst] as number)) continue;
    if (!(((c.flags[row] as number) >>> ORIG_SHIFT) & TUPLE.DPORT)) continue;
    const dport = c.origDport[row] as number;
    const key = dst * 65_536 + dport;
    let g = groups.get(key);
    if (!g) {
      g = { dst, dstText: pool.strings[dst] as string, dport, ipv6: ((c.flags[row] as number) & HAS.IPV6) !== 0, total: 0, unreplied: 0, replied: 0, natted: false, suspicious: false, rows: [], replySources: new Set(), repliedKept: 0 };
      groups.set(key, g);
    }
    g.total++;
    const reply = c.replySrc[row] as number;
    if (reply !== dst) g.natted = true;
    if (g.replySources.size < 4) g.replySources.add(reply);
    const unreplied = ((c.statusBits[row] as number) & SEEN_REPLY) === 0;
    if (unreplied) g.unreplied++;
    else g.replied++;
    if (g.rows.length < MAX_ROWS_PER_GROUP) {
      g.rows.push(row);
      if (!unreplied) g.repliedKept++;
    } else if (unreplied && g.repliedKept > 0) {
      // Unreplied rows take the place of replied ones once the group is full.
      const at = g.rows.findIndex((r) => ((c.statusBits[r] as number) & SEEN_REPLY) !== 0);
      g.rows[at] = row;
      g.repliedKept--;
    }
  }
  const out: UdpGroup[] = [];
  for (const g of groups.values()) {
    const { replySources, replied, repliedKept: _kept, ...group } = g;
    group.suspicious = replySources.size > 1 || (replied > 0 && group.unreplied > 0);
    if (!group.natted && !group.suspicious) continue;
    out.push(group);
  }
  return out.sort((a, b) => Number(b.suspicious) - Number(a.suspicious) || b.total - a.total);
}
