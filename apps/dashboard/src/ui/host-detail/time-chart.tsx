'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  /** Dashed lines for limits (like the table's max). */
  dash?: boolean;
}

interface Props {
  title: string;
  series: ChartSeries[];
  /** [times in seconds, ...one array per series]; null marks a gap. */
  data: uPlot.AlignedData;
  unit: string;
  height?: number;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * A canvas time-series chart (uPlot). The chart is created once per series layout and fed new data with
 * setData, so live updates redraw without re-creating DOM.
 */
export function TimeChart({ title, series, data, unit, height = 180 }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const layout = series.map((s) => s.label).join('|');

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(300, element.clientWidth),
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => numberFormat.format(t)), size: 72 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, points: { show: false }, ...(s.dash ? { dash: [6, 4] } : {}), value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${numberFormat.format(v)} ${unit}`) }))],
    };
    const plot = new uPlot(options, data, element);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // Re-created only when the series layout changes; data flows in through the effect below.
  }, [layout, height, unit]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={holder} className="chart-canvas" />
    </figure>
  );
}
