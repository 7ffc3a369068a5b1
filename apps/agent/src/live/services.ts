import type { ConntrackSource } from '@ctscope/conntrack';
import type { AgentInfo, Aggregates, Composition, DiagnosisReport, EventBatch, StatsSample, WindowResult } from '@ctscope/protocol';
import type { Logger } from 'pino';
import { AlertEngine, KmsgWatcher, conntrackModuleLoaded, parseAlertThresholds } from '../alerts';
import { AuditLog, changeAuditor } from '../audit';
import { growthAttribution, ownNetns, startCompositions, type CompositionService, type NetnsProvider } from '../composition';
import type { AgentConfig } from '../config';
import { createDetectors, DiagnosisEngine } from '../diagnoses';
import { healthReport, startMetricsServer, tallyTable, type Tally } from '../metrics';
import { DEFAULT_ESTABLISHED_TIMEOUT, readNetfilterInteger } from '../kernel/netfilter-values';
import type { AgentServices } from '../link/rpc-handlers';
import { MemoryWatch } from '../mirror/memory-watch';
import { NetnsCounter } from '../netns';
import { Mirror } from '../mirror/mirror';
import { aggregate } from '../query/aggregate';
import { compileQuery } from '../query/compile-query';
import { HooksProbe } from '../stats/hooks';
import { PeriodicSampler } from '../stats/periodic-sampler';
import { LiveSnapshots } from '../snapshot/live-snapshot';
import { EventStreams } from './event-streams';
import { IdleFromKernel } from './idle-from-kernel';
import { FlowChanges } from './flow-changes';
import { RulesService } from './rules-service';
import { SysctlService } from './sysctl-service';
import { StatsHistory } from './history';
import { WindowSubscriptions } from './window-subscriptions';

export interface ServiceDeps {
  config: AgentConfig;
  source: ConntrackSource;
  info: AgentInfo;
  logger: Logger;
  /** Watch the kernel log for "table full" lines (off for simulated hosts: the log is this machine's). */
  kernelLog: boolean;
  /** Count the entries of every network namespace on the machine (off for simulated hosts: they are this machine's). */
  namespaces?: boolean;
  dashboardConnected(): boolean;
  sendSample(sample: StatsSample): void;
  sendComposition?(composition: Composition): void;
  sendDiagnoses?(report: DiagnosisReport): void;
}

interface PushTarget {
  pushWindow(subId: string, result: WindowResult): void;
  pushEvents(subId: string, batch: EventBatch): void;
}

export interface RunningServices extends AgentServices {
  mirror: Mirror;
  /** Composition summaries every 10 s and the ring of the last hour (`compositions.ring`). */
  compositions: CompositionService;
  diagnoses: DiagnosisEngine;
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
  const auditLog = await AuditLog.open({ path: config.auditFile, logger });
  const auditor = changeAuditor(auditLog);
  const changes = new FlowChanges(mirror, source, auditor);
  const rules = new RulesService(() => mirror.entries(), auditor);
  const sysctl = new SysctlService(mirror, source, auditLog, config.paths);

  const netns = deps.namespaces ? new NetnsCounter({ logger }) : null;
  netns?.start();
  // Other namespaces' counts come from the counter's last pass (every 10 s or more); the agent's own
  // namespace is the table it mirrors, so its count is the live one.
  const own = ownNetns();
  const netnsProvider: NetnsProvider = (total) => {
    const others = (netns?.byNetns() ?? []).filter((n) => n.netns !== own.netns);
    return [{ ...own, entries: total }, ...others].sort((a, b) => b.entries - a.entries);
  };
  const compositions = startCompositions({
    table: () => mirror.table,
    netns: netnsProvider,
    send: (c) => deps.sendComposition?.(c),
    logger,
    intervalMs: config.compositionInterval * 1000,
  });
  const warning = { raise: config.usageWarning, clear: Math.max(0, config.usageWarning - 5) };
  const alerts = new AlertEngine(parseAlertThresholds({ quietSeconds: config.alertClearAfter, usageWarning: warning }));
  const kmsg = new KmsgWatcher(logger);
  if (deps.kernelLog) kmsg.start();
  let netnsSentAt = 0;
  let latest: StatsSample | null = null;
  const memory = new MemoryWatch(logger);
  await memory.refresh();
  const evaluateAlerts = (sample: StatsSample | null) => {
    const changes = alerts.evaluate({ now: Date.now(), sample, overruns: mirror.getHealth().overruns, tableFullLines: kmsg.count, moduleLoaded: conntrackModuleLoaded(), growth: () => growthAttribution(compositions.ring) });
    for (const alert of changes.raised) logger.warn({ alert: alert.name, severity: alert.severity }, alert.message);
    for (const alert of changes.cleared) logger.info({ alert: alert.name }, 'alert cleared');
    return changes.active;
  };
  const sampler = new PeriodicSampler({
    reader: source,
    hooks: new HooksProbe(),
    logger,
    mirrorHealth: () => mirror.getHealth(),
    deliver: (sample) => {
      if (sample.mirror) sample.mirror.memory = memory.assess(sample.max);
      sample.alerts = evaluateAlerts(sample);
      // Sent once per count pass (every 10 s or more), not with every sample: the dashboard keeps the last one.
      const passAt = netns?.lastPass()?.at;
      const byNetns = passAt !== undefined && passAt !== netnsSentAt ? netns?.summary() : null;
      if (byNetns) {
        sample.netns = byNetns;
        netnsSentAt = byNetns.at;
      }
      latest = sample;
      history.add(sample);
      deps.sendSample(sample);
    },
    failed: () => {
      // The table cannot be read: still tell the dashboard why, with an empty sample carrying the alert.
      deps.sendSample({ at: Date.now(), count: 0, max: 0, cpu: [], hooksActive: false, alerts: evaluateAlerts(null) });
    },
  });
  const timer = setInterval(() => void sampler.tick(), config.interval * 1000);
  void sampler.tick();

