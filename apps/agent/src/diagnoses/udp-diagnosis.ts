import type { Flow } from '@ctscope/conntrack';
import type { Diagnosis } from '@ctscope/protocol';
import { flowKey } from '../mirror/flow-key';
import type { FlowTable } from '../mirror/flow-table';
import { compileQuery } from '../query/compile-query';
import { compileRowFilter } from '../query/row-filter';
import { toWireFlow } from '../query/wire-flow';
import type { UdpGroup } from './udp-groups';

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

/** Rows the query selects in the mirror, and their identities. */
function selected(table: FlowTable, query: string): { count: number; keys: Set<string> } | null {
  const compiled = compileQuery(query);
  if (!compiled.ok) return null;
  const match = compileRowFilter(compiled.filter, table);
  const keys = new Set<string>();
  let count = 0;
  for (let row = 0; row < table.size; row++) {
    if (!match(row)) continue;
    count++;
    if (keys.size <= 1_024) keys.add(flowKey(table.entryAt(row).flow));
  }
  return { count, keys };
}

function baseQuery(group: UdpGroup, replySrc: string): string {
  return `${group.ipv6 ? 'ipv6 ' : ''}udp dst:${group.dstText} dport:${group.dport} reply-src:${replySrc}`;
}

/**
 * The filter for the stuck entries: every entry of the destination that points at the dead target
 * (idle ones too: nothing answers there), unless some of those still get answers; then the narrowest
 * of: only the unreplied ones, or the one source port.
 */
export function stuckQuery(table: FlowTable, set: StuckSet): { query: string; count: number } {
  const base = baseQuery(set.group, set.dead);
  if (!set.deadAnswers) return { query: base, count: selected(table, base)?.count ?? set.entries.length };
  const stuck = new Set(set.entries.map(flowKey));
  const candidates = [base];
  if (set.entries.every((f) => !f.status.includes('SEEN_REPLY'))) candidates.push(`${base} unreplied`);
  const [only] = set.entries;
  if (set.entries.length === 1 && only?.orig.sport !== undefined) candidates.push(`${base} sport:${only.orig.sport}`);
  let best: { query: string; count: number } | null = null;
  for (const query of candidates) {
    const hit = selected(table, query);
    if (!hit) continue;
    best ??= { query, count: hit.count };
    const exact = hit.count <= 1_024 && [...hit.keys].every((k) => stuck.has(k));
    if (exact) return { query, count: hit.count };
  }
  return best ?? { query: base, count: set.entries.length };
}

const endpoint = (group: UdpGroup) => (group.ipv6 ? `[${group.dstText}]:${group.dport}` : `${group.dstText}:${group.dport}`);
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function blackHoleDiagnosis(table: FlowTable, set: StuckSet, since: number, now: number): Diagnosis {
  const { query, count } = stuckQuery(table, set);
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

/**
 * Without counters only the mirror speaks: unreplied entries pointing elsewhere than the entries to
 * the same destination that are answered. That is how a black hole looks, but whether they still send
 * needs accounting.
 */
export function accountingDiagnosis(table: FlowTable, group: UdpGroup, sinceOf: (id: string) => number, now: number): Diagnosis | null {
  const c = table.columns;
  const pool = table.addresses.strings;
  const answered = new Set<string>();
  const unanswered = new Map<string, number[]>();
  for (const row of group.rows) {
    const src = pool[c.replySrc[row] as number] as string;
    if (((c.statusBits[row] as number) & SEEN_REPLY) !== 0) answered.add(src);
    else unanswered.set(src, [...(unanswered.get(src) ?? []), row]);
  }
  if (answered.size === 0) return null;
  const [dead, rows] = [...unanswered].find(([src]) => !answered.has(src)) ?? [];
  if (dead === undefined || !rows) return null;
  const query = `${baseQuery(group, dead)} unreplied`;
  const count = selected(table, query)?.count ?? rows.length;
  const to = endpoint(group);
  const id = `udp-black-hole:${group.dstText}:${group.dport}:${dead}`;
  return {
    name: 'udp-black-hole',
    id,
    title: `Possible UDP black hole to ${to}: ${count} unreplied entries point at ${dead}; accounting is needed to tell`,
    severity: 'info',
    since: sinceOf(id),
    meaning:
      `Entries to ${to} answered by ${[...answered].join(', ')} sit beside ${count} unreplied ones pointing at ${dead}: the pattern of clients stuck on a backend that is gone. ` +
      'Whether they still send needs packet counters, which nf_conntrack_acct turns on.',
    evidence: {
      facts: [
        { label: 'Destination (before DNAT)', value: `udp ${to}` },
        { label: 'Unreplied entries', value: String(count) },
        { label: 'They point at', value: dead },
        { label: 'Answered entries point at', value: [...answered].join(', ') },
        { label: 'Packet counters', value: 'off (net.netfilter.nf_conntrack_acct = 0, or the entries predate it)' },
      ],
      query,
      examples: rows.slice(0, 5).map((row) => toWireFlow(table.entryAt(row), now)),
    },
    fixes: [ACCT_FIX, { kind: 'delete', label: `Delete the ${count} unreplied entries pointing at ${dead}`, query, count }],
  };
}
