'use client';

import { usagePercent, type Alert } from '@ctscope/protocol';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { formatAgo, formatCount, formatPercent, usageLevel } from '../format';
import { PendingChangesBanner } from '../confirm/host-banner';
import { HostBar } from '../live/host-bar';
import { replaceSearchParams } from '../live/url-state';
import { RangePicker } from '../range-picker';
import { useHostDirectory } from '../live/use-host-directory';
import { DiagnosesPanel } from '../diagnoses/diagnoses-panel';
import { useLiveSocket } from '../live/use-live-socket';
import { Breakdowns } from './breakdowns';
import { HostCharts } from './charts';
import { CompositionPanel } from './composition/composition-panel';
import { GrowthView } from './composition/growth-view';
import { forecastFull, formatDuration } from './forecast';
import { IdleHistogram } from './idle-histogram';
import { useAggregates } from './use-aggregates';
import { RANGES, useHostSeries, type RangeKey } from './use-host-series';
import { memoryWarning } from './memory-warning';
import { NamespacesPanel } from './namespaces-panel';
import { SnapshotButton } from './snapshot-button';

function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return <p className="alerts-none">No active alerts.</p>;
  return (
    <ul className="alerts" aria-label="Active alerts">
      {alerts.map((a) => (
        <li key={a.name} className={`alert alert-${a.severity}`}>
          <strong>{a.severity === 'critical' ? 'Critical' : 'Warning'}</strong> since {formatAgo(a.since)} — {a.message}
        </li>
      ))}
    </ul>
  );
}

/** One host: usage, alerts, charts over 5 min / 1 h / 24 h, forecast, breakdowns and top talkers. */
export function HostDetail({ hostId, initialRange = '5m' }: { hostId: string; initialRange?: RangeKey }) {
  const live = useLiveSocket();
  const { hosts } = useHostDirectory(live);
  const router = useRouter();
  const [range, setRange] = useState<RangeKey>(initialRange);
  const [moment, setMoment] = useState<number | null>(null);
  const series = useHostSeries(live, hostId, range);
  const aggregates = useAggregates(live, hostId);
  const host = hosts?.find((h) => h.id === hostId) ?? null;
  const last = series.points[series.points.length - 1];
  const latest = series.latest ?? host?.latest ?? null;
  const count = last?.count ?? latest?.count ?? 0;
  const max = last?.max ?? latest?.max ?? 0;
  const percent = usagePercent({ count, max });
  const recent = series.points.filter((p) => p.at >= Date.now() - 5 * 60_000);
  const forecast = forecastFull(recent, max);

  return (
    <>
      <HostBar title={host ? `Host ${host.hostname}` : 'Host'} hosts={hosts} hostId={hostId} onHost={(id) => router.push(`/hosts/${encodeURIComponent(id)}`)} connection={live.connection} actions={<SnapshotButton hostId={hostId} />} />
      <PendingChangesBanner live={live} hostId={hostId} />
      <div className="host-summary">
        <div className="metric">
          <span className="metric-label">Entries</span>
          <span className="metric-value" data-testid="host-count">
            {formatCount(count)}
          </span>
          <span className="muted small">of {formatCount(max)} max</span>
        </div>
        <div className="metric">
          <span className="metric-label">Usage</span>
          <span className={`metric-value level-${usageLevel(percent)}`}>{formatPercent(percent)}</span>
          <div className="usage-bar">
            <div className={`usage-fill level-${usageLevel(percent)}`} style={{ width: `${Math.min(100, percent)}%` }} />
          </div>
        </div>
        <div className="metric">
          <span className="metric-label">Time to full</span>
          <span className="metric-value" data-testid="forecast">
            {forecast?.secondsToFull === 0 ? 'full' : forecast?.secondsToFull ? formatDuration(forecast.secondsToFull) : '—'}
          </span>
          <span className="muted small">{forecast && forecast.slopePerSecond > 1 / 60 ? `rising ${forecast.slopePerSecond.toFixed(1)}/s (last 5 min)` : 'not rising'}</span>
        </div>
        {latest?.mirror && (
          <div className="metric">
            <span className="metric-label">Agent mirror</span>
            <span className="metric-value">{formatCount(latest.mirror.entries)}</span>
            <span className="muted small">
              {latest.mirror.resyncs} resyncs · {latest.mirror.overruns} overruns{latest.mirror.lastResync ? ` · last: ${latest.mirror.lastResync.reason}` : ''}
            </span>
            {latest.mirror.eventless > 0 && (
              <span className="muted small" title="The kernel sends no events for entries created before the agent listened (nf_conntrack_events=2); the agent re-reads the table to follow them until they are gone.">
                {formatCount(latest.mirror.eventless)} older than the agent, followed by re-reading
              </span>
            )}
            {memoryWarning(latest.mirror.memory) && (
              <span className="error small" data-testid="agent-memory-warning" title="Measured peak bytes per entry × nf_conntrack_max, against the memory limit of the agent's cgroup (systemd MemoryMax).">
                {memoryWarning(latest.mirror.memory)}
              </span>
            )}
          </div>
        )}
      </div>
      <AlertList alerts={latest?.alerts ?? []} />
      <DiagnosesPanel live={live} hostId={hostId} online={host?.online ?? null} />
      {host?.duplicateAgent && (
        <p className="alert alert-warning duplicate-agent" role="alert" data-testid="duplicate-agent">
          <strong>Second agent refused</strong> {formatAgo(host.duplicateAgent.at)}: an agent on {host.duplicateAgent.hostname} ({host.duplicateAgent.address}) connected with this host&apos;s token while
          the current agent was connected. If nobody here started it, revoke this host on the Hosts page and enroll it again with a new token.
        </p>
      )}
      <RangePicker
        ranges={RANGES}
        value={range}
        onChange={(key) => {
          setRange(key);
          replaceSearchParams({ range: key === '5m' ? null : key });
        }}
      >
        {series.loading && <span className="muted small">Loading history…</span>}
        {series.error && <span className="error small">{series.error}</span>}
      </RangePicker>
      <HostCharts points={series.points} max={max} onPickMoment={setMoment} />
      <NamespacesPanel hostId={hostId} summary={series.latest?.netns ?? host?.latest?.netns} max={max} />
      <GrowthView live={live} hostId={hostId} />
      <CompositionPanel live={live} hostId={hostId} moment={moment} onMoment={setMoment} />
      {aggregates.error && <p className="error">{aggregates.error}</p>}
      {aggregates.data ? (
        <>
          <Breakdowns hostId={hostId} data={aggregates.data} />
          <IdleHistogram idle={aggregates.data.idle} />
        </>
      ) : (
        !aggregates.error && <p className="muted">Loading breakdowns…</p>
      )}
    </>
  );
}
