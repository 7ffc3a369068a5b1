import { DIAGNOSIS_NAMES, sumCpuCounters, type AgentInfo, type Alert, type CpuCounterKey, type Diagnosis, type MirrorHealthWire, type StatsSample } from '@ctscope/protocol';
import { Exposition, type Labels } from './exposition';
import { renderNetnsMetrics, type NetnsMetrics } from './netns';

/** Everything one scrape shows; built by the agent from its latest sample, mirror health, tally and alerts. */
export interface MetricsSnapshot {
  info: AgentInfo;
  /** The latest stats sample; null until the kernel has been read once. */
  sample: StatsSample | null;
  mirror: MirrorHealthWire;
  byProtocol: ReadonlyMap<string, number>;
  /** Keys `protocol state`, as tally() makes them. */
  byState: ReadonlyMap<string, number>;
  alerts: readonly Alert[];
  /** Active diagnoses; absent when the agent runs none (then no series is exported). */
  diagnoses?: readonly Pick<Diagnosis, 'name'>[];
  dashboardConnected: boolean;
  /** "table full" lines seen in the kernel log since start (KmsgWatcher.count), when watched. */
  kernelTableFullLines?: number;
  /** The latest per-namespace count pass; absent or null until one ran. */
  netns?: NetnsMetrics | null;
}

/** node_exporter's conntrack collector: same names, same HELP, gauges summed over CPUs. */
const NODE_EXPORTER_STATS: ReadonlyArray<[CpuCounterKey, string]> = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'Number of packets dropped due to conntrack failure.'],
  ['early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'],
  ['search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'],
];
/** Counters node_exporter does not export (newer kernels); same convention, our prefix. */
const OUR_STATS: ReadonlyArray<[CpuCounterKey, string]> = [
  ['error', 'Number of packets a protocol tracker rejected as errors, e.g. malformed or unmatched ICMP errors (summed over CPUs).'],
  ['clash_resolve', 'Number of insertion clashes resolved by reusing the existing entry (summed over CPUs).'],
  ['chaintoolong', 'Number of times a hash chain was too long and the entry was dropped (summed over CPUs).'],
];

const byKey = (a: [string, number], b: [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const sorted = (map: ReadonlyMap<string, number>) => [...map].sort(byKey);
const one = (value: number): Array<[Labels, number]> => [[{}, value]];

/** Renders a snapshot as Prometheus text (format 0.0.4); series within a metric are sorted. */
export function renderMetrics(s: MetricsSnapshot): string {
  const out = new Exposition();
  if (s.sample) {
    out.metric('node_nf_conntrack_entries', 'gauge', 'Number of currently allocated flow entries for connection tracking.', one(s.sample.count));
    out.metric('node_nf_conntrack_entries_limit', 'gauge', 'Maximum size of connection tracking table.', one(s.sample.max));
    const totals = sumCpuCounters(s.sample.cpu);
    for (const [key, help] of NODE_EXPORTER_STATS) out.metric(`node_nf_conntrack_stat_${key}`, 'gauge', help, one(totals[key]));
    for (const [key, help] of OUR_STATS) out.metric(`ctscope_stat_${key}`, 'gauge', help, one(totals[key]));
    if (s.sample.buckets !== undefined) out.metric('ctscope_buckets', 'gauge', 'Size of the conntrack hash table (nf_conntrack_buckets).', one(s.sample.buckets));
    out.metric('ctscope_hooks_active', 'gauge', '1 when a netfilter rule uses conntrack in the agent namespace, so entries are made.', one(s.sample.hooksActive ? 1 : 0));
    out.metric('ctscope_last_sample_timestamp_seconds', 'gauge', 'When the kernel table statistics above were read (stale when the kernel cannot be read).', one(s.sample.at / 1000));
  }
  out.metric('ctscope_entries_by_protocol', 'gauge', 'Mirrored entries by L4 protocol.', sorted(s.byProtocol).map(([protocol, n]) => [{ protocol }, n]));
  out.metric(
    'ctscope_entries_by_state',
    'gauge',
    'Mirrored entries by protocol state.',
    sorted(s.byState).map(([key, n]) => {
      const space = key.indexOf(' ');
      return [{ protocol: space < 0 ? key : key.slice(0, space), state: space < 0 ? '' : key.slice(space + 1) }, n];
    }),
  );
  out.metric('ctscope_events_total', 'counter', 'Kernel conntrack events applied to the mirror, by type.', Object.entries(s.mirror.events).map(([type, n]) => [{ type }, n]));
  out.metric('ctscope_event_overruns_total', 'counter', 'Times the kernel dropped events because the receive buffer was full.', one(s.mirror.overruns));
  if (s.mirror.lostEvents !== undefined) {
    out.metric('ctscope_events_lost_total', 'counter', 'Events the kernel dropped on the agent event socket (exact count from the socket; each loss makes the mirror re-read the table).', one(s.mirror.lostEvents));
  }
  out.metric('ctscope_mirror_resyncs_total', 'counter', 'Full re-reads of the table (initial, overrun, count drift...).', one(s.mirror.resyncs));
  const last = s.mirror.lastResync;
  if (last) {
    out.metric('ctscope_mirror_last_resync_timestamp_seconds', 'gauge', 'When the mirror last re-read the table, labelled with why.', [[{ reason: last.reason }, last.at / 1000]]);
    out.metric('ctscope_mirror_last_resync_duration_seconds', 'gauge', 'How long the last re-read took.', one(last.durationMs / 1000));
  }
  out.metric('ctscope_mirror_resyncing', 'gauge', '1 while a re-read of the table is being merged.', one(s.mirror.resyncing ? 1 : 0));
  out.metric('ctscope_mirror_entries', 'gauge', 'Entries in the agent mirror.', one(s.mirror.entries));
  out.metric('ctscope_mirror_eventless_entries', 'gauge', 'Mirrored entries the kernel reports no events for (created before the agent listened); the table is re-read until they are gone.', one(s.mirror.eventless));
  out.metric('ctscope_mirror_lag_seconds', 'gauge', 'How far the mirror trails the kernel.', one(s.mirror.lagMs / 1000));
  if (s.kernelTableFullLines !== undefined) {
    out.metric('ctscope_kernel_table_full_total', 'counter', 'Kernel log lines "nf_conntrack: table full, dropping packet" seen since the agent started.', one(s.kernelTableFullLines));
  }
  if (s.netns) renderNetnsMetrics(out, s.netns);
  out.metric(
    'ctscope_alerts_active',
    'gauge',
    'Active alerts, 1 per alert (see the dashboard or the agent log for the advice).',
    [...s.alerts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((a) => [{ name: a.name, severity: a.severity }, 1]),
  );
  if (s.diagnoses) {
    const active = new Set(s.diagnoses.map((d) => d.name));
    out.metric('ctscope_diagnosis_active', 'gauge', '1 while the agent diagnoses this condition (see the host page for evidence and fixes), else 0.', DIAGNOSIS_NAMES.map((name) => [{ name }, active.has(name) ? 1 : 0]));
  }
  out.metric('ctscope_dashboard_connected', 'gauge', '1 while the agent is connected to its dashboard.', one(s.dashboardConnected ? 1 : 0));
  out.metric('ctscope_agent_info', 'gauge', 'Agent version, kernel and table source; always 1.', [[{ version: s.info.agentVersion, kernel: s.info.kernel, source: s.info.source }, 1]]);
  return out.text();
}
