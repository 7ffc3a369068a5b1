import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { runAgent } from '../agent';
import type { AgentConfig } from '../config';
import type { Recording } from './recording';
import { ReplaySource } from './replay-source';

export interface SimulatedAgentSpec {
  /** Host number (0..65535): addresses and the starting point in the recording follow from it. */
  host: number;
  hostname: string;
  tokenFile: string;
}

export interface FleetOptions {
  dashboard: string;
  recording: Recording;
  agents: readonly SimulatedAgentSpec[];
  /** Seconds between stats samples (1 like a real agent). */
  interval: number;
  logger: Logger;
}

export interface RunningFleet {
  /** Resolves with the worst exit code once every agent has stopped. */
  done: Promise<number>;
  stop(): void;
}

/** Spreads the hosts' starting points over the recording (a prime step, so neighbours differ). */
export const startPoint = (host: number, durationMs: number): number => (host * 7_919) % durationMs;

/**
 * When in the first sampling interval a host starts (golden-ratio steps: evenly spread whatever the
 * number of hosts or how they are split over processes). Real agents sample at unrelated moments; a fleet
 * started at once would otherwise send all its samples in the same few milliseconds of every second.
 */
export const startDelay = (host: number, intervalMs: number): number => Math.floor(((host * 0.618_033_988_75) % 1) * intervalMs);

/**
 * Runs simulated hosts in this process: each is the real agent (mirror, queries, sampler, its own
 * dashboard connection and token) over its own ReplaySource. Audit logs go to a temporary directory
 * removed at the end; /metrics is off; rules and sysctls are refused by the agents.
 */
export async function startFleet(options: FleetOptions): Promise<RunningFleet> {
  const auditDir = await mkdtemp(join(tmpdir(), 'ctscope-simulation-'));
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // one listener per simulated agent, by design
  const { recording } = options;
  const runs: Promise<number>[] = [];
  const start = async (agent: SimulatedAgentSpec): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, startDelay(agent.host, options.interval * 1_000)));
    if (controller.signal.aborted) return 0;
    const config: AgentConfig = {
      dashboard: options.dashboard,
      tokenFile: agent.tokenFile,
      insecureHttp: false,
      interval: options.interval,
      logLevel: 'info',
      eventBuffer: 1 << 20,
      auditFile: join(auditDir, `${agent.hostname}.audit.jsonl`),
      metrics: null,
      metricsAllowRemote: false,
      alertClearAfter: 60,
      usageWarning: 90,
      compositionInterval: 10,
      diagnoseInterval: 5,
      diagnoseUdpSilence: 30,
      diagnoseTableFull: 0.8,
      diagnoseInvalidRate: 1,
      paths: { procfs: '/proc', sysfs: '/sys', rootfs: auditDir },
    };
    const source = new ReplaySource(recording, { host: agent.host, startAtMs: startPoint(agent.host, recording.durationMs) });
    const logger = options.logger.child({ simulated: agent.hostname });
    return runAgent(config, logger, { source, hostname: agent.hostname, kernel: recording.kernel, stop: controller.signal }).catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'simulated agent failed');
      source.close();
      return 1;
    });
  };
  for (const agent of options.agents) runs.push(start(agent));
  const done = Promise.all(runs).then(async (codes) => {
    await rm(auditDir, { recursive: true, force: true });
    return Math.max(0, ...codes);
  });
  return { done, stop: () => controller.abort() };
}
