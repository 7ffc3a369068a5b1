import type { Flow } from '@ctscope/conntrack';
import type { Diagnosis, WireFlow } from '@ctscope/protocol';
import { flowKey } from '../mirror/flow-key';
import type { FlowTable } from '../mirror/flow-table';
import { toWireFlow } from '../query/wire-flow';
import type { UdpGroup } from './udp-groups';
import { countMatches, matchQuery, type UdpMatch } from './udp-matches';

const SEEN_REPLY = 1 << 1;
/** Stuck this long, a black hole is critical (Kubernetes 139628: statsd lost for 13 hours). */
const CRITICAL_AFTER_MS = 5 * 60_000;

/** Stuck entries of one destination that point at one DNAT target (see stuckSets). */
export interface StuckSet {
  id: string;
  group: UdpGroup;
  /** The reply source (DNAT target) that no longer answers. */
  dead: string;
  /** Reply sources of the same destination that answer now. */
  live: string[];
  /** Some entries pointing at the dead target still get answers (then only the stuck ones may go). */
  deadAnswers: boolean;
  /** The stuck entries as just read from the kernel. */
  entries: Flow[];
  packetsPerSecond: number;
  /** When the oldest of them started sending without answers. */
  since: number | null;
}

const ACCT_FIX = {
  kind: 'sysctl' as const,
  label: 'Turn on accounting (nf_conntrack_acct = 1)',
  tradeoff: 'Adds packet and byte counters to every new entry (32 bytes each, and a counter update per packet). Entries made before keep none, so the proof comes with new traffic.',
  changes: { 'net.netfilter.nf_conntrack_acct': 1 },
};

const baseMatch = (group: UdpGroup, replySrc: string): UdpMatch => ({ ipv6: group.ipv6, dst: group.dstText, dport: group.dport, replySrc, unreplied: false });

/**
 * The filter for each set's stuck entries, with what it selects now: every entry of the destination
 * that points at the dead target (idle ones too: nothing answers there), unless some of those still
 * get answers; then the narrowest of: only the unreplied ones, or the one source port. One pass over
 * the mirror for all of them.
 */
export function stuckQueries(table: FlowTable, sets: readonly StuckSet[]): { query: string; count: number }[] {
  const candidates = sets.map((set) => {
    const base = baseMatch(set.group, set.dead);
    const list = [base];
    if (!set.deadAnswers) return list;
    if (set.entries.every((f) => !f.status.includes('SEEN_REPLY'))) list.push({ ...base, unreplied: true });
    const [only] = set.entries;
    if (set.entries.length === 1 && only?.orig.sport !== undefined) list.push({ ...base, sport: only.orig.sport });
    return list;
  });
  const counted = countMatches(table, candidates.flat());
  let at = 0;
  return sets.map((set, i) => {
    const list = candidates[i] as UdpMatch[];
    const results = counted.slice(at, (at += list.length));
    const stuck = new Set(set.entries.map(flowKey));
    const exact = list.findIndex((_, j) => {
      const r = results[j] as { count: number; keys: Set<string> };
      return r.count === r.keys.size && [...r.keys].every((k) => stuck.has(k));
    });
    const pick = !set.deadAnswers || exact < 0 ? 0 : exact;
    return { query: matchQuery(list[pick] as UdpMatch), count: (results[pick] as { count: number }).count };
  });
}

