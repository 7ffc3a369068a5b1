import type { CpuStatsRow } from '@ctscope/protocol';

/** The per-CPU counters the insert race shows in. */
export const RACE_COUNTERS = ['insert_failed', 'drop', 'clash_resolve'] as const;
export type RaceCounter = (typeof RACE_COUNTERS)[number];

export interface WindowPoint {
  /** Agent clock, ms. */
  at: number;
  /** Per CPU (by CPU number): the race counters. */
  cpu: ReadonlyMap<number, Readonly<Record<RaceCounter, number>>>;
  /** NEW UDP/53 entries seen so far (a running total). */
  dnsNew: number;
  /** Table usage 0..1 at this point. */
  usage: number;
}

export interface CpuRates {
  cpu: number;
  /** Increase over the window, per counter (a counter that went back counts as 0). */
  delta: Record<RaceCounter, number>;
  perSecond: Record<RaceCounter, number>;
}

export interface WindowRates {
  seconds: number;
  cpus: CpuRates[];
  total: Record<RaceCounter, number>;
  dnsNewPerSecond: number;
  /** Highest table usage seen in the window. */
  peakUsage: number;
}

export function pointCounters(rows: readonly CpuStatsRow[]): Map<number, Record<RaceCounter, number>> {
  return new Map(rows.map((r) => [r.cpu, { insert_failed: r.insert_failed, drop: r.drop, clash_resolve: r.clash_resolve }]));
}

const zero = (): Record<RaceCounter, number> => ({ insert_failed: 0, drop: 0, clash_resolve: 0 });

/**
 * The last `windowMs` of points (plus the one just before, as the baseline), at most `maxPoints`: rates
 * over the window from its first and last point, per CPU.
 */
export class CounterWindow {
  private points: WindowPoint[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly maxPoints = 128,
  ) {}

  add(point: WindowPoint): void {
    const last = this.points[this.points.length - 1];
    if (last && point.at <= last.at) return;
    this.points.push(point);
    // Keep one point at or before the window's start so the rates cover the whole window.
    const start = point.at - this.windowMs;
    while (this.points.length > 2 && (this.points[1] as WindowPoint).at <= start) this.points.shift();
    while (this.points.length > this.maxPoints) this.points.shift();
  }

  rates(): WindowRates | null {
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    if (!first || !last || last.at <= first.at) return null;
    const seconds = (last.at - first.at) / 1000;
    const total = zero();
    const cpus: CpuRates[] = [];
    for (const [cpu, after] of last.cpu) {
      const before = first.cpu.get(cpu) ?? zero();
      const delta = zero();
      const perSecond = zero();
      for (const key of Object.keys(delta) as RaceCounter[]) {
        delta[key] = Math.max(0, after[key] - before[key]);
        perSecond[key] = delta[key] / seconds;
        total[key] += delta[key];
      }
      cpus.push({ cpu, delta, perSecond });
    }
    cpus.sort((a, b) => a.cpu - b.cpu);
    return {
      seconds,
      cpus,
      total,
      dnsNewPerSecond: Math.max(0, last.dnsNew - first.dnsNew) / seconds,
      peakUsage: Math.max(...this.points.map((p) => p.usage)),
    };
  }
}
