/** A tiny line chart of recent values; the scale starts at zero so a flat table looks flat. */
export function Sparkline({ points, width = 240, height = 48, label }: { points: readonly number[]; width?: number; height?: number; label: string }) {
  if (points.length < 2) {
    return (
      <svg width={width} height={height} role="img" aria-label={`${label}: collecting data`} className="sparkline">
        <line x1={0} x2={width} y1={height - 1} y2={height - 1} className="sparkline-empty" />
      </svg>
    );
  }
  const max = Math.max(...points, 1);
  const step = width / (points.length - 1);
  const d = points.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  const last = points[points.length - 1] ?? 0;
  return (
    <svg width={width} height={height} role="img" aria-label={`${label}: latest ${last}, peak ${max}`} className="sparkline">
      <path d={`${d} L${width},${height} L0,${height} Z`} className="sparkline-area" />
      <path d={d} className="sparkline-line" />
    </svg>
  );
}
