import type { Catalog } from '../catalog/discover';
import type { HostFacts } from '../catalog/types';
import { groupDigits, humanizeSeconds } from '../humanize';
import { bytesPerEntry, chainLength, estimateMemory } from './memory';
import { recommendMax } from './max';

export interface ProposedValue {
  name: string;
  value: number;
}

export interface Recommendation {
  id: string;
  /** info: explains a trade-off; suggest: a change likely to help; warn: a present risk. */
  severity: 'info' | 'suggest' | 'warn';
  title: string;
  reason: string;
  /** What the change costs or risks. */
  tradeoff?: string;
  /** Values to fill the form with (never applied by this package). */
  proposed: ProposedValue[];
}

export interface AdviceInput {
  /** Current values by full name (net.netfilter.nf_conntrack_max...). */
  values: Readonly<Record<string, number | null | undefined>>;
  facts: HostFacts;
  /** Entries in the table now. */
  count?: number;
}

const N = (key: string) => `net.netfilter.nf_conntrack_${key}`;

/** Current values of a catalog, for recommendations. */
export function valuesOf(catalog: Catalog): Record<string, number | null> {
  return Object.fromEntries(catalog.entries.map((e) => [e.name, e.value]));
}

function limits(input: AdviceInput, out: Recommendation[]): void {
  const max = input.values[N('max')];
  const buckets = input.values[N('buckets')];
  const rec = recommendMax(input.facts);
  if (typeof max === 'number') {
    if (max < rec.ours.max) {
      out.push({
        id: 'max',
        severity: 'suggest',
        title: `Raise nf_conntrack_max to ${groupDigits(rec.ours.max)}`,
        reason: `${rec.ours.reason} kube-proxy's formula would give ${rec.kubeProxy.formula}.`,
        tradeoff: 'A larger ceiling only costs memory when entries fill it; a full table drops new connections.',
        proposed: [{ name: N('max'), value: rec.ours.max }, ...(typeof buckets === 'number' && buckets < rec.ours.buckets ? [{ name: N('buckets'), value: rec.ours.buckets }] : [])],
      });
    }
    if (input.count !== undefined && input.count > 0.75 * max) {
      out.push({ id: 'max-usage', severity: 'warn', title: 'Table more than 75 % full', reason: `${groupDigits(input.count)} of ${groupDigits(max)} entries in use; new connections are dropped when it is full.`, proposed: [] });
    }
  }
  if (typeof max === 'number' && typeof buckets === 'number' && buckets > 0 && chainLength(max, buckets) > 8) {
    const mem = estimateMemory({ max, buckets: max });
    out.push({
      id: 'buckets',
      severity: 'suggest',
      title: `Raise nf_conntrack_buckets to ${groupDigits(max)}`,
      reason: `A full table would average ${chainLength(max, buckets)} entries per hash chain (2 × max / buckets); every packet's lookup walks a chain. Buckets = max gives 2.`,
      tradeoff: `8 bytes per bucket, allocated up front (${mem.summary}). Resizing briefly locks the table; do it at a quiet moment.`,
      proposed: [{ name: N('buckets'), value: max }],
    });
  }
}

