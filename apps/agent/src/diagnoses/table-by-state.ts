import type { Flow } from '@ctscope/conntrack';
import type { Diagnosis, StatsSample } from '@ctscope/protocol';
import { previewTimeoutChange } from '@ctscope/sysctl';
import type { FlowTable } from '../mirror/flow-table';
import { toWireFlow } from '../query/wire-flow';
import type { Detector } from './detector';

export const DEFAULT_TABLE_FULL_RATIO = 0.8;
/** The what-if (a fresh dump) is redone at most this often, and never more than 1/50 of the time. */
const WHATIF_MIN_AGE_MS = 5_000;
const WHATIF_COST_FACTOR = 50;

/** A reported table clears below this share of the near-full ratio. */
const CLEAR_FACTOR = 0.9;
const TCP = 6;
const SEEN_REPLY = 1 << 1;

export interface TableByStateDeps {
  table(): FlowTable;
  latestSample(): StatsSample | null;
  /** Usage of nf_conntrack_max (0-1) from which the table counts as near full. */
  fullRatio: number;
  /** The table afresh (current timeouts, which the mirror cannot know) for the what-if. */
  dump(): Promise<Flow[]>;
  /** A net.netfilter sysctl now (name without the prefix); undefined when unreadable. */
  readSysctl(name: string): Promise<number | undefined>;
}

type Filler = 'TIME_WAIT' | 'CLOSE_WAIT' | 'UNREPLIED';

/** The timeout governing the filler and what to lower it to (when it is at or below that: half). */
const TIMEOUTS: Record<string, { key: string; target: number }> = {
  TIME_WAIT: { key: 'nf_conntrack_tcp_timeout_time_wait', target: 30 },
  CLOSE_WAIT: { key: 'nf_conntrack_tcp_timeout_close_wait', target: 60 },
  'udp ': { key: 'nf_conntrack_udp_timeout', target: 10 },
  'tcp SYN_SENT': { key: 'nf_conntrack_tcp_timeout_syn_sent', target: 30 },
  'icmp ': { key: 'nf_conntrack_icmp_timeout', target: 10 },
};

const QUERIES: Record<Filler, string> = { TIME_WAIT: 'tcp state:time_wait', CLOSE_WAIT: 'tcp state:close_wait', UNREPLIED: 'unreplied' };

/** Counts TIME_WAIT, CLOSE_WAIT and unreplied entries (the latter by protocol and state) in one pass. */
export function countFillers(table: FlowTable): { counts: Record<Filler, number>; unrepliedBy: Map<string, number>; rows: Record<Filler, number[]> } {
  const c = table.columns;
  const timeWait = table.stateNumberOf('TIME_WAIT');
  const closeWait = table.stateNumberOf('CLOSE_WAIT');
  const counts: Record<Filler, number> = { TIME_WAIT: 0, CLOSE_WAIT: 0, UNREPLIED: 0 };
  const rows: Record<Filler, number[]> = { TIME_WAIT: [], CLOSE_WAIT: [], UNREPLIED: [] };
  const byProtoState = new Uint32Array(256 * 256);
  for (let row = 0; row < table.size; row++) {
    let filler: Filler | null = null;
    if (((c.statusBits[row] as number) & SEEN_REPLY) === 0) {
      filler = 'UNREPLIED';
      const cell = (c.protoNum[row] as number) * 256 + (c.state[row] as number);
      byProtoState[cell] = (byProtoState[cell] as number) + 1;
    } else if (c.protoNum[row] === TCP && timeWait !== 0 && c.state[row] === timeWait) filler = 'TIME_WAIT';
    else if (c.protoNum[row] === TCP && closeWait !== 0 && c.state[row] === closeWait) filler = 'CLOSE_WAIT';
    if (filler === null) continue;
    counts[filler]++;
    if (rows[filler].length < 5) rows[filler].push(row);
  }
  const unrepliedBy = new Map<string, number>();
  byProtoState.forEach((n, cell) => {
    if (n !== 0) unrepliedBy.set(`${table.protoName(cell >>> 8)} ${(cell & 255) === 0 ? '' : table.stateName(cell & 255)}`, n);
  });
  return { counts, unrepliedBy, rows };
}

/**
 * A near-full table (usage at or above `fullRatio` of nf_conntrack_max) more than half of which is
 * TIME_WAIT, CLOSE_WAIT or unreplied entries: the matching timeout is offered lowered, with the
 * what-if count of idle entries that frees (the sysctl package's previewTimeoutChange over a fresh dump).
 */
export class TableByStateDetector implements Detector {
  readonly name = 'table-filled-by-state' as const;
  private since = new Map<Filler, number>();
  private whatIf: { key: string; proposed: number; at: number; tookMs: number; idleLonger: number; governed: number } | null = null;

