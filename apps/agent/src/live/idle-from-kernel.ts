import type { ConntrackSource, Flow } from '@ctscope/conntrack';
import type { Aggregates } from '@ctscope/protocol';
import { idleHistogram } from '../query/aggregate';

/** How old an idle histogram may be before the kernel is asked again. */
export const IDLE_MAX_AGE_MS = 30_000;
/** Distinct queries whose idle histogram is kept. */
const MAX_CACHED = 8;

/**
 * Idle histograms from a fresh dump (only a dump tells current timeouts). At most one dump every
 * `maxAgeMs` per query, one dump at a time; the dumped flows are dropped once counted, only the small
 * histograms are kept.
 */
export class IdleFromKernel {
  private readonly cache = new Map<string, { at: number; idle: Aggregates['idle'] }>();
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: Pick<ConntrackSource, 'dump'>,
    private readonly maxAgeMs = IDLE_MAX_AGE_MS,
  ) {}

  get(query: string, match: (flow: Flow) => boolean, establishedTimeout: number): Promise<Aggregates['idle']> {
    const cached = this.cache.get(query);
    if (cached && Date.now() - cached.at < this.maxAgeMs && cached.idle.timeoutSeconds === establishedTimeout) return Promise.resolve(cached.idle);
    const next = this.running.then(async () => {
      const flows = await this.source.dump();
      const at = Date.now();
      const idle = idleHistogram(
        flows.map((flow) => ({ flow, seenAt: at })),
        match,
        establishedTimeout,
        at,
      );
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(query, { at, idle });
      return idle;
    });
    this.running = next.catch(() => undefined);
    return next;
  }
}
