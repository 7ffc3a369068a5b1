/** When the table will be full if the count keeps growing as it did over the points given. */
export interface Forecast {
  /** Entries per second (least squares over the window). */
  slopePerSecond: number;
  /** Seconds until count reaches max; null when the count is not rising. */
  secondsToFull: number | null;
}

/** Least-squares slope of count over time; a forecast only when the trend is clearly upwards. */
export function forecastFull(points: ReadonlyArray<{ at: number; count: number }>, max: number): Forecast | null {
  if (points.length < 10 || max <= 0) return null;
  const t0 = points[0]?.at ?? 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const x = (p.at - t0) / 1000;
    sx += x;
    sy += p.count;
    sxx += x * x;
    sxy += x * p.count;
  }
  const n = points.length;
  const denominator = n * sxx - sx * sx;
  if (denominator === 0) return null;
  const slope = (n * sxy - sx * sy) / denominator;
  const last = points[points.length - 1]?.count ?? 0;
  // Less than one entry per minute is noise, not a trend.
  if (slope <= 1 / 60 || last >= max) return { slopePerSecond: slope, secondsToFull: last >= max ? 0 : null };
  return { slopePerSecond: slope, secondsToFull: (max - last) / slope };
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
