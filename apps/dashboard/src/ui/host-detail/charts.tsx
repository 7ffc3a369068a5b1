'use client';

import type { HistoryPoint } from '@ctscope/protocol';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { TimeChart } from './time-chart';

const seconds = (points: HistoryPoint[]) => points.map((p) => p.at / 1000);
const pick = (points: HistoryPoint[], get: (p: HistoryPoint) => number | undefined) => points.map((p) => get(p) ?? null);

/** The three live charts: entries vs limit, events per second, and trouble counters per second. */
export function HostCharts({ points, max }: { points: HistoryPoint[]; max: number }) {
  // The limit is drawn only when the count comes near it; otherwise it would flatten the count's line.
  const peak = points.reduce((m, p) => Math.max(m, p.count), 0);
  const showMax = max > 0 && peak * 2 >= max;
  const entries = useMemo<uPlot.AlignedData>(
    () => (showMax ? [seconds(points), pick(points, (p) => p.count), pick(points, (p) => p.max)] : [seconds(points), pick(points, (p) => p.count)]),
    [points, showMax],
  );
  const events = useMemo<uPlot.AlignedData>(
    () => [seconds(points), pick(points, (p) => p.eventRates?.NEW), pick(points, (p) => p.eventRates?.UPDATE), pick(points, (p) => p.eventRates?.DESTROY)],
    [points],
  );
  const trouble = useMemo<uPlot.AlignedData>(
    () => [
      seconds(points),
      pick(points, (p) => p.rates?.insert_failed),
      pick(points, (p) => p.rates?.drop),
      pick(points, (p) => p.rates?.early_drop),
      pick(points, (p) => p.rates?.invalid),
      pick(points, (p) => p.rates?.search_restart),
    ],
    [points],
  );
  return (
    <div className="charts">
      <TimeChart
        title={showMax ? 'Entries' : `Entries (limit ${max.toLocaleString('en-US')}, far above)`}
        unit="entries"
        data={entries}
        series={showMax ? [{ label: 'count', color: '#2f6feb' }, { label: 'max', color: '#b42318', dash: true }] : [{ label: 'count', color: '#2f6feb' }]}
      />
      <TimeChart
        title="Events per second"
        unit="/s"
        data={events}
        series={[
          { label: 'NEW', color: '#1a7f37' },
          { label: 'UPDATE', color: '#9a6700' },
          { label: 'DESTROY', color: '#b42318' },
        ]}
      />
      <TimeChart
        title="Trouble per second"
        unit="/s"
        data={trouble}
        series={[
          { label: 'insert_failed', color: '#b42318' },
          { label: 'drop', color: '#7d1a12' },
          { label: 'early_drop', color: '#d97706' },
          { label: 'invalid', color: '#6b7280' },
          { label: 'search_restart', color: '#7c3aed' },
        ]}
      />
    </div>
  );
}
