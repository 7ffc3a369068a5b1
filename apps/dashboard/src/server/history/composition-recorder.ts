import type { Composition } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Store } from '../store/types';

const PRUNE_EVERY_MS = 3_600_000;
/** At most one summary per host this often: an agent's (10 s) rhythm, never a flood's. */
export const MIN_COMPOSITION_SPACING_MS = 1_000;

export interface CompositionRecorder {
  /** Stores a host's summary (its time already clamped to the dashboard's clock); too-close ones are dropped. */
  received(hostId: string, composition: Composition): void;
  stop(): void;
}

/** Keeps every host's composition summaries in the store for the history days, thinned with age. */
export function recordCompositions(store: Store, options: { retentionMs: number }, logger: Logger): CompositionRecorder {
  const lastStored = new Map<string, number>();
  const prune = () =>
    void store.pruneCompositions(Date.now(), options.retentionMs).then(
      (removed) => removed > 0 && logger.debug({ removed }, 'pruned and thinned composition summaries'),
      (err: unknown) => logger.error({ err }, 'could not prune composition summaries'),
    );
  prune();
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  timer.unref();
  return {
    received: (hostId, composition) => {
      if (Math.abs(composition.at - (lastStored.get(hostId) ?? -Infinity)) < MIN_COMPOSITION_SPACING_MS) return;
      lastStored.set(hostId, composition.at);
      void store.appendComposition(hostId, composition).catch((err: unknown) => logger.error({ err, hostId }, 'could not store a composition summary'));
    },
    stop: () => clearInterval(timer),
  };
}
