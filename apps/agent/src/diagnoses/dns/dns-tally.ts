import type { Flow, FlowEvent } from '@ctscope/conntrack';
import type { MirrorEntry } from '../../mirror/mirror';

export const DNS_PORT = 53;
/** Distinct resolver addresses counted per period; more are counted as "other". */
const MAX_RESOLVERS = 256;
/** DNAT targets remembered per resolver. */
const MAX_TARGETS = 4;
const EXAMPLES = 5;

export interface ResolverCount {
  /** The original destination (what clients asked: a ClusterIP, a node-local address, an upstream). */
  address: string;
  count: number;
  /** Where DNAT sent the queries (reply source), when it did. */
  dnatTo: string[];
}

interface Period {
  counts: Map<string, { count: number; dnatTo: Set<string> }>;
  other: number;
}

const emptyPeriod = (): Period => ({ counts: new Map(), other: 0 });

export function isDnsQuery(flow: Flow): boolean {
  return flow.proto === 'udp' && flow.orig.dport === DNS_PORT;
}

/**
 * Counts NEW UDP entries to port 53 from the mirror's event stream: a running total, the resolvers of
 * the last one to two periods (two maps of bounded size, swapped every `periodMs`), and the last few
 * entries as examples. Constant work per event, bounded memory.
 */
export class DnsTally {
  total = 0;
  private current: Period = emptyPeriod();
  private previous: Period = emptyPeriod();
  private periodStart: number;
  private readonly examples: MirrorEntry[] = [];

  constructor(
    private readonly periodMs: number,
    now: number,
  ) {
    this.periodStart = now;
  }

  record(event: FlowEvent, entry: MirrorEntry): void {
    if (event.type !== 'NEW' || !isDnsQuery(event.flow)) return;
    this.total++;
    const { flow } = event;
    let slot = this.current.counts.get(flow.orig.dst);
    if (!slot && this.current.counts.size < MAX_RESOLVERS) this.current.counts.set(flow.orig.dst, (slot = { count: 0, dnatTo: new Set() }));
    if (slot) {
      slot.count++;
      if (flow.reply.src !== flow.orig.dst && slot.dnatTo.size < MAX_TARGETS) slot.dnatTo.add(flow.reply.src);
    } else this.current.other++;
    this.examples.push(entry);
    if (this.examples.length > EXAMPLES) this.examples.shift();
  }

  /** Starts a new period when the current one is over (call it on every evaluation). */
  rotate(now: number): void {
    if (now - this.periodStart < this.periodMs) return;
    this.previous = this.current;
    this.current = emptyPeriod();
    this.periodStart = now;
  }

  /** The busiest resolvers of the current and the previous period, and the rest as `other`. */
  resolvers(top: number): { top: ResolverCount[]; other: number } {
    const merged = new Map<string, { count: number; dnatTo: Set<string> }>();
    let other = this.current.other + this.previous.other;
    for (const period of [this.previous, this.current]) {
      for (const [address, slot] of period.counts) {
        const m = merged.get(address) ?? { count: 0, dnatTo: new Set<string>() };
        m.count += slot.count;
        for (const t of slot.dnatTo) if (m.dnatTo.size < MAX_TARGETS) m.dnatTo.add(t);
        merged.set(address, m);
      }
    }
    const sorted = [...merged].map(([address, m]) => ({ address, count: m.count, dnatTo: [...m.dnatTo].sort() })).sort((a, b) => b.count - a.count || a.address.localeCompare(b.address));
    for (const rest of sorted.slice(top)) other += rest.count;
    return { top: sorted.slice(0, top), other };
  }

  recentExamples(): readonly MirrorEntry[] {
    return this.examples;
  }
}
