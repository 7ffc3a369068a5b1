import { HAS, ORIG_SHIFT, TUPLE } from '../mirror/columns';
import type { FlowTable } from '../mirror/flow-table';

const UDP = 17;
const SEEN_REPLY = 1 << 1;
const NONE = 0xffffffff;
/** Rows kept per destination: what the detector may read afresh from the kernel. */
const MAX_ROWS_PER_GROUP = 256;
/**
 * An entry the mirror has heard nothing of for this long lives on packets alone: a client sending from
 * one source port (what a black hole needs), not one of the one-shot exchanges around it.
 */
export const LONG_LIVED_MS = 60_000;

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
  /**
   * Up to MAX_ROWS_PER_GROUP of its rows; once full, rows take the place of lower ranked ones: long-lived
   * (nothing heard of it for LONG_LIVED_MS) before young, then unreplied before replied.
   */
  rows: number[];
}

/**
 * UDP destinations worth a closer look, from the mirror's columns in two passes. The first pass, over
 * every row, keeps per original destination address (typed arrays, no map): the first reply source,
 * whether another appeared, whether any entry is DNATed, and replied / unreplied counts. Only rows of
 * destinations that are DNATed, or mix replied and unreplied entries, are grouped by port in the second.
 * Suspicious groups come first, then by size.
 */
export function udpCandidateGroups(table: FlowTable, now = Date.now()): UdpGroup[] {
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
  type Building = UdpGroup & { replySources: number[]; replied: number; byRank: number[][]; kept: number; nextSameDst: number };
  const oldBefore = now - LONG_LIVED_MS;
  // Rows are kept by rank (0-3: long-lived counts 2, unreplied 1), the lowest giving way when full.
  const groups: Building[] = [];
  // Groups of one address chained from it (nearly always one port per address): no map per row.
  const firstGroup = new Int32Array(span).fill(-1);
  const pool = table.addresses;
  for (let row = 0; row < size; row++) {
    if (c.protoNum[row] !== UDP) continue;
    const dst = c.origDst[row] as number;
    if (!wanted(marks[dst] as number)) continue;
    if (!(((c.flags[row] as number) >>> ORIG_SHIFT) & TUPLE.DPORT)) continue;
    const dport = c.origDport[row] as number;
    let at = firstGroup[dst] as number;
    while (at >= 0 && (groups[at] as Building).dport !== dport) at = (groups[at] as Building).nextSameDst;
    let g: Building;
    if (at < 0) {
      g = { dst, dstText: pool.strings[dst] as string, dport, ipv6: ((c.flags[row] as number) & HAS.IPV6) !== 0, total: 0, unreplied: 0, replied: 0, natted: false, suspicious: false, rows: [], replySources: [], byRank: [[], [], [], []], kept: 0, nextSameDst: firstGroup[dst] as number };
      firstGroup[dst] = groups.length;
      groups.push(g);
    } else g = groups[at] as Building;
    g.total++;
    const reply = c.replySrc[row] as number;
    if (reply !== dst) g.natted = true;
    if (g.replySources.length < 2 && g.replySources[0] !== reply) g.replySources.push(reply);
    const unreplied = ((c.statusBits[row] as number) & SEEN_REPLY) === 0;
    if (unreplied) g.unreplied++;
    else g.replied++;
    const r = ((c.seenAt[row] as number) < oldBefore ? 2 : 0) + (unreplied ? 1 : 0);
    const byRank = g.byRank;
    if (g.kept < MAX_ROWS_PER_GROUP) {
      (byRank[r] as number[]).push(row);
      g.kept++;
    } else {
      // Full: it takes the place of a row of a lower rank, if any.
      let lower = 0;
      while (lower < r && (byRank[lower] as number[]).length === 0) lower++;
      if (lower < r) {
        (byRank[lower] as number[]).pop();
        (byRank[r] as number[]).push(row);
      }
    }
  }
  const out: UdpGroup[] = [];
  for (const g of groups) {
    const { replySources, replied, byRank, kept: _kept, nextSameDst: _next, ...group } = g;
    group.suspicious = replySources.length > 1 || (replied > 0 && group.unreplied > 0);
    if (!group.natted && !group.suspicious) continue;
    group.rows = [...(byRank[3] ?? []), ...(byRank[2] ?? []), ...(byRank[1] ?? []), ...(byRank[0] ?? [])];
    out.push(group);
  }
  return out.sort((a, b) => Number(b.suspicious) - Number(a.suspicious) || b.total - a.total);
}
