import type { Flow } from '@ctscope/conntrack';
import type { Diagnosis } from '@ctscope/protocol';
import type { FlowTable } from '../mirror/flow-table';
import type { Detector } from './detector';
import { accountingDiagnosis, blackHoleDiagnosis, type StuckSet } from './udp-diagnosis';
import { udpCandidateGroups, type UdpGroup } from './udp-groups';
import { UdpWatch, type Watched } from './udp-watch';

export const DEFAULT_UDP_SILENCE_SECONDS = 30;
/** Kernel reads (one entry each) per pass at most. */
const MAX_READS = 256;
/** Diagnoses of this kind at most. */
const MAX_REPORTED = 10;

export interface UdpBlackHoleDeps {
  table(): FlowTable;
  /** One entry as the kernel holds it now (fresh counters), null when gone; absent when the source cannot. */
  readEntry?: (flow: Flow) => Promise<Flow | null>;
  /** nf_conntrack_acct now; undefined when unreadable. */
  accounting(): Promise<number | undefined>;
  /** How long an answered entry may go unanswered while it keeps sending. */
  silenceMs: number;
}

/**
 * UDP entries that keep sending to a DNAT target that no longer answers (Kubernetes 19029, 48370,
 * 125467: a backend replaced while clients keep their source port). The mirror names the candidate
 * destinations cheaply (see udpCandidateGroups); their entries are then read afresh from the kernel,
 * since a packet updates counters without any event, and followed across passes (UdpWatch).
 */
export class UdpBlackHoleDetector implements Detector {
  readonly name = 'udp-black-hole' as const;
  private readonly watch: UdpWatch;
  private readonly since = new Map<string, number>();

  constructor(private readonly deps: UdpBlackHoleDeps) {
    this.watch = new UdpWatch(deps.silenceMs);
  }

  async evaluate(now: number): Promise<Diagnosis[]> {
    const acct = await this.deps.accounting();
    const table = this.deps.table();
    const groups = udpCandidateGroups(table);
    if (groups.length === 0) return this.keep([]);
    if (acct === 0 || !this.deps.readEntry) return this.keep(this.withoutCounters(table, groups, now));

    // Rows move as the mirror changes: the entries are taken now, before any kernel read.
    let budget = MAX_READS;
    const batches: { group: UdpGroup; flows: Flow[] }[] = [];
    for (const group of groups) {
      if (budget <= 0) break;
      const flows = group.rows.slice(0, budget).map((row) => table.entryAt(row).flow);
      budget -= flows.length;
      batches.push({ group, flows });
    }
    const pass = this.watch.begin(now);
    const found: StuckSet[] = [];
    let counted = 0;
    for (const { group, flows } of batches) {
      const watched: Watched[] = [];
      for (const flow of flows) {
        const fresh = await this.deps.readEntry(flow).catch(() => null);
        const w = fresh && pass.observe(fresh);
        if (w) watched.push(w);
      }
      counted += watched.length;
      found.push(...stuckSets(group, watched));
    }
    pass.end();
    const current = this.deps.table();
    // Counters on, but none of the candidates has them: they predate nf_conntrack_acct=1.
    if (counted === 0) return this.keep(this.withoutCounters(current, udpCandidateGroups(current), now));
    return this.keep(found.slice(0, MAX_REPORTED).map((set) => blackHoleDiagnosis(current, set, this.sinceOf(set.id, set.since ?? now), now)));
  }

  private withoutCounters(table: FlowTable, groups: readonly UdpGroup[], now: number): Diagnosis[] {
    const out: Diagnosis[] = [];
    for (const group of groups) {
      if (out.length >= MAX_REPORTED) break;
      const d = accountingDiagnosis(table, group, (id) => this.sinceOf(id, now), now);
      if (d) out.push(d);
    }
    return out;
  }

  private sinceOf(id: string, at: number): number {
    let since = this.since.get(id);
    if (since === undefined) this.since.set(id, (since = at));
    return since;
  }

  /** Forgets when conditions no longer reported were first seen. */
  private keep(active: Diagnosis[]): Diagnosis[] {
    const ids = new Set(active.map((d) => d.id));
    for (const id of this.since.keys()) if (!ids.has(id)) this.since.delete(id);
    return active;
  }
}

/**
 * The stuck entries of one destination, by the DNAT target they point at. An entry is stuck when it
 * keeps sending and either had answers and has had none for the silence limit, or never had one
 * while other entries to the same destination are answered right now.
 */
export function stuckSets(group: UdpGroup, watched: readonly Watched[]): StuckSet[] {
  const live = watched.filter((w) => w.live);
  const liveSources = new Set(live.map((w) => w.flow.reply.src));
  const bySource = new Map<string, Watched[]>();
  for (const w of watched) {
    const stuck = w.silent || (w.unreplied && w.sending && live.length > 0);
    if (!stuck) continue;
    const list = bySource.get(w.flow.reply.src) ?? [];
    list.push(w);
    bySource.set(w.flow.reply.src, list);
  }
  const out: StuckSet[] = [];
  for (const [dead, entries] of bySource) {
    const starts = entries.map((w) => w.silentSince).filter((s): s is number => s !== null);
    out.push({
      id: `udp-black-hole:${group.dstText}:${group.dport}:${dead}`,
      group,
      dead,
      live: [...liveSources].filter((s) => s !== dead),
      deadAnswers: liveSources.has(dead),
      entries: entries.map((w) => w.flow),
      packetsPerSecond: entries.reduce((sum, w) => sum + (w.seconds > 0 ? w.origDelta / w.seconds : 0), 0),
      since: starts.length ? Math.min(...starts) : null,
    });
  }
  return out;
}
