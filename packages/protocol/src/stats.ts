import { z } from 'zod';

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
