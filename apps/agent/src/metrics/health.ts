import type { HealthReport } from './server';

export interface HealthInput {
  /** When the latest stats sample was taken (ms), or null before the first one. */
  lastSampleAt: number | null;
  mirrorEntries: number;
  /** Events the kernel dropped on the agent's event socket since start (MirrorHealth.lostEvents). */
  lostEvents?: number;
  dashboardConnected: boolean;
  /** A sample older than this means the kernel is not being read: unhealthy (e.g. 3 × --interval). */
  maxSampleAgeMs: number;
  now: number;
}

/**
 * The /healthz body: healthy while samples keep coming. The dashboard link does not count: an agent
 * whose dashboard is away still serves /metrics and keeps its mirror, which is what /healthz is for.
 */
export function healthReport(input: HealthInput): HealthReport {
  const lastSampleAgeMs = input.lastSampleAt === null ? null : Math.max(0, input.now - input.lastSampleAt);
  return {
    ok: lastSampleAgeMs !== null && lastSampleAgeMs <= input.maxSampleAgeMs,
    entries: input.mirrorEntries,
    ...(input.lostEvents !== undefined && { lostEvents: input.lostEvents }),
    dashboardConnected: input.dashboardConnected,
    lastSampleAgeMs,
  };
}
