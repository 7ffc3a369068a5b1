'use client';

import type { DiagnosisCount, FleetRange, HostSummary } from '@ctscope/protocol';
import { useState } from 'react';
import { formatCount, formatPercent, usageLevel } from '../format';
import { HostCharts } from '../host-detail/charts';
import type { LiveSocket } from '../live/use-live-socket';
import { RangePicker } from '../range-picker';
import { FleetTable } from './fleet-table';
import { useFleetHistory } from './use-fleet-history';

const RANGE_LABELS: Record<FleetRange, { label: string }> = { '5m': { label: '5 min' }, '1h': { label: '1 hour' }, '24h': { label: '24 hours' } };

/** All hosts at once: summed entries, events and trouble over time, and the hosts ranked by usage. */
export function FleetOverview({ live, hosts, diagnoses = {} }: { live: LiveSocket; hosts: readonly HostSummary[]; diagnoses?: Record<string, DiagnosisCount> }) {
  const [range, setRange] = useState<FleetRange>('5m');
  const fleet = useFleetHistory(live, range);
  const points = fleet.history?.points ?? [];
  const last = points[points.length - 1];
  const online = hosts.filter((h) => h.online).length;
  const alerts = hosts.reduce((n, h) => n + (h.latest?.alerts?.length ?? 0), 0);
  const count = hosts.reduce((n, h) => n + (h.latest?.count ?? 0), 0);
  const max = hosts.reduce((n, h) => n + (h.latest?.max ?? 0), 0);
  const percent = max > 0 ? (count / max) * 100 : 0;
  const stepSeconds = fleet.history ? fleet.history.stepMs / 1000 : null;

  return (
    <section className="fleet" aria-labelledby="fleet-title">
      <div className="section-header">
        <h2 id="fleet-title">Fleet</h2>
        <span className="muted small">
          {formatCount(online)} of {formatCount(hosts.length)} hosts online
        </span>
      </div>
      <div className="host-summary">
        <div className="metric">
          <span className="metric-label">Entries, all hosts</span>
          <span className="metric-value" data-testid="fleet-count">
            {formatCount(count)}
          </span>
          <span className="muted small">of {formatCount(max)} max</span>
        </div>
        <div className="metric">
          <span className="metric-label">Fleet usage</span>
          <span className={`metric-value level-${usageLevel(percent)}`}>{formatPercent(percent)}</span>
        </div>
        <div className="metric">
          <span className="metric-label">Active alerts</span>
          <span className={`metric-value ${alerts > 0 ? 'level-critical' : 'level-ok'}`} data-testid="fleet-alerts">
            {formatCount(alerts)}
          </span>
        </div>
      </div>
      <FleetTable hosts={hosts} diagnoses={diagnoses} />
      <RangePicker ranges={RANGE_LABELS} value={range} onChange={setRange}>
        {fleet.loading && <span className="muted small">Loading fleet history…</span>}
        {fleet.error && <span className="error small">{fleet.error}</span>}
        {stepSeconds !== null && (
          <span className="muted small" data-testid="fleet-step">
            summed over {formatCount(last?.hosts ?? 0)} {last?.hosts === 1 ? 'host' : 'hosts'} · one point per {stepSeconds < 60 ? `${stepSeconds} s` : `${stepSeconds / 60} min`}
          </span>
        )}
      </RangePicker>
      {fleet.history && points.length === 0 ? (
        <p className="empty">No history in this range yet. Hosts' samples are stored every few seconds; the charts fill in as they arrive.</p>
      ) : (
        <HostCharts points={points} max={last?.max ?? 0} scope="Fleet" />
      )}
    </section>
  );
}

