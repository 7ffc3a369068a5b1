import type { Flow } from '@ctscope/conntrack';
import { knownParamForName } from '../catalog/known';
import type { TimeoutTarget } from '../catalog/types';
import { humanizeSeconds } from '../humanize';

export interface TimeoutChange {
  /** e.g. net.netfilter.nf_conntrack_tcp_timeout_established */
  name: string;
  /** The value configured now (what the entries' expiry was last set from), in seconds. */
  current: number;
  proposed: number;
}

export interface TimeoutPreview {
  name: string;
  current: number;
  proposed: number;
  /** False when idle time cannot be told from the table for this parameter (see reason). */
  previewable: boolean;
  reason?: string;
  /** Entries this timeout governs (protocol, state, ASSURED as the kernel picks it). */
  governed: number;
  /** Entries in the list given. */
  total: number;
  /** Governed entries idle longer than the proposed value. */
  idleLonger: number;
  /** idleLonger as a percentage of the governed entries (one decimal). */
  percent: number;
  percentOfTable: number;
  /** Every matching entry (the same objects that were passed in). */
  matches: Flow[];
  /** Up to sampleSize matches, longest idle first. */
  sample: Flow[];
  /** Whether an entry is governed by the timeout and idle longer than the proposed value. */
  predicate: (flow: Flow) => boolean;
  /** Estimated idle seconds of a governed entry: current − remaining timeout. */
  idleSeconds: (flow: Flow) => number | undefined;
  message: string;
}

/** Entries the kernel would time out with this parameter, as it picks per protocol, state and status. */
export function governs(target: TimeoutTarget, flow: Flow): boolean {
  if (!target.protos.includes(flow.proto)) return false;
  if (flow.status.includes('FIXED_TIMEOUT') || flow.status.includes('OFFLOAD')) return false;
  if (target.states && (flow.state === undefined || !target.states.includes(flow.state))) return false;
  if (target.assured !== undefined && flow.status.includes('ASSURED') !== target.assured) return false;
  return true;
}

const pct = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 10 : 0);

/**
 * What lowering (or raising) a timeout would mean for the entries in the table now. The kernel sets
 * an entry's expiry from the timeout when a packet arrives, so a new value reaches an entry only with
 * its next packet: idle entries keep their old expiry. Idle time is estimated as
 * current timeout − remaining timeout, which holds for entries whose expiry was last set from the
 * current value (not for ones capped by the retransmission timeouts or set by a custom policy).
 * Pure: give it the mirror's flows; it reads nothing.
 */
export function previewTimeoutChange(flows: Iterable<Flow>, change: TimeoutChange, sampleSize = 50): TimeoutPreview {
  const param = knownParamForName(change.name);
  const target = param?.timeoutOf;
  const list = [...flows];
  const base = { name: change.name, current: change.current, proposed: change.proposed, total: list.length };
  if (!target || target.notPreviewable) {
    const reason = !param ? `${change.name} is not a known parameter` : target ? `${change.name}: ${target.notPreviewable}` : `${change.name} does not time out conntrack entries`;
    return { ...base, previewable: false, reason, governed: 0, idleLonger: 0, percent: 0, percentOfTable: 0, matches: [], sample: [], predicate: () => false, idleSeconds: () => undefined, message: `No preview: ${reason}.` };
  }
  const idleSeconds = (flow: Flow) => (governs(target, flow) && flow.timeout !== undefined ? Math.max(0, change.current - flow.timeout) : undefined);
  const predicate = (flow: Flow) => {
    const idle = idleSeconds(flow);
    return idle !== undefined && idle > change.proposed;
  };
  let governed = 0;
  const matches: Flow[] = [];
  for (const flow of list) {
    if (!governs(target, flow)) continue;
    governed++;
    if (predicate(flow)) matches.push(flow);
  }
  const percent = pct(matches.length, governed);
  const sample = [...matches].sort((a, b) => (a.timeout ?? 0) - (b.timeout ?? 0)).slice(0, sampleSize);
  let message: string;
  if (change.proposed >= change.current) {
    message = `Raising the timeout to ${change.proposed} s (${humanizeSeconds(change.proposed)}): existing entries keep their current expiry until their next packet; nothing to free.`;
  } else if (matches.length === 0) {
    message = `No entries have been idle longer than ${change.proposed} s; entries pick up the new timeout with their next packet.`;
  } else {
    message = `${matches.length} entries (${percent} %) have been idle longer than ${change.proposed} s; they will NOT expire sooner by themselves — free them now?`;
  }
  return { ...base, previewable: true, governed, idleLonger: matches.length, percent, percentOfTable: pct(matches.length, list.length), matches, sample, predicate, idleSeconds, message };
}
