import type { CpuStats, GlobalStats } from '@ctscope/conntrack';
import { CPU_COUNTER_KEYS, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import type { HooksProbe } from './hooks';

/** The part of a conntrack source the sampler needs. */
export interface StatsReader {
  globalStats(): Promise<GlobalStats>;
  cpuStats(): Promise<CpuStats[]>;
}

export function toCpuRow(stats: CpuStats): CpuStatsRow {
  const row = { cpu: stats.cpu } as CpuStatsRow;
  for (const key of CPU_COUNTER_KEYS) row[key] = stats[key] ?? 0;
  return row;
}

export async function takeSample(reader: StatsReader, hooks: HooksProbe, now = Date.now()): Promise<StatsSample> {
  const [global, cpu] = await Promise.all([reader.globalStats(), reader.cpuStats()]);
  return {
    at: now,
    count: global.entries,
    max: global.maxEntries,
    cpu: cpu.map(toCpuRow),
    hooksActive: await hooks.active(global.entries),
  };
}
