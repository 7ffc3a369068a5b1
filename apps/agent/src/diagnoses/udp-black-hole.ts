import type { Flow } from '@ctscope/conntrack';
import type { Diagnosis } from '@ctscope/protocol';
import type { FlowTable } from '../mirror/flow-table';
import type { Detector } from './detector';
import { accountingDiagnoses, blackHoleDiagnosis, stuckQueries, type StuckSet } from './udp-diagnosis';
import { udpCandidateGroups, type UdpGroup } from './udp-groups';
import { UdpWatch, type Watched } from './udp-watch';

export const DEFAULT_UDP_SILENCE_SECONDS = 30;
/** Kernel reads (one entry each) per pass at most. */
const MAX_READS = 256;
/** Reads each destination read this pass gets before the first ones take the rest of the budget. */
const FAIR_SHARE = 32;
/** Destinations remembered as read (for `fresh`, see UdpWatch.observe). */
const MAX_GROUPS_REMEMBERED = 4_096;
/** An entry not read for this long (or twice the silence limit) is forgotten. */
const FORGET_AFTER_MS = 120_000;
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
  /** When each destination was last read. */
  private readonly readAt = new Map<string, number>();
  /** What the last read of each destination found: kept while it waits for its turn. */
  private readonly lastFound = new Map<string, StuckSet[]>();
  /** Where the reads of destinations that are not suspicious start this pass (they take turns). */
  private cursor = 0;

  constructor(private readonly deps: UdpBlackHoleDeps) {
    this.watch = new UdpWatch(deps.silenceMs);
  }

  async evaluate(now: number): Promise<Diagnosis[]> {
    const acct = await this.deps.accounting();
    const table = this.deps.table();
    const groups = udpCandidateGroups(table, now);
    if (groups.length === 0) return this.keep([]);
    if (acct === 0 || !this.deps.readEntry) return this.keep(this.withoutCounters(table, groups, now));

    // Suspicious destinations are read every pass; the others take turns. Each destination read gets a
    // share (its best ranked rows first: long-lived, unreplied), then the first ones the rest. Rows move
    // as the mirror changes: the entries are taken now, before any kernel read.
    const suspicious = groups.filter((g) => g.suspicious);
    const others = groups.filter((g) => !g.suspicious);
    const start = others.length ? this.cursor % others.length : 0;
    const ordered = [...suspicious, ...others.slice(start), ...others.slice(0, start)];
    let budget = MAX_READS;
    const shares = ordered.map((group) => {
      const n = Math.min(group.rows.length, FAIR_SHARE, budget);
      budget -= n;
      return n;
    });
    ordered.forEach((group, i) => {
      const extra = Math.min(group.rows.length - (shares[i] as number), budget);
      shares[i] = (shares[i] as number) + extra;
      budget -= extra;
    });
    this.cursor = start + shares.slice(suspicious.length).filter((n) => n > 0).length;
    const batches = ordered
      .map((group, i) => ({ group, flows: group.rows.slice(0, shares[i]).map((row) => table.entryAt(row).flow) }))
      .filter((b) => b.flows.length > 0);
    let counted = 0;
    for (const { group, flows } of batches) {
      const key = groupKey(group);
      const last = this.readAt.get(key);
      const fresh = last !== undefined && now - last < this.deps.silenceMs;
      const watched: Watched[] = [];
      for (const flow of flows) {
        const read = await this.deps.readEntry(flow).catch(() => null);
        const w = read && this.watch.observe(read, now, fresh);
        if (w) watched.push(w);
      }
      this.readAt.delete(key);
      this.readAt.set(key, now);
      counted += watched.length;
      const sets = stuckSets(group, watched);
      if (sets.length > 0) this.lastFound.set(key, sets);
      else this.lastFound.delete(key);
    }
    // Destinations no longer candidates have nothing to report; the others report what their last read found.
    const current = new Map(groups.map((g) => [groupKey(g), g]));
    const found: StuckSet[] = [];
    for (const [key, sets] of this.lastFound) {
      const group = current.get(key);
      if (group) found.push(...sets.map((set) => ({ ...set, group })));
      else this.lastFound.delete(key);
    }
    if (this.readAt.size > MAX_GROUPS_REMEMBERED) this.readAt.delete(this.readAt.keys().next().value as string);
    this.watch.forget(now, Math.max(2 * this.deps.silenceMs, FORGET_AFTER_MS));
    const after = this.deps.table();
    // Counters on, but none of the candidates has them: they predate nf_conntrack_acct=1.
    if (counted === 0) return this.keep(this.withoutCounters(after, udpCandidateGroups(after, now), now));
    const reported = found.slice(0, MAX_REPORTED);
    const queries = stuckQueries(after, reported);
    return this.keep(reported.map((set, i) => blackHoleDiagnosis(set, queries[i] as { query: string; count: number }, this.sinceOf(set.id, set.since ?? now), now)));
  }

  private withoutCounters(table: FlowTable, groups: readonly UdpGroup[], now: number): Diagnosis[] {
    return accountingDiagnoses(table, groups, MAX_REPORTED, (id) => this.sinceOf(id, now), now);
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

const groupKey = (group: UdpGroup) => `${group.dstText}|${group.dport}`;

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
