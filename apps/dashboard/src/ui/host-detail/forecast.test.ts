import { describe, expect, it } from 'vitest';
import { forecastFull, formatDuration } from './forecast';

const series = (perSecond: number, start = 1000, n = 60) => Array.from({ length: n }, (_, i) => ({ at: i * 1000, count: start + perSecond * i }));

describe('time-to-full forecast', () => {
  it('extrapolates a steady rise to the limit', () => {
    const f = forecastFull(series(10), 10_000);
    expect(f?.slopePerSecond).toBeCloseTo(10, 6);
    // last count 1590; (10000 - 1590) / 10 = 841 s
    expect(f?.secondsToFull).toBeCloseTo(841, 3);
  });
  it('says nothing for a flat or falling table, or too few points', () => {
    expect(forecastFull(series(0), 10_000)?.secondsToFull).toBeNull();
    expect(forecastFull(series(-5), 10_000)?.secondsToFull).toBeNull();
    expect(forecastFull(series(10, 0, 5), 10_000)).toBeNull();
  });
  it('is zero when already full', () => {
    expect(forecastFull(series(1, 10_000), 10_000)?.secondsToFull).toBe(0);
  });
  it('formats durations for people', () => {
    expect([formatDuration(45), formatDuration(600), formatDuration(5 * 3600), formatDuration(5 * 86_400)]).toEqual(['45 s', '10 min', '5.0 h', '5 days']);
  });
});