  const diagnoses = new DiagnosisEngine({
    detectors: createDetectors({ config, source, table: () => mirror.table, onEvent: (listener) => mirror.onEvent(listener), latestSample: () => latest }),
    send: (report) => deps.sendDiagnoses?.(report),
    logger,
    intervalMs: config.diagnoseInterval * 1000,
  });
  diagnoses.start();

  const snapshots = new LiveSnapshots({
    table: () => mirror.table,
    stats: source,
    providers: { statsHistory: () => history.since(Date.now() - 3_600_000), composition: () => compositions.ring.since(0), alerts: () => alerts.active },
  });

  const idleFromKernel = new IdleFromKernel(source);
  const runAggregate = async (query: string, top: number): Promise<{ ok: true; data: Aggregates } | { ok: false; message: string }> => {
    const compiled = compileQuery(query);
    if (!compiled.ok) return compiled;
    const establishedTimeout = (await readNetfilterInteger('nf_conntrack_tcp_timeout_established')) ?? DEFAULT_ESTABLISHED_TIMEOUT;
    const idle = await idleFromKernel.get(query, compiled.match, establishedTimeout).catch(() => undefined);
    return { ok: true, data: aggregate({ table: mirror.table, filter: compiled.filter, top, establishedTimeout, ...(idle ? { idle } : {}) }) };
  };

  let tallied: { at: number; tally: Tally } | null = null;
  const currentTally = () => {
    if (!tallied || Date.now() - tallied.at > 1_000) tallied = { at: Date.now(), tally: tallyTable(mirror.table) };
    return tallied.tally;
  };
  const metrics = config.metrics
    ? await startMetricsServer({
        ...config.metrics,
        allowRemote: config.metricsAllowRemote,
        logger,
        snapshot: () => ({ info: deps.info, sample: latest, mirror: mirror.getHealth(), ...currentTally(), netns: netns?.lastPass() ?? null, alerts: latest?.alerts ?? [], diagnoses: diagnoses.active, dashboardConnected: deps.dashboardConnected(), kernelTableFullLines: kmsg.count }),
        health: () =>
          healthReport({ lastSampleAt: latest?.at ?? null, mirrorEntries: mirror.size, lostEvents: mirror.getHealth().lostEvents, dashboardConnected: deps.dashboardConnected(), maxSampleAgeMs: 3 * config.interval * 1000, now: Date.now() }),
      }).catch((err: unknown) => {
        logger.error({ err: (err as Error).message, metrics: config.metrics }, 'cannot serve /metrics; continuing without it');
        return null;
      })
    : null;

  return {
    mirror,
    compositions,
    diagnoses,
    windows,
    events,
    history,
    changes,
    rules,
    sysctl,
    snapshots,
    aggregate: runAggregate,
    bindPushes: (t) => (target = t),
    stop: async () => {
      clearInterval(timer);
      compositions.stop();
      diagnoses.stop();
      netns?.stop();
      kmsg.stop();
      metrics?.close();
      windows.stop();
      events.stop();
      mirror.stop();
      await auditLog.close();
    },
  };
}
