import { z } from 'zod';
import { pendingChangesSchema } from './confirm';
import { netnsSummarySchema } from './netns';

/** Per-CPU counters in the order `conntrack -S` prints them. */
export const CPU_COUNTER_KEYS = [
  'found',
  'invalid',
  'insert',
  'insert_failed',
  'drop',
  'early_drop',
  'error',
  'search_restart',
  'clash_resolve',
  'chaintoolong',
] as const;
export type CpuCounterKey = (typeof CPU_COUNTER_KEYS)[number];

const counter = z.number().int().nonnegative();

export const cpuCountersSchema = z.object(
  Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, counter])) as Record<CpuCounterKey, typeof counter>,
);
export type CpuCounters = z.infer<typeof cpuCountersSchema>;

export const cpuStatsSchema = cpuCountersSchema.extend({ cpu: z.number().int().nonnegative() });
export type CpuStatsRow = z.infer<typeof cpuStatsSchema>;

const rate = z.number().nonnegative();
export const rateSchema = z.object(
  Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, rate])) as Record<CpuCounterKey, typeof rate>,
);
export type CounterRates = z.infer<typeof rateSchema>;

export const eventRatesSchema = z.object({ NEW: rate, UPDATE: rate, DESTROY: rate });
export type EventRates = z.infer<typeof eventRatesSchema>;

/** Why the agent re-read the whole table; `eventless`: to learn what became of entries that report no events. */
export const RESYNC_REASONS = ['initial', 'overrun', 'count-drift', 'buffer-full', 'error', 'eventless'] as const;

/** How well the agent's copy of the table follows the kernel. */
export const mirrorHealthSchema = z.object({
  entries: counter,
  resyncs: counter,
  lastResync: z
    .object({ at: counter, reason: z.enum(RESYNC_REASONS), durationMs: z.number().nonnegative(), entries: counter })
    .nullable(),
  overruns: counter,
  /**
   * Events the kernel dropped on the agent's event socket since it started (exact, from the socket's
   * drop count). Absent from agents that do not report it.
   */
  lostEvents: counter.optional(),
  /**
   * Entries known only from dumps: created before the agent listened (nf_conntrack_events=2 gives
   * them no event record), so the table is re-read until they are gone. Absent in samples stored
   * before it existed.
   */
  eventless: counter.default(0),
  events: z.object({ NEW: counter, UPDATE: counter, DESTROY: counter }),
  resyncing: z.boolean(),
  /** Milliseconds between the kernel's event and our applying it, recent p95 (0 when idle). */
  lagMs: z.number().nonnegative(),
  /**
   * What a full table (nf_conntrack_max entries) would need against the agent's own memory limit (its
   * cgroup's; null when it has none). Absent from agents that do not report it.
   */
  memory: z
    .object({ capBytes: counter.nullable(), neededBytes: counter, bytesPerEntry: counter, tableMax: counter, exceeds: z.boolean() })
    .optional(),
});
export type MirrorHealthWire = z.infer<typeof mirrorHealthSchema>;

export const alertSchema = z.object({
  id: z.string().max(100),
  name: z.string().max(100),
  severity: z.enum(['warning', 'critical']),
  since: counter,
  message: z.string().max(1_000),
});
export type Alert = z.infer<typeof alertSchema>;

/** One sample of a host's table, taken by its agent. */
export const statsSampleSchema = z.object({
  /** Milliseconds since the epoch, agent clock. */
  at: z.number().int().nonnegative(),
  count: counter,
  max: counter,
  /** Per-CPU counters; may be empty when the kernel does not expose them. */
  cpu: z.array(cpuStatsSchema).max(4096),
  /** False when no netfilter rule uses conntrack in the agent's namespace, so nothing is tracked. */
  hooksActive: z.boolean(),
  /** Hash table buckets (nf_conntrack_buckets), when readable. */
  buckets: counter.optional(),
  /** Summed per-CPU counters per second since the previous sample. */
  rates: rateSchema.optional(),
  /** Events per second by type since the previous sample. */
  eventRates: eventRatesSchema.optional(),
  mirror: mirrorHealthSchema.optional(),
  alerts: z.array(alertSchema).max(64).optional(),
  /** Entries per network namespace on the host: only in the first sample after each of the agent's count passes (10 s or more apart). */
  netns: netnsSummarySchema.optional(),
  /** Changes waiting for a confirmation, and how those of the last minutes ended (absent: none). */
  changes: pendingChangesSchema.optional(),
});
export type StatsSample = z.infer<typeof statsSampleSchema>;

export function sumCpuCounters(rows: readonly CpuCounters[]): CpuCounters {
  const total = Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, 0])) as CpuCounters;
  for (const row of rows) for (const key of CPU_COUNTER_KEYS) total[key] += row[key];
  return total;
}

export function usagePercent(sample: Pick<StatsSample, 'count' | 'max'>): number {
  return sample.max > 0 ? (sample.count / sample.max) * 100 : 0;
}

/** A sample as kept in the 1-hour history: summed counters instead of per-CPU rows, to bound memory. */
export const historyPointSchema = z.object({
  at: counter,
  count: counter,
  max: counter,
  totals: cpuCountersSchema,
  rates: rateSchema.optional(),
  eventRates: eventRatesSchema.optional(),
});
export type HistoryPoint = z.infer<typeof historyPointSchema>;

export const historyRequestSchema = z.object({ since: counter });
/** One hour at 1 s resolution. */
export const MAX_HISTORY_POINTS = 3_600;
export const historySchema = z.array(historyPointSchema).max(MAX_HISTORY_POINTS);

/** A sample reduced to a history point (summed counters). */
export function historyPointOf(sample: StatsSample): HistoryPoint {
  const point: HistoryPoint = { at: sample.at, count: sample.count, max: sample.max, totals: sumCpuCounters(sample.cpu) };
  if (sample.rates) point.rates = sample.rates;
  if (sample.eventRates) point.eventRates = sample.eventRates;
  return point;
}