function timeouts(input: AdviceInput, out: Recommendation[]): void {
  const est = input.values[N('tcp_timeout_established')];
  if (typeof est === 'number' && est > 3600) {
    out.push({
      id: 'established',
      severity: 'suggest',
      title: 'Shorter established timeout for short-lived connections (3600 s)',
      reason: `Entries of connections that disappeared without FIN or RST (crashed clients, mobile networks, NAT rebinding) stay ${humanizeSeconds(est)}. On web, API and proxy servers 1 hour frees them much sooner.`,
      tradeoff: 'Connections idle longer than the timeout lose their entry; with stateful rules or NAT their next packet is dropped or mistracked. Keep TCP keepalives (databases, SSH, message brokers) below it, or choose 86400 s (kube-proxy).',
      proposed: [{ name: N('tcp_timeout_established'), value: 3600 }],
    });
  }
  const cw = input.values[N('tcp_timeout_close_wait')];
  if (typeof cw === 'number' && cw > 600) {
    out.push({
      id: 'close-wait',
      severity: 'warn',
      title: 'Long close_wait timeout',
      reason: `Half-closed connections stay ${humanizeSeconds(cw)}; with many of them (clients that never close, kubernetes#97377 with 1 hour) the table fills. The kernel default is 60 s.`,
      proposed: [{ name: N('tcp_timeout_close_wait'), value: 60 }],
    });
  }
  const udp = input.values[N('udp_timeout')];
  if (typeof udp === 'number' && udp > 60) {
    out.push({ id: 'udp', severity: 'suggest', title: 'Long UDP timeout', reason: `Every one-shot UDP exchange (each DNS query from a new port) occupies an entry ${humanizeSeconds(udp)}; at 10,000 queries/s that is ${groupDigits(10_000 * udp)} entries. The default is 30 s.`, proposed: [{ name: N('udp_timeout'), value: 30 }] });
  }
  const stream = input.values[N('udp_timeout_stream')];
  if (typeof stream === 'number' && stream > 300) {
    out.push({ id: 'udp-stream', severity: 'info', title: 'Long UDP stream timeout', reason: `UDP streams stay ${humanizeSeconds(stream)} after their last packet; 120 s (default) suits most; VPN and VoIP keepalives are usually shorter.`, proposed: [{ name: N('udp_timeout_stream'), value: 120 }] });
  }
}

function behaviour(input: AdviceInput, out: Recommendation[]): void {
  const loose = input.values[N('tcp_loose')];
  if (typeof loose === 'number') {
    out.push({ id: 'tcp-loose', severity: 'info', title: `tcp_loose is ${loose ? 'on' : 'off'}`, reason: 'On (default): connections already in progress are picked up mid-stream after a reboot, flush or failover, so they survive. Off: only connections seen from their SYN are tracked, which resists some spoofed ACK floods but breaks existing connections on failover.', proposed: [] });
  }
  const liberal = input.values[N('tcp_be_liberal')];
  if (typeof liberal === 'number') {
    out.push({ id: 'tcp-be-liberal', severity: 'info', title: `tcp_be_liberal is ${liberal ? 'on' : 'off'}`, reason: 'On: out-of-window packets (other than RST) are accepted instead of being INVALID; fixes resets and stalls behind middleboxes or with window scaling bugs (a common fix for spurious INVALID drops in Kubernetes). Off (default): strict window tracking.', tradeoff: 'On weakens protection against injected packets.', proposed: [] });
  }
  const acct = input.values[N('acct')];
  const ts = input.values[N('timestamp')];
  if (typeof acct === 'number' || typeof ts === 'number') {
    const max = input.values[N('max')];
    const extra = typeof max === 'number' ? max * (bytesPerEntry({ acct: true, timestamp: true }) - bytesPerEntry()) : null;
    out.push({
      id: 'acct-timestamp',
      severity: 'info',
      title: 'Per-connection counters and timestamps',
      reason: `nf_conntrack_acct (${acct ? 'on' : 'off'}) gives bytes and packets per connection; nf_conntrack_timestamp (${ts ? 'on' : 'off'}) gives connection start times. ctscope's byte columns and ages need them.`,
      tradeoff: `32 + 16 bytes per entry${extra === null ? '' : ` (up to ${groupDigits(extra)} bytes more when the table is full)`}, and a counter update on every packet for acct. They apply to entries created after the change.`,
      proposed: [],
    });
  }
}

/** Recommendations for the current values, each with its reason and trade-off. */
export function recommend(input: AdviceInput): Recommendation[] {
  const out: Recommendation[] = [];
  limits(input, out);
  timeouts(input, out);
  behaviour(input, out);
  return out;
}
