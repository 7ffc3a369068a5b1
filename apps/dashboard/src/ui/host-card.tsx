'use client';

import { CPU_COUNTER_KEYS, sumCpuCounters, usagePercent, type DiagnosisCount, type HostSummary } from '@ctscope/protocol';
import { CopyCommand } from './copy-command';
import { DiagnosisBadge } from './diagnoses/diagnosis-badge';
import { formatAgo, formatCount, formatPercent, usageLevel } from './format';
import { SimulatedBadge } from './simulated-badge';
import { Sparkline } from './sparkline';

/** Counters that mean packets were dropped or the table is struggling. */
const TROUBLE_COUNTERS = new Set(['insert_failed', 'drop', 'early_drop', 'error', 'chaintoolong']);

const HOOKS_RULE = "nft add table inet filter; nft add chain inet filter input '{ type filter hook input priority 0; }'; nft add rule inet filter input ct state established,related accept";

export function HostCard({ host, history, diagnoses }: { host: HostSummary; history: readonly number[]; diagnoses?: DiagnosisCount | undefined }) {
  const sample = host.latest;
  const percent = sample ? usagePercent(sample) : 0;
  const level = usageLevel(percent);
  const totals = sample ? sumCpuCounters(sample.cpu) : null;
  return (
    <article className="host-card" aria-labelledby={`host-${host.id}`} data-host-id={host.id}>
      <header className="host-card-header">
        <h2 id={`host-${host.id}`}>{host.hostname}</h2>
        <span className={`badge ${host.online ? 'badge-online' : 'badge-offline'}`}>{host.online ? 'online' : 'offline'}</span>
        <SimulatedBadge host={host} />
        <DiagnosisBadge count={diagnoses} hostname={host.hostname} />
        <span className="muted small">
          {host.agent ? `agent ${host.agent.agentVersion} · ${host.agent.source} · kernel ${host.agent.kernel}` : 'no agent yet'} · seen {formatAgo(host.lastSeen)}
        </span>
        <nav className="host-links" aria-label={`${host.hostname} pages`}>
          <a href={`/hosts/${encodeURIComponent(host.id)}`}>Charts &amp; top talkers</a>
          <a href={`/connections?host=${encodeURIComponent(host.id)}`}>Connections</a>
          <a href={`/events?host=${encodeURIComponent(host.id)}`}>Live events</a>
        </nav>
      </header>

      {!sample ? (
        <p className="muted">{host.online ? 'Waiting for the first sample…' : 'This host has not reported yet. Start its agent.'}</p>
      ) : (
        <>
          <div className="host-metrics">
            <div className="metric">
              <span className="metric-label">Tracked connections</span>
              <span className="metric-value" data-testid="conntrack-count">
                {formatCount(sample.count)}
              </span>
              <span className="muted small">of {formatCount(sample.max)} max</span>
            </div>
            <div className="metric usage">
              <span className="metric-label">Table usage</span>
              <span className={`metric-value level-${level}`} data-testid="conntrack-usage">
                {formatPercent(percent)}
              </span>
              <div className="usage-bar" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Number(percent.toFixed(1))} aria-label="table usage">
                <div className={`usage-fill level-${level}`} style={{ width: `${Math.min(100, percent)}%` }} />
              </div>
            </div>
            <div className="metric">
              <span className="metric-label">Count, last 5 minutes</span>
              <Sparkline points={history} label="tracked connections" />
            </div>
          </div>

          {!sample.hooksActive && (
            <div className="notice" role="status">
              <strong>Nothing is being tracked on this host.</strong> The count is 0 because no firewall rule uses conntrack, so the
              kernel has not enabled its conntrack hooks here. This is normal on hosts without stateful rules or NAT. To start
              tracking, add any stateful rule, for example:
              <CopyCommand command={HOOKS_RULE} />
            </div>
          )}

          {totals && (
            <table className="counters" aria-label={`per-CPU counters summed over ${sample.cpu.length} CPUs`}>
              <caption className="muted small">Kernel counters, summed over {sample.cpu.length} CPUs (like conntrack -S)</caption>
              <thead>
                <tr>
                  {CPU_COUNTER_KEYS.map((key) => (
                    <th key={key} scope="col">
                      {key}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  {CPU_COUNTER_KEYS.map((key) => (
                    <td key={key} className={TROUBLE_COUNTERS.has(key) && totals[key] > 0 ? 'trouble' : undefined} data-counter={key}>
                      {formatCount(totals[key])}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          )}
        </>
      )}
    </article>
  );
}