const endpoint = (group: UdpGroup) => (group.ipv6 ? `[${group.dstText}]:${group.dport}` : `${group.dstText}:${group.dport}`);
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function blackHoleDiagnosis(set: StuckSet, selected: { query: string; count: number }, since: number, now: number): Diagnosis {
  const { query, count } = selected;
  const n = set.entries.length;
  const to = endpoint(set.group);
  const live = set.live.length ? set.live.join(', ') : 'none seen';
  const unanswered = set.since ?? since;
  return {
    name: 'udp-black-hole',
    id: set.id,
    title: `UDP black hole: ${n} ${n === 1 ? 'entry' : 'entries'} to ${to} still sent to ${set.dead}, which does not answer`,
    severity: now - unanswered >= CRITICAL_AFTER_MS ? 'critical' : 'warning',
    since,
    meaning:
      `Clients keep sending to ${to} through conntrack entries ${set.dead === set.group.dstText ? 'made while no backend was behind it (not DNATed)' : `DNATed to ${set.dead}, which no longer answers`}; as long as they send from the same source port the entry never expires, so the current NAT rules${set.live.length ? ` (answering from ${live})` : ''} are never consulted. ` +
      'Deleting these entries lets the next packet of each client create a new entry that reaches a live backend.',
    evidence: {
      facts: [
        { label: 'Destination (before DNAT)', value: `udp ${to}` },
        { label: 'Stuck entries', value: String(n) },
        { label: 'Packets/s sent into it', value: set.packetsPerSecond.toFixed(1) },
        { label: 'Dead DNAT target (reply source)', value: set.dead },
        { label: 'Answering DNAT targets', value: live },
        { label: 'Sending without answer for', value: seconds(now - unanswered) },
        { label: 'UDP entries to this destination', value: String(set.group.total) },
      ],
      query,
      examples: set.entries.slice(0, 5).map((flow) => toWireFlow({ flow, seenAt: now }, now)),
    },
    fixes: [
      {
        kind: 'delete',
        label: `Delete the ${count} ${count === 1 ? 'entry' : 'entries'} pointing at ${set.dead}`,
        tradeoff: 'Nothing is lost: the clients\' next packets create fresh entries through the current DNAT rules. A dry run shows the count first.',
        query,
        count,
      },
    ],
  };
}

/** What the mirror alone shows of one group: unreplied entries pointing elsewhere than the answered ones. */
interface Unanswered {
  group: UdpGroup;
  dead: string;
  answered: string[];
  /** Its rows, taken at once (rows move as the mirror changes). */
  examples: WireFlow[];
}

function unanswered(table: FlowTable, group: UdpGroup, now: number): Unanswered | null {
  const c = table.columns;
  const pool = table.addresses.strings;
  const answered = new Set<string>();
  const unrepliedRows = new Map<string, number[]>();
  for (const row of group.rows) {
    const src = pool[c.replySrc[row] as number] as string;
    if (((c.statusBits[row] as number) & SEEN_REPLY) !== 0) answered.add(src);
    else unrepliedRows.set(src, [...(unrepliedRows.get(src) ?? []), row]);
  }
  if (answered.size === 0) return null;
  const [dead, rows] = [...unrepliedRows].find(([src]) => !answered.has(src)) ?? [];
  if (dead === undefined || !rows) return null;
  return { group, dead, answered: [...answered], examples: rows.slice(0, 5).map((row) => toWireFlow(table.entryAt(row), now)) };
}

/**
 * Without counters only the mirror speaks: unreplied entries pointing elsewhere than the entries to
 * the same destination that are answered. That is how a black hole looks, but whether they still send
 * needs accounting.
 */
export function accountingDiagnoses(table: FlowTable, groups: readonly UdpGroup[], max: number, sinceOf: (id: string) => number, now: number): Diagnosis[] {
  const found: Unanswered[] = [];
  for (const group of groups) {
    if (found.length >= max) break;
    const u = unanswered(table, group, now);
    if (u) found.push(u);
  }
  const matches = found.map((u) => ({ ...baseMatch(u.group, u.dead), unreplied: true }));
  const counted = countMatches(table, matches);
  return found.map((u, i) => {
    const query = matchQuery(matches[i] as UdpMatch);
    const count = (counted[i] as { count: number }).count;
    const to = endpoint(u.group);
    const id = `udp-black-hole:${u.group.dstText}:${u.group.dport}:${u.dead}`;
    const answered = u.answered.join(', ');
    return {
      name: 'udp-black-hole',
      id,
      title: `Possible UDP black hole to ${to}: ${count} unreplied entries point at ${u.dead}; accounting is needed to tell`,
      severity: 'info',
      since: sinceOf(id),
      meaning:
        `Entries to ${to} answered by ${answered} sit beside ${count} unreplied ones pointing at ${u.dead}: the pattern of clients stuck on a backend that is gone. ` +
        'Whether they still send needs packet counters, which nf_conntrack_acct turns on.',
      evidence: {
        facts: [
          { label: 'Destination (before DNAT)', value: `udp ${to}` },
          { label: 'Unreplied entries', value: String(count) },
          { label: 'They point at', value: u.dead },
          { label: 'Answered entries point at', value: answered },
          { label: 'Packet counters', value: 'off (net.netfilter.nf_conntrack_acct = 0, or the entries predate it)' },
        ],
        query,
        examples: u.examples,
      },
      fixes: [ACCT_FIX, { kind: 'delete', label: `Delete the ${count} unreplied entries pointing at ${u.dead}`, query, count }],
    };
  });
}
