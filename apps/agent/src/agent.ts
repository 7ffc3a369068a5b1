import { hostname, release } from 'node:os';
import { keepYoungGenerationSmall } from '@ctscope/conntrack';
import type { AgentInfo } from '@ctscope/protocol';
import pino, { type Logger } from 'pino';
import packageJson from '../package.json' with { type: 'json' };
import type { AgentConfig } from './config';
import { openConntrackSource } from './kernel/open-source';
import { DashboardLink } from './link/dashboard-link';
import { attachRpcHandlers } from './link/rpc-handlers';
import { startServices } from './live/services';
import { missingPrivileges } from './privileges';
import { readTokenFile } from './token';

export const AGENT_VERSION = packageJson.version;

/** Runs the agent until SIGINT/SIGTERM or a fatal refusal; resolves with the process exit code. */
export async function runAgent(config: AgentConfig, logger: Logger = pino({ level: config.logLevel })): Promise<number> {
  // The agent holds a mirror of the whole table: its flows should not be copied through a large young generation.
  keepYoungGenerationSmall();
  const missing = missingPrivileges();
  if (missing) {
    logger.fatal(missing);
    return 1;
  }
  const token = await readTokenFile(config.tokenFile);
  const source = await openConntrackSource(logger);
  const info: AgentInfo = { hostname: hostname(), agentVersion: AGENT_VERSION, kernel: release(), source: source.kind };

  let link: DashboardLink | undefined;
  const services = await startServices({ config, source, info, logger, dashboardConnected: () => link?.connected ?? false, sendSample: (s) => link?.sendSample(s) });

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      link?.close();
      void services.stop().finally(() => {
        source.close();
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
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
      onFatal: (message) => {
        logger.fatal(message);
        finish(1);
      },
    });
    services.bindPushes(link);
    attachRpcHandlers(link.socket, services, logger);
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
