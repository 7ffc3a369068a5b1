import { sumCpuCounters, type Alert, type AgentInfo, type CpuCounterKey, type StatsSample } from '@ctscope/protocol';
import type { MirrorHealth } from '../mirror/mirror';

/** Everything one scrape shows; built by the agent from its latest sample, mirror and alerts. */
export interface MetricsSnapshot {
  info: AgentInfo;
  sample: StatsSample | null;
  mirror: MirrorHealth;
  byProtocol: ReadonlyMap<string, number>;
  /** Keys `protocol state`. */
  byState: ReadonlyMap<string, number>;
  alerts: readonly Alert[];
  dashboardConnected: boolean;
}

/** node_exporter's names for the counters it exports; the rest are ours. */
const NODE_EXPORTER_STATS: readonly CpuCounterKey[] = ['found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'search_restart'];
const OUR_STATS: readonly CpuCounterKey[] = ['error', 'clash_resolve', 'chaintoolong'];

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string>, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      this.lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Prometheus text exposition format 0.0.4. */
export function renderMetrics(s: MetricsSnapshot): string {
  const out = new Exposition();
  if (s.sample) {
    out.metric('node_nf_conntrack_entries', 'gauge', 'Number of currently allocated flow entries for connection tracking.', [[{}, s.sample.count]]);
    out.metric('node_nf_conntrack_entries_limit', 'gauge', 'Maximum size of connection tracking table.', [[{}, s.sample.max]]);
    const totals = sumCpuCounters(s.sample.cpu);
    for (const key of NODE_EXPORTER_STATS) out.metric(`node_nf_conntrack_stat_${key}`, 'gauge', `Conntrack ${key} counter summed over CPUs.`, [[{}, totals[key]]]);
    for (const key of OUR_STATS) out.metric(`ctscope_stat_${key}`, 'gauge', `Conntrack ${key} counter summed over CPUs.`, [[{}, totals[key]]]);
    if (s.sample.buckets !== undefined) out.metric('ctscope_buckets', 'gauge', 'Size of the conntrack hash table (nf_conntrack_buckets).', [[{}, s.sample.buckets]]);
    out.metric('ctscope_hooks_active', 'gauge', '1 when a netfilter rule uses conntrack in the agent namespace.', [[{}, s.sample.hooksActive ? 1 : 0]]);
  }
  out.metric('ctscope_entries_by_protocol', 'gauge', 'Mirrored entries by L4 protocol.', [...s.byProtocol].map(([protocol, n]) => [{ protocol }, n]));
  out.metric(
    'ctscope_entries_by_state',
    'gauge',
    'Mirrored entries by protocol state.',
    [...s.byState].map(([key, n]) => {
      const [protocol = '', state = ''] = key.split(' ');
      return [{ protocol, state }, n];
    }),
  );
  out.metric('ctscope_events_total', 'counter', 'Kernel conntrack events applied to the mirror.', Object.entries(s.mirror.events).map(([type, n]) => [{ type }, n]));
  out.metric('ctscope_event_overruns_total', 'counter', 'Times the kernel dropped events because the receive buffer was full.', [[{}, s.mirror.overruns]]);
  out.metric('ctscope_mirror_resyncs_total', 'counter', 'Full re-reads of the table (initial, overrun, count drift...).', [[{}, s.mirror.resyncs]]);
  out.metric('ctscope_mirror_entries', 'gauge', 'Entries in the agent mirror.', [[{}, s.mirror.entries]]);
  out.metric('ctscope_mirror_lag_seconds', 'gauge', 'How far the mirror trails the kernel.', [[{}, s.mirror.lagMs / 1000]]);
  out.metric('ctscope_alerts_active', 'gauge', 'Active alerts (1 per alert).', s.alerts.map((a) => [{ name: a.name, severity: a.severity }, 1]));
  out.metric('ctscope_dashboard_connected', 'gauge', '1 while the agent is connected to its dashboard.', [[{}, s.dashboardConnected ? 1 : 0]]);
  out.metric('ctscope_agent_info', 'gauge', 'Agent version, kernel and table source.', [[{ version: s.info.agentVersion, kernel: s.info.kernel, source: s.info.source }, 1]]);
  return out.text();
}
