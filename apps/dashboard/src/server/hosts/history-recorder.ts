import { historyPointOf } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { Store } from '../store/types';
import type { HostRegistry } from './registry';

const PRUNE_EVERY_MS = 3_600_000;

/** Keeps every host's stats at reduced resolution in the store, so charts survive restarts; prunes past retention. */
export function recordHistory(registry: HostRegistry, store: Store, options: { stepMs: number; retentionMs: number }, logger: Logger): () => void {
  const lastStored = new Map<string, number>();
  const unsubscribe = registry.subscribe({
    changed: (host) => {
      if (!host.online) lastStored.delete(host.id);
    },
    sampled: (hostId, sample) => {
      // With several dashboard servers, the one holding the agent's connection records its history.
      if (!registry.isLocal(hostId)) return;
      if (sample.at - (lastStored.get(hostId) ?? 0) < options.stepMs) return;
      lastStored.set(hostId, sample.at);
      void store.appendHistory(hostId, historyPointOf(sample)).catch((err: unknown) => logger.error({ err, hostId }, 'could not store a history point'));
    },
  });
  const prune = () =>
    void store.pruneHistory(Date.now() - options.retentionMs).then(
      (removed) => removed > 0 && logger.debug({ removed }, 'pruned old history points'),
      (err: unknown) => logger.error({ err }, 'could not prune history'),
    );
  prune();
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  timer.unref();
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}
