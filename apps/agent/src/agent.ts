import { hostname, release } from 'node:os';
import { keepYoungGenerationSmall, type ConntrackSource } from '@ctscope/conntrack';
import type { AgentInfo } from '@ctscope/protocol';
import pino, { type Logger } from 'pino';
import { findUntrustedCode, untrustedCodeMessage } from './code-trust';
import type { AgentConfig } from './config';
import { openConntrackSource } from './kernel/open-source';
import { DashboardLink } from './link/dashboard-link';
import { attachRpcHandlers, MACHINE_CHANGES } from './link/rpc-handlers';
import { readCaFile, warnInsecureHttp } from './link/transport-security';
import { startServices } from './live/services';
import { missingPrivileges } from './privileges';
import { readTokenFile } from './token';
import { AGENT_VERSION } from './version';

export { AGENT_VERSION };

/** One host of the fleet simulation: the real agent code on a replayed table, never this machine's kernel. */
export interface SimulatedHost {
  source: ConntrackSource & { kind: 'replay' };
  hostname: string;
  /** The kernel the recording was taken on. */
  kernel: string;
  /** Ends this agent (the simulation owns the process signals, shared by many agents). */
  stop: AbortSignal;
}

/**
 * Runs the agent until SIGINT/SIGTERM or a fatal refusal; resolves with the process exit code. With
 * `simulated` it runs as one simulated host: no privileges needed, nothing of the machine is changed.
 */
export async function runAgent(config: AgentConfig, logger: Logger = pino({ level: config.logLevel }), simulated?: SimulatedHost): Promise<number> {
  // The agent holds a mirror of the whole table: its flows should not be copied through a large young generation.
  keepYoungGenerationSmall();
  const missing = simulated ? undefined : missingPrivileges();
  if (missing) {
    logger.fatal(missing);
    return 1;
  }
  const untrusted = simulated ? undefined : findUntrustedCode();
  if (untrusted) {
    logger.fatal({ path: untrusted.path }, untrustedCodeMessage(untrusted));
    return 1;
  }
  const token = await readTokenFile(config.tokenFile);
  const ca = config.caFile === undefined ? undefined : { pem: await readCaFile(config.caFile), file: config.caFile };
  const source = simulated?.source ?? (await openConntrackSource(logger));
  const info: AgentInfo = simulated
    ? { hostname: simulated.hostname, agentVersion: AGENT_VERSION, kernel: simulated.kernel, source: 'replay' }
    : { hostname: hostname(), agentVersion: AGENT_VERSION, kernel: release(), source: source.kind };
  if (simulated) logger.info({ hostname: info.hostname }, 'SIMULATED host: replaying recorded kernel traffic; this machine\'s kernel is not read or changed');

  let link: DashboardLink | undefined;
  const stopInsecureWarnings = config.insecureHttp ? warnInsecureHttp(config.dashboard, logger) : () => undefined;
  const services = await startServices({ config, source, info, logger, kernelLog: !simulated, namespaces: !simulated, dashboardConnected: () => link?.connected ?? false, sendSample: (s) => link?.sendSample(s), sendComposition: (c) => link?.sendComposition(c), sendDiagnoses: (r) => link?.sendDiagnoses(r) });

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      stopInsecureWarnings();
      link?.close();
      void services.stop().finally(() => {
        source.close();
        if (simulated) simulated.stop.removeEventListener('abort', onSignal);
        else process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        resolve(code);
      });
    };
    const onSignal = () => {
      logger.info('stopping');
      finish(0);
    };
    link = new DashboardLink({
      url: config.dashboard,
      token,
      info,
      logger,
      ...(ca && { ca }),
      onFatal: (message) => {
        logger.fatal(message);
        finish(1);
      },
    });
    services.bindPushes(link);
    attachRpcHandlers(link.socket, services, logger, simulated ? { refused: new Set([...MACHINE_CHANGES, 'snapshot:make' as const]), reason: 'this host is simulated (recorded traffic replayed): rules and sysctls cannot be changed on it, and no snapshot is taken of it (its sysctls and rules would be this machine\'s)' } : undefined);
    if (simulated) {
      if (simulated.stop.aborted) queueMicrotask(onSignal);
      else simulated.stop.addEventListener('abort', onSignal, { once: true });
    } else process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
