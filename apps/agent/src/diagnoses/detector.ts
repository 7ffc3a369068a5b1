import type { Diagnosis, DiagnosisName } from '@ctscope/protocol';

/**
 * One kind of condition the agent recognises. The diagnosis engine calls `evaluate` periodically (never
 * two calls of one detector at once) and reports the union of what every detector returns; a detector
 * keeps whatever state it needs between calls (rates, when a condition was first seen) and returns an
 * empty array when its condition is absent. It must be cheap: bounded work per call, no unbounded maps.
 */
export interface Detector {
  readonly name: DiagnosisName;
  /** `now`: agent clock, ms. */
  evaluate(now: number): Diagnosis[] | Promise<Diagnosis[]>;
  /** Releases timers or handles, if any. */
  close?(): void;
}
