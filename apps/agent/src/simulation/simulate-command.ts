import { fork, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { UsageError } from '../commands/args';
import { startFleet, type SimulatedAgentSpec } from './fleet';
import { parseRecording } from './recording';
import { MAX_SIMULATED_HOSTS } from './shift-addresses';

export const SIMULATE_USAGE = `usage: ctscope simulate --dashboard URL --tokens-dir DIR --recording FILE [options]

A fleet SIMULATION for load tests: N agents running the real agent code, each replaying a recording of
real kernel conntrack traffic (addresses shifted per host) instead of reading this machine's kernel.
The dashboard shows these hosts as "simulated"; they refuse rule and sysctl changes.

  --dashboard URL     the dashboard to report to
  --tokens-dir DIR    one agent token per simulated host, in files named HOSTNAME.token (mode 0600)
  --recording FILE    a recording made by bench/src/fleet/record.ts (gzip'd JSON)
  --agents N          how many hosts to simulate (default: one per token file)
  --interval SECONDS  seconds between stats samples (default 1)
  --workers N         processes to spread the agents over (default 1)
environment: CTSCOPE_LOG_LEVEL (warn)`;

const HOSTNAME = /^([a-z0-9][a-z0-9._-]{0,62})\.token$/;

interface SimulateArgs {
  dashboard: string;
  tokensDir: string;
  recording: string;
  agents: number | undefined;
  interval: number;
  workers: number;
  shard: { index: number; of: number } | undefined;
}

const positiveInt = (value: string | undefined, flag: string, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}`);
  return n;
};

export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        dashboard: { type: 'string' },
        'tokens-dir': { type: 'string' },
        recording: { type: 'string' },
        agents: { type: 'string' },
        interval: { type: 'string', default: '1' },
        workers: { type: 'string', default: '1' },
        shard: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { dashboard, recording } = values;
  const tokensDir = values['tokens-dir'];
  if (!dashboard || !/^https?:\/\//.test(dashboard)) throw new UsageError('--dashboard must be an http(s) URL, e.g. http://127.0.0.1:3000');
  if (!tokensDir) throw new UsageError('--tokens-dir is required: a directory of HOSTNAME.token files');
  if (!recording) throw new UsageError('--recording is required: a recording of real kernel traffic');
  const interval = Number(values.interval);
  if (!(interval >= 0.2 && interval <= 60)) throw new UsageError('--interval must be between 0.2 and 60 seconds');
  const shardMatch = values.shard === undefined ? null : /^(\d+)\/(\d+)$/.exec(values.shard);
  if (values.shard !== undefined && !shardMatch) throw new UsageError('--shard must be INDEX/COUNT');
  const shard = shardMatch ? { index: Number(shardMatch[1]), of: Number(shardMatch[2]) } : undefined;
  if (shard && shard.index >= shard.of) throw new UsageError('--shard index must be below its count');
  return {
    dashboard,
    tokensDir,
    recording,
    agents: positiveInt(values.agents, '--agents', MAX_SIMULATED_HOSTS),
    interval,
    workers: positiveInt(values.workers, '--workers', 64) ?? 1,
    shard,
  };
}

/** The simulated hosts, numbered in name order, from the token files of the directory. */
export async function agentsFromTokensDir(dir: string, count: number | undefined): Promise<SimulatedAgentSpec[]> {
  const names = (await readdir(dir)).filter((name) => HOSTNAME.test(name)).sort();
  if (names.length === 0) throw new UsageError(`${dir} holds no HOSTNAME.token files`);
  if (count !== undefined && names.length < count) throw new UsageError(`--agents ${count} needs ${count} token files; ${dir} holds ${names.length}`);
  return names.slice(0, count ?? names.length).map((name, host) => ({ host, hostname: (HOSTNAME.exec(name) as RegExpExecArray)[1] as string, tokenFile: join(dir, name) }));
}

function forkShards(argv: readonly string[], workers: number): Promise<number> {
  const script = process.argv[1];
  if (!script) throw new Error('cannot find the ctscope entry point to start workers');
  const children: ChildProcess[] = [];
  const forward = (signal: NodeJS.Signals) => () => children.forEach((child) => child.kill(signal));
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt).on('SIGTERM', onTerm);
  const exits = Array.from({ length: workers }, (_, index) => {
    const child = fork(script, ['simulate', ...argv, '--workers', '1', '--shard', `${index}/${workers}`], { stdio: 'inherit' });
    children.push(child);
    return new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  });
  return Promise.all(exits).then((codes) => {
    process.off('SIGINT', onInt).off('SIGTERM', onTerm);
    return Math.max(...codes);
  });
}

/** `ctscope simulate`: runs the fleet until SIGINT/SIGTERM. */
export async function simulateCommand(argv: readonly string[]): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args.workers > 1 && !args.shard) return forkShards(argv, args.workers);
  const recording = parseRecording(await readFile(args.recording));
  const all = await agentsFromTokensDir(args.tokensDir, args.agents);
  const agents = args.shard ? all.filter((a) => a.host % (args.shard as { of: number }).of === (args.shard as { index: number }).index) : all;
  const logger = pino({ level: process.env.CTSCOPE_LOG_LEVEL ?? 'warn' });
  logger.warn({ agents: agents.length, recording: args.recording, recordedAt: recording.recordedAt }, 'SIMULATION: these agents replay recorded kernel traffic; they are not real hosts');
  const fleet = await startFleet({ dashboard: args.dashboard, recording, agents, interval: args.interval, logger });
  const stop = () => fleet.stop();
  process.on('SIGINT', stop).on('SIGTERM', stop);
  const code = await fleet.done;
  process.off('SIGINT', stop).off('SIGTERM', stop);
  return code;
}
