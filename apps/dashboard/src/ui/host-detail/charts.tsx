'use client';

import { FLEET_TROUBLE_KEYS, type EventRates, type FleetTroubleKey } from '@ctscope/protocol';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { formatCount } from '../format';
import { EVENT_SERIES, TROUBLE_SERIES } from './chart-series';
import { TimeChart } from './time-chart';

/** What the charts draw: one host's history point or the fleet's sum. */
export interface ChartPoint {
  at: number;
  count: number;
  max: number;
  eventRates?: EventRates | undefined;
  rates?: Partial<Record<FleetTroubleKey, number>> | undefined;
}

const seconds = (points: readonly ChartPoint[]) => points.map((p) => p.at / 1000);
const pick = (points: readonly ChartPoint[], get: (p: ChartPoint) => number | undefined) => points.map((p) => get(p) ?? null);

interface Props {
  points: readonly ChartPoint[];
  max: number;
  /** Names whose charts these are in titles and test ids ("Fleet"); none for one host. */
  scope?: string;
  /** A click on the entries chart picks that moment (ms). */
  onPickMoment?: (atMs: number) => void;
}

/** The three live charts: entries vs limit, events per second, and trouble counters per second. */
export function HostCharts({ points, max, scope, onPickMoment }: Props) {
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
  const trouble = useMemo<uPlot.AlignedData>(() => [seconds(points), ...FLEET_TROUBLE_KEYS.map((key) => pick(points, (p) => p.rates?.[key]))], [points]);
  const title = (text: string) => (scope ? `${scope} ${text.toLowerCase()}` : text);
  const testId = (name: string) => (scope ? `${scope.toLowerCase()}-${name}` : undefined);
  const limit = scope ? 'total limit' : 'limit';
  return (
    <div className="charts">
      <TimeChart
        title={showMax ? title('Entries') : `${title('Entries')} (${limit} ${formatCount(max)}, far above)`}
        unit="entries"
        data={entries}
        testId={testId('entries')}
        onPick={onPickMoment}
        series={showMax ? [{ label: 'count', color: '--chart-count' }, { label: 'max', color: '--chart-max', dash: true }] : [{ label: 'count', color: '--chart-count' }]}
      />
      <TimeChart title={title('Events per second')} unit="/s" data={events} testId={testId('events')} series={EVENT_SERIES} />
      <TimeChart title={title('Trouble per second')} unit="/s" data={trouble} testId={testId('trouble')} series={TROUBLE_SERIES} />
    </div>
  );
}
