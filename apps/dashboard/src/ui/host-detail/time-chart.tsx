'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useResolvedTheme } from '../theme/use-theme';
import { groupDigits } from '../format';

export interface ChartSeries {
  label: string;
  /** A CSS custom property (`--chart-count`) read when the chart is drawn, so it follows the theme. */
  color: `--${string}`;
  /** Dashed lines for limits (like the table's max). */
  dash?: boolean;
  /** A value that holds until the next point (a setting), drawn as steps. */
  step?: boolean;
  /** Indices of the points to mark with a dot (e.g. one per change); the others are only part of the line. */
  markers?: readonly number[];
}

interface Props {
  title: string;
  series: ChartSeries[];
  /** [times in seconds, ...one array per series]; null marks a gap. */
  data: uPlot.AlignedData;
  unit: string;
  height?: number;
  testId?: string | undefined;
  /** Legend text for a value (default: the number and the unit); idx is the point under the cursor. */
  format?: (value: number, idx: number | null) => string;
  /** Y axis tick labels (default: the number). */
  tick?: (value: number) => string;
  /** Called with the time (ms) under the cursor when the chart is clicked (not dragged to zoom). */
  onPick?: ((atMs: number) => void) | undefined;
}

function seriesOptions(s: ChartSeries, stroke: string, legend: (value: number, idx: number | null) => string): uPlot.Series {
  const markers = s.markers;
  const stepped = s.step ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
  return {
    label: s.label,
    stroke,
    width: 1.5,
    points: markers ? { show: true, size: 8, space: 0, fill: stroke, filter: () => [...markers] } : { show: false },
    ...(s.dash ? { dash: [6, 4] } : {}),
    ...(stepped ? { paths: stepped } : {}),
    value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => (v === null ? '–' : legend(v, idx)),
  };
}

/**
 * A canvas time-series chart (uPlot). The chart is created once per series layout and theme and fed new
 * data with setData, so live updates redraw without re-creating DOM. After each draw the holder carries
 * data-markers: how many marked points were drawn (what tests can read of a canvas).
 */
export function TimeChart({ title, series, data, unit, height = 180, testId, format, tick, onPick }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  const theme = useResolvedTheme();
  const layout = series.map((s) => `${s.label}:${s.color}:${s.markers?.join(',') ?? ''}`).join('|');
  const formatRef = useRef(format);
  const tickRef = useRef(tick);
  const pickRef = useRef(onPick);
  useEffect(() => {
    formatRef.current = format;
    tickRef.current = tick;
    pickRef.current = onPick;
  });

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const css = getComputedStyle(element);
    const color = (name: string) => css.getPropertyValue(name).trim() || '#888888';
    const axis = { stroke: color('--muted'), grid: { stroke: color('--chart-grid') }, ticks: { stroke: color('--chart-grid') } };
    const options: uPlot.Options = {
      width: Math.max(300, element.clientWidth),
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => tickRef.current?.(t) ?? groupDigits(t, 1)), size: 72 }],
      series: [{}, ...series.map((s) => seriesOptions(s, color(s.color), (v, idx) => formatRef.current?.(v, idx) ?? `${groupDigits(v, 1)} ${unit}`))],
      hooks: {
        draw: [
          (u) => {
            element.dataset.markers = String(series.reduce((n, s) => n + (s.markers?.filter((i) => u.data[0][i] !== undefined).length ?? 0), 0));
          },
        ],
      },
    };
    const plot = new uPlot(options, dataRef.current, element);
    chart.current = plot;
    // A click picks the time under the cursor; a drag (zoom) does not.
    let downX = 0;
    plot.over.addEventListener('mousedown', (e) => (downX = e.clientX));
    plot.over.addEventListener('click', (e) => {
      const left = plot.cursor.left;
      if (!pickRef.current || left === undefined || left < 0 || Math.abs(e.clientX - downX) > 3) return;
      pickRef.current(Math.round(plot.posToVal(left, 'x') * 1000));
    });
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // Re-created when the series layout or the theme changes (canvas colors are fixed at creation);
    // data flows in through the effect below.
  }, [layout, height, unit, theme]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  const first = data[1] ?? [];
  const last = [...first].reverse().find((v) => v !== null && v !== undefined);
  return (
    <figure className={onPick ? 'chart chart-pickable' : 'chart'} data-testid={testId} data-points={data[0].length} data-last={last ?? undefined} data-theme-drawn={theme}>
      <figcaption>{title}</figcaption>
      <div ref={holder} className="chart-canvas" />
    </figure>
  );
}
