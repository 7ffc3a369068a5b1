import type { Diagnosis, StatsSample } from '@ctscope/protocol';
import type { Detector } from './detector';

/** The rate is measured over this much sample history. */
export const INVALID_WINDOW_MS = 30_000;
/** Points kept: a pass every second at the fastest, over the window and a little more. */
const MAX_POINTS = 64;
/** CPUs named in the facts at most. */
const MAX_CPU_FACTS = 8;

export interface InvalidDropsDeps {
  latestSample(): StatsSample | null;
  /** INVALID packets per second (over the window) from which the condition is reported. */
  ratePerSecond: number;
  /** nf_conntrack_tcp_be_liberal now; undefined when unreadable. */
  beLiberal(): Promise<number | undefined>;
}

interface Point {
  at: number;
  /** invalid counter by CPU number. */
  cpus: Map<number, number>;
}

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * Packets conntrack marks INVALID (the per-CPU `invalid` counter) arriving at a sustained rate: with a
 * rule that drops INVALID packets (kube-proxy's, or `ct state invalid drop`), connections see resets
 * and stalls (Kubernetes 74839, 117924).
 */
export class InvalidDropsDetector implements Detector {
  readonly name = 'invalid-drops' as const;
  private readonly points: Point[] = [];
  private since: number | null = null;

  constructor(private readonly deps: InvalidDropsDeps) {}

  async evaluate(now: number): Promise<Diagnosis[]> {
    const sample = this.deps.latestSample();
    const last = this.points.at(-1);
    if (sample && sample.cpu.length > 0 && (!last || sample.at > last.at)) {
      this.points.push({ at: sample.at, cpus: new Map(sample.cpu.map((c) => [c.cpu, c.invalid])) });
      if (this.points.length > MAX_POINTS) this.points.shift();
    }
    const newest = this.points.at(-1);
    // The oldest point inside the window (the counters are cumulative: the window's increase is newest − oldest).
    const oldest = newest && this.points.find((p) => p.at >= newest.at - INVALID_WINDOW_MS);
    if (!newest || !oldest || newest.at - oldest.at < 1_000) return this.clear();
    const seconds = (newest.at - oldest.at) / 1000;
    const perCpu = [...newest.cpus].map(([cpu, value]) => ({ cpu, rate: Math.max(0, value - (oldest.cpus.get(cpu) ?? value)) / seconds }));
    const rate = perCpu.reduce((a, c) => a + c.rate, 0);
    // Once reported, it holds until the rate falls below half the threshold (no coming and going at the edge).
    if (rate < (this.since === null ? this.deps.ratePerSecond : this.deps.ratePerSecond / 2)) return this.clear();
    this.since ??= now;
    const liberal = await this.deps.beLiberal();
    const busiest = perCpu.filter((c) => c.rate > 0).sort((a, b) => b.rate - a.rate).slice(0, MAX_CPU_FACTS);
    const diagnosis: Diagnosis = {
      name: 'invalid-drops',
      id: 'invalid-drops',
      title: 'Packets marked INVALID by conntrack',
      severity: 'warning',
      since: this.since,
      meaning:
        'Conntrack cannot place these packets in a tracked connection, most often TCP segments outside the window it follows (after a middlebox rewrote sequence numbers or windows, or a late retransmission). ' +
        'Where a rule drops INVALID packets (kube-proxy adds one, as does `ct state invalid drop`), applications see "connection reset by peer" or stalls.',
      evidence: {
        facts: [
          { label: `INVALID packets/s (last ${Math.round(seconds)} s)`, value: rate.toFixed(1) },
          ...busiest.map((c) => ({ label: `INVALID/s on CPU ${c.cpu}`, value: c.rate.toFixed(1) })),
          { label: 'INVALID packets in total (kernel counter)', value: String(sum(newest.cpus)) },
          { label: 'Rising since', value: new Date(this.since).toISOString() },
          { label: 'net.netfilter.nf_conntrack_tcp_be_liberal', value: liberal === undefined ? 'unknown' : String(liberal) },
        ],
        query: null,
        examples: [],
      },
      fixes: [
        ...(liberal === 1
          ? []
          : [
              {
                kind: 'sysctl' as const,
                label: 'Accept out-of-window TCP packets (nf_conntrack_tcp_be_liberal = 1)',
                tradeoff: 'Only out-of-window RST packets stay INVALID; other out-of-window packets are tracked instead of dropped. It weakens TCP window checking (a middlebox protection against injected segments) in this network namespace.',
                changes: { 'net.netfilter.nf_conntrack_tcp_be_liberal': 1 },
              },
            ]),
        {
          kind: 'rule' as const,
          label: 'Log INVALID packets for a minute to see them',
          tradeoff: 'Adds a rate-limited LOG rule (prefix "ctscope-invalid: ") in ctscope\'s own chains; the kernel log shows the packets. It removes itself after 60 s.',
          spec: { kind: 'log-invalid' },
          expiresInSeconds: 60,
        },
      ],
    };
    return [diagnosis];
  }

  private clear(): Diagnosis[] {
    this.since = null;
    return [];
  }
}
