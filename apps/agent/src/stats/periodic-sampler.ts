import type { StatsSample } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { MirrorHealth } from '../mirror/mirror';
import { readNetfilterInteger } from '../kernel/netfilter-values';
import type { HooksProbe } from './hooks';
import { counterRates, eventRates } from './rates';
import { takeSample, type StatsReader } from './sampler';

export interface SamplerDeps {
  reader: StatsReader;
  hooks: HooksProbe;
  logger: Logger;
  mirrorHealth(): MirrorHealth;
  deliver(sample: StatsSample): void;
  /** Called when the kernel cannot be read (for the module-not-loaded alert). */
  failed?(err: Error): void;
}

/** Takes one enriched sample per tick (rates, buckets, mirror health), skipping a tick while one runs. */
export class PeriodicSampler {
  private running = false;
  private failing = false;
  private previous: { sample: StatsSample; events: MirrorHealth['events'] } | null = null;

  constructor(private readonly deps: SamplerDeps) {}

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const sample = await takeSample(this.deps.reader, this.deps.hooks);
      const health = this.deps.mirrorHealth();
      const buckets = await readNetfilterInteger('nf_conntrack_buckets');
      if (buckets !== undefined) sample.buckets = buckets;
      sample.mirror = health;
      if (this.previous) {
        const rates = counterRates(this.previous.sample, sample);
        if (rates) sample.rates = rates;
        const events = eventRates(this.previous.events, health.events, (sample.at - this.previous.sample.at) / 1000);
        if (events) sample.eventRates = events;
      }
      this.previous = { sample, events: health.events };
      this.deps.deliver(sample);
      if (this.failing) this.deps.logger.info('reading conntrack statistics works again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.deps.logger.error({ err: (err as Error).message }, 'cannot read conntrack statistics; is the nf_conntrack module loaded?');
      this.failing = true;
      this.deps.failed?.(err as Error);
    } finally {
      this.running = false;
    }
  }
}
