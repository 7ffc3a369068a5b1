import { hostname, release } from 'node:os';
import type { AgentInfo } from '@ctscope/protocol';
import pino, { type Logger } from 'pino';
import packageJson from '../package.json' with { type: 'json' };
import type { AgentConfig } from './config';
import { openConntrackSource } from './kernel/open-source';
import { DashboardLink } from './link/dashboard-link';
import { missingPrivileges } from './privileges';
import { HooksProbe } from './stats/hooks';
import { takeSample, type StatsReader } from './stats/sampler';
import { readTokenFile } from './token';

export const AGENT_VERSION = packageJson.version;

/** Runs the agent until SIGINT/SIGTERM or a fatal refusal; resolves with the process exit code. */
export async function runAgent(config: AgentConfig, logger: Logger = pino({ level: config.logLevel })): Promise<number> {
  const missing = missingPrivileges();
  if (missing) {
    logger.fatal(missing);
    return 1;
  }
  const token = await readTokenFile(config.tokenFile);
  const source = await openConntrackSource(logger);
  const info: AgentInfo = { hostname: hostname(), agentVersion: AGENT_VERSION, kernel: release(), source: source.kind };

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      link.close();
      source.close();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      resolve(code);
    };
    const onSignal = () => {
      logger.info('stopping');
      finish(0);
    };
    const link = new DashboardLink({
      url: config.dashboard,
      token,
      info,
      logger,
      onFatal: (message) => {
        logger.fatal(message);
        finish(1);
      },
    });
    const sampler = new PeriodicSampler(source, new HooksProbe(), logger, (sample) => link.sendSample(sample));
    const timer = setInterval(() => void sampler.tick(), config.interval * 1000);
    void sampler.tick();
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

/** Takes one sample per tick, skipping a tick while the previous one is still running. */
class PeriodicSampler {
  private running = false;
  private failing = false;

  constructor(
    private readonly reader: StatsReader,
    private readonly hooks: HooksProbe,
    private readonly logger: Logger,
    private readonly deliver: (sample: Awaited<ReturnType<typeof takeSample>>) => void,
  ) {}

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.deliver(await takeSample(this.reader, this.hooks));
      if (this.failing) this.logger.info('reading conntrack statistics works again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.error({ err: (err as Error).message }, 'cannot read conntrack statistics; is the nf_conntrack module loaded?');
      this.failing = true;
    } finally {
      this.running = false;
    }
  }
}
