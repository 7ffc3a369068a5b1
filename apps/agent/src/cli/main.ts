import { FilterArgsError, FilterNotExpressibleError, FilterSyntaxError } from '@ctscope/conntrack';
import { UsageError } from '../commands/args';
import { AGENT_USAGE, ConfigError } from '../config';
import { TokenFileError } from '../token';

const USAGE = `usage: ctscope <command> [options]

commands:
  agent     run the host agent and report to a dashboard
  list      list conntrack entries (like conntrack -L)
  events    follow conntrack events (like conntrack -E)
  stats     per-CPU statistics (like conntrack -S)
  count     number of entries (like conntrack -C)
  delete    delete entries matching a filter (like conntrack -D)
  rules     NOTRACK, state and connection-limit rules in our own table/chains

Run "ctscope <command> --help" for a command's options.

${AGENT_USAGE}`;

type Command = { usage: string; run: (argv: readonly string[]) => Promise<number> };

// Commands load lazily so a quick `ctscope count` does not pay for the agent's dependencies.
const COMMANDS: Record<string, () => Promise<Command>> = {
  agent: async () => {
    const [{ runAgent }, { parseAgentConfig }] = await Promise.all([import('../agent'), import('../config')]);
    return { usage: AGENT_USAGE, run: (argv) => runAgent(parseAgentConfig(argv)) };
  },
  list: async () => {
    const m = await import('../commands/list');
    return { usage: m.LIST_USAGE, run: m.listCommand };
  },
  events: async () => {
    const m = await import('../commands/events');
    return { usage: m.EVENTS_USAGE, run: m.eventsCommand };
  },
  stats: async () => {
    const m = await import('../commands/stats');
    return { usage: m.STATS_USAGE, run: m.statsCommand };
  },
  count: async () => {
    const m = await import('../commands/stats');
    return { usage: 'usage: ctscope count', run: m.countCommand };
  },
  delete: async () => {
    const m = await import('../commands/delete');
    return { usage: m.DELETE_USAGE, run: m.deleteCommand };
  },
  rules: async () => {
    const m = await import('../commands/rules');
    return { usage: m.RULES_USAGE, run: m.rulesCommand };
  },
};

/** Shows a query with a caret line under the offending token. */
function pointAt(error: FilterSyntaxError, query: string | undefined): string {
  if (query === undefined) return error.message;
  const width = Math.max(1, error.end - error.start);
  return `${error.expected}\n  ${query}\n  ${' '.repeat(error.start)}${'^'.repeat(width)}`;
}

function queryOf(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--query' || a.startsWith('--query='));
  if (i < 0) return undefined;
  const arg = argv[i] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

/** Exit codes follow conntrack's: 0 ok, 1 failure, 2 bad arguments. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`ctscope: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return fail(2, `bad query: ${pointAt(err, queryOf(rest))}`);
    if (err instanceof FilterArgsError || err instanceof FilterNotExpressibleError) return fail(2, err.message);
    if (err instanceof UsageError || err instanceof ConfigError) return fail(2, `${err.message}\n\n${command.usage}`);
    if (err instanceof TokenFileError) return fail(1, err.message);
    return fail(1, err instanceof Error ? err.message : String(err));
  }
}

function fail(code: number, message: string): number {
  process.stderr.write(`ctscope: ${message}\n`);
  return code;
}
