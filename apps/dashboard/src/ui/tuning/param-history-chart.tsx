'use client';

import type { SysctlHistoryEntry } from '@ctscope/protocol';
import { knownParamForName } from '@ctscope/sysctl/browser';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { TimeChart } from '../host-detail/time-chart';
import { displayValue, shortName } from './drafts';
import { paramSeries } from './param-history';

/** Axis labels for durations: 432000 → "5 d", 5400 → "1.5 h". */
function shortDuration(seconds: number): string {
  const [size, suffix] = seconds >= 86_400 ? [86_400, 'd'] : seconds >= 3_600 ? [3_600, 'h'] : seconds >= 60 ? [60, 'min'] : [1, 's'];
  return `${Math.round((seconds / size) * 10) / 10} ${suffix}`;
}

interface Props {
  entries: readonly SysctlHistoryEntry[];
  name: string;
  current: number | null;
}

/** A parameter's value over its recorded changes: a step line, one dot per change, who and when on hover. */
export function ParamHistoryChart({ entries, name, current }: Props) {
  // "Now" is when the history was read: the chart is redrawn when the history is read again.
  const series = useMemo(() => paramSeries(entries, name, current, Date.now()), [entries, name, current]);
  const data = useMemo<uPlot.AlignedData | null>(() => (series ? [series.data[0], series.data[1]] : null), [series]);
  if (!series || !data) return <p className="muted small">No change of {shortName(name)} recorded yet: its chart starts with the first change.</p>;
  const format = (value: number, idx: number | null) => {
    const change = idx === null ? undefined : series.changes[idx - 1];
    const when = change ? ` · set by ${change.user} via ${change.via}, ${new Date(change.at).toLocaleString()}` : '';
    return `${displayValue(name, value)}${when}`;
  };
  const unit = knownParamForName(name)?.unit ?? '';
  return (
    <div data-testid="param-history-chart" data-changes={series.changes.length}>
      <TimeChart
        title={`${shortName(name)} over time (${series.changes.length} change${series.changes.length === 1 ? '' : 's'})`}
        unit={unit === 'seconds' ? 's' : unit}
        data={data}
        format={format}
        {...(unit === 'seconds' ? { tick: shortDuration } : {})}
        height={160}
        series={[{ label: shortName(name), color: '--chart-count', step: true, markers: series.markers }]}
      />
    </div>
  );
}
