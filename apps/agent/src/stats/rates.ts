import { CPU_COUNTER_KEYS, sumCpuCounters, type CounterRates, type EventRates, type StatsSample } from '@ctscope/protocol';
import type { MirrorHealth } from '../mirror/mirror';

/** Summed per-CPU counters per second between two samples (a counter that went back counts as 0). */
export function counterRates(previous: StatsSample, current: StatsSample): CounterRates | undefined {
  const seconds = (current.at - previous.at) / 1000;
  if (seconds <= 0) return undefined;
  const before = sumCpuCounters(previous.cpu);
  const after = sumCpuCounters(current.cpu);
  const rates = {} as CounterRates;
  for (const key of CPU_COUNTER_KEYS) rates[key] = Math.max(0, after[key] - before[key]) / seconds;
  return rates;
}

export function eventRates(previous: MirrorHealth['events'], current: MirrorHealth['events'], seconds: number): EventRates | undefined {
  if (seconds <= 0) return undefined;
  return {
    NEW: Math.max(0, current.NEW - previous.NEW) / seconds,
    UPDATE: Math.max(0, current.UPDATE - previous.UPDATE) / seconds,
    DESTROY: Math.max(0, current.DESTROY - previous.DESTROY) / seconds,
  };
}
