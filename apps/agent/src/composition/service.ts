import type { Composition } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { FlowTable } from '../mirror/flow-table';
import { CompositionRing } from './ring';
import { summarise, type NetnsProvider } from './summarise';

export const COMPOSITION_INTERVAL_MS = 10_000;

export interface CompositionDeps {
  table: () => FlowTable;
  netns: NetnsProvider;
  /** Delivers each summary (to the dashboard, when connected). */
  send(composition: Composition): void;
  logger: Logger;
  intervalMs?: number;
}

export interface CompositionService {
  /** The last hour of summaries (see CompositionRing), for alert attribution and incident snapshots. */
  readonly ring: CompositionRing;
  /** Takes a summary now, keeps and sends it. */
  tick(): Composition;
  stop(): void;
}

/** Summarises the table every 10 s, keeping a ring of the last hour and sending each summary on. */
export function startCompositions(deps: CompositionDeps): CompositionService {
  const ring = new CompositionRing();
  const tick = () => {
    const composition = summarise(deps.table(), deps.netns);
    ring.push(composition);
    deps.send(composition);
    return composition;
  };
  const timer = setInterval(() => {
    try {
      tick();
    } catch (err) {
      deps.logger.error({ err: (err as Error).message }, 'could not summarise the table');
    }
  }, deps.intervalMs ?? COMPOSITION_INTERVAL_MS);
  timer.unref();
  return { ring, tick, stop: () => clearInterval(timer) };
}
