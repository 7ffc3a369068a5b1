import { describe, expect, it } from 'vitest';
import { healthReport } from './health';

describe('healthReport', () => {
  const base = { mirrorEntries: 7, dashboardConnected: false, maxSampleAgeMs: 3_000, now: 10_000 };
  it('is healthy while samples are fresh, whatever the dashboard link does', () => {
    expect(healthReport({ ...base, lastSampleAt: 9_000 })).toEqual({ ok: true, entries: 7, dashboardConnected: false, lastSampleAgeMs: 1_000 });
    expect(healthReport({ ...base, lastSampleAt: 7_000 }).ok).toBe(true);
  });
  it('is unhealthy before the first sample and when samples stop', () => {
    expect(healthReport({ ...base, lastSampleAt: null })).toEqual({ ok: false, entries: 7, dashboardConnected: false, lastSampleAgeMs: null });
    expect(healthReport({ ...base, lastSampleAt: 6_999 }).ok).toBe(false);
  });
  it('reports the events the kernel dropped, when counted', () => {
    expect(healthReport({ ...base, lastSampleAt: 9_000, lostEvents: 12 })).toEqual({ ok: true, entries: 7, lostEvents: 12, dashboardConnected: false, lastSampleAgeMs: 1_000 });
  });
  it('never reports a negative age (clock steps)', () => {
    expect(healthReport({ ...base, lastSampleAt: 12_000 }).lastSampleAgeMs).toBe(0);
  });
});
