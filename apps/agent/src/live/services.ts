import type { ConntrackSource } from '@ctscope/conntrack';
import type { AgentInfo, Aggregates, EventBatch, StatsSample, WindowResult } from '@ctscope/protocol';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config';
import { DEFAULT_ESTABLISHED_TIMEOUT, readNetfilterInteger } from '../kernel/netfilter-values';
import type { AgentServices } from '../link/rpc-handlers';
import { Mirror } from '../mirror/mirror';
import { aggregate } from '../query/aggregate';
import { compileQuery } from '../query/compile-query';
import { HooksProbe } from '../stats/hooks';
import { PeriodicSampler } from '../stats/periodic-sampler';
import { createAuditor } from './auditor';
import { EventStreams } from './event-streams';
import { FlowChanges } from './flow-changes';
import { RulesService } from './rules-service';
import { StatsHistory } from './history';
import { WindowSubscriptions } from './window-subscriptions';

export interface ServiceDeps {
  config: AgentConfig;
  source: ConntrackSource;
  info: AgentInfo;
  logger: Logger;
  dashboardConnected(): boolean;
  sendSample(sample: StatsSample): void;
}

interface PushTarget {
  pushWindow(subId: string, result: WindowResult): void;
  pushEvents(subId: string, batch: EventBatch): void;
}

export interface RunningServices extends AgentServices {
  mirror: Mirror;
  bindPushes(target: PushTarget): void;
  stop(): Promise<void>;
}

/** Starts everything the agent serves: the mirror, its queries and streams, the sampler and the audit log. */
export async function startServices(deps: ServiceDeps): Promise<RunningServices> {
  const { config, source, logger } = deps;
  const mirror = new Mirror(source, { logger, eventBufferBytes: config.eventBuffer });
  await mirror.start();
  let target: PushTarget | null = null;
  const windows = new WindowSubscriptions(mirror, (subId, result) => target?.pushWindow(subId, result));
  const events = new EventStreams(mirror, (subId, batch) => target?.pushEvents(subId, batch));
  const history = new StatsHistory();
  const auditor = await createAuditor(config.auditFile, logger);
  const changes = new FlowChanges(mirror, source, auditor);
  const rules = new RulesService(() => mirror.values(), auditor);

  const sampler = new PeriodicSampler({
    reader: source,
    hooks: new HooksProbe(),
    logger,
    mirrorHealth: () => mirror.getHealth(),
    deliver: (sample) => {
      history.add(sample);
      deps.sendSample(sample);
    },
  });
  const timer = setInterval(() => void sampler.tick(), config.interval * 1000);
  void sampler.tick();

  const runAggregate = async (query: string, top: number): Promise<{ ok: true; data: Aggregates } | { ok: false; message: string }> => {
    const compiled = compileQuery(query);
    if (!compiled.ok) return compiled;
    const establishedTimeout = (await readNetfilterInteger('nf_conntrack_tcp_timeout_established')) ?? DEFAULT_ESTABLISHED_TIMEOUT;
    return { ok: true, data: aggregate({ entries: mirror.values(), size: mirror.size, match: compiled.match, top, establishedTimeout }) };
  };

  return {
    mirror,
    windows,
    events,
    history,
    changes,
    rules,
    aggregate: runAggregate,
    bindPushes: (t) => (target = t),
    stop: async () => {
      clearInterval(timer);
      windows.stop();
      events.stop();
      mirror.stop();
      await auditor.close();
    },
  };
}
