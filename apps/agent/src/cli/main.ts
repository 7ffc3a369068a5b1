import { runAgent } from '../agent';
import { AGENT_USAGE, ConfigError, parseAgentConfig } from '../config';
import { TokenFileError } from '../token';

const USAGE = `usage: ctscope <command> [options]

commands:
  agent     run the host agent and report to a dashboard

${AGENT_USAGE}`;

/** Exit codes follow conntrack's: 0 ok, 1 failure, 2 bad arguments. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'agent':
        return await runAgent(parseAgentConfig(rest));
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`ctscope: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ctscope: ${err.message}\n`);
      return 2;
    }
    if (err instanceof TokenFileError) {
      process.stderr.write(`ctscope: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