  constructor(private readonly deps: TableByStateDeps) {}

  async evaluate(now: number): Promise<Diagnosis[]> {
    const sample = this.deps.latestSample();
    const table = this.deps.table();
    // Once reported, it holds until usage falls 10 % below the ratio (no coming and going at the edge).
    const ratio = this.since.size > 0 ? this.deps.fullRatio * CLEAR_FACTOR : this.deps.fullRatio;
    if (!sample || sample.max <= 0 || sample.count / sample.max < ratio || table.size === 0) return this.clear();
    const { counts, unrepliedBy, rows } = countFillers(table);
    const filler = (Object.keys(counts) as Filler[]).find((f) => counts[f] > table.size / 2);
    if (!filler) return this.clear();
    // Rows move as the mirror changes: the examples are taken now, before any await.
    const examples = rows[filler].map((row) => toWireFlow(table.entryAt(row), now));
    const since = this.since.get(filler) ?? now;
    this.since = new Map([[filler, since]]);
    const usage = sample.count / sample.max;
    const share = counts[filler] / table.size;
    const [dominant] = [...unrepliedBy].sort((a, b) => b[1] - a[1]);
    const timeout = filler === 'UNREPLIED' ? (dominant ? TIMEOUTS[dominant[0].startsWith('tcp ') ? dominant[0] : `${dominant[0].split(' ')[0]} `] : undefined) : TIMEOUTS[filler];
    const current = timeout ? await this.deps.readSysctl(timeout.key) : undefined;
    const label = filler === 'UNREPLIED' ? `unreplied${dominant ? ` (mostly ${dominant[0].trim()})` : ''}` : filler;
    const facts = [
      { label: 'Table usage', value: `${sample.count} of ${sample.max} (${(usage * 100).toFixed(1)} %)` },
      { label: 'Near full from (--diagnose-table-full)', value: `${(this.deps.fullRatio * 100).toFixed(usage < 0.01 ? 4 : 1)} %` },
      { label: `${label} entries`, value: `${counts[filler]} of ${table.size} (${(share * 100).toFixed(1)} %)` },
    ];
    const fixes: Diagnosis['fixes'] = [];
    if (timeout && current !== undefined) {
      const proposed = current > timeout.target ? timeout.target : Math.max(1, Math.floor(current / 2));
      const name = `net.netfilter.${timeout.key}`;
      const whatIf = await this.computeWhatIf(name, current, proposed, now);
      facts.push({ label: name, value: `${current} s` });
      facts.push({ label: `Entries idle longer than ${proposed} s (freed when the change is applied with "free idle entries")`, value: String(whatIf.idleLonger) });
      fixes.push({
        kind: 'sysctl',
        label: `Lower ${timeout.key} from ${current} s to ${proposed} s (frees ${whatIf.idleLonger} idle entries)`,
        tradeoff: 'A lowered timeout reaches an entry only with its next packet: idle entries keep their old expiry unless they are freed with the change. Too short a timeout forgets connections that are still in use (late packets then count as INVALID or NEW).',
        changes: { [name]: proposed },
      });
    }
    return [
      {
        name: 'table-filled-by-state',
        id: `table-filled-by-state:${filler}`,
        title: `Table ${(usage * 100).toFixed(usage < 0.01 ? 3 : 0)} % full, ${(share * 100).toFixed(0)} % of it ${label}`,
        severity: usage >= 0.95 ? 'critical' : 'warning',
        since,
        meaning:
          `More than half of a nearly full table is ${label} entries: connections that are over or never answered, kept only until their timeout. ` +
          'When the table is full the kernel drops new connections ("nf_conntrack: table full"); a shorter timeout for this state frees room without touching live connections.',
        evidence: { facts, query: QUERIES[filler], examples },
        fixes,
      },
    ];
  }

  private async computeWhatIf(name: string, current: number, proposed: number, now: number) {
    const w = this.whatIf;
    const fresh = w && w.key === name && w.proposed === proposed && now - w.at < Math.max(WHATIF_MIN_AGE_MS, WHATIF_COST_FACTOR * w.tookMs);
    if (fresh) return w;
    const started = Date.now();
    const preview = previewTimeoutChange(await this.deps.dump(), { name, current, proposed }, 0);
    this.whatIf = { key: name, proposed, at: now, tookMs: Date.now() - started, idleLonger: preview.idleLonger, governed: preview.governed };
    return this.whatIf;
  }

  private clear(): Diagnosis[] {
    this.since.clear();
    this.whatIf = null;
    return [];
  }
}
