import { isConntrackCommandLine } from '@ctscope/conntrack/compat';
import { UsageError } from '../commands/args';
import { AGENT_USAGE, ConfigError } from '../config';
import { AGENT_VERSION } from '../version';
import { reportCommandError } from './report-error';

const USAGE = `usage: ctscope <command> [options]
       ctscope --version

commands:
  agent     run the host agent and report to a dashboard
  list      list conntrack entries (like conntrack -L)
  events    follow conntrack events (like conntrack -E)
  stats     per-CPU statistics (like conntrack -S)
  count     number of entries (like conntrack -C)
  delete    delete entries matching a filter (like conntrack -D)
  rules     NOTRACK, state and connection-limit rules in our own table/chains
  sysctl    nf_conntrack parameters: get, set, persist, rollback (audited)
  confirm   keep (or undo now) a change made with --confirm-within; list those waiting
  snapshot  one gzip file of the table, stats, sysctls, rules and kernel lines for an incident
  simulate  a fleet SIMULATION for load tests: N agents replaying recorded kernel traffic

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
  sysctl: async () => {
    const m = await import('../commands/sysctl');
    return { usage: m.SYSCTL_USAGE, run: m.sysctlCommand };
  },
  confirm: async () => {
    const m = await import('../commands/confirm');
    return { usage: m.CONFIRM_USAGE, run: m.confirmCommand };
  },
  snapshot: async () => {
    const m = await import('../commands/snapshot');
    return { usage: m.SNAPSHOT_USAGE, run: m.snapshotCommand };
  },
  simulate: async () => {
    const m = await import('../simulation/simulate-command');
    return { usage: m.SIMULATE_USAGE, run: m.simulateCommand };
  },
};

/** Exit codes follow conntrack's: 0 ok, 1 failure, 2 bad arguments. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`ctscope ${AGENT_VERSION}\n`);
    return 0;
  }
  // conntrack's own command line (`ctscope -L -p tcp`, `ctscope -R -`); bin/ctscope.mjs sends it to its own bundle.
  if (isConntrackCommandLine(argv)) return (await import('../commands/conntrack-syntax')).conntrackSyntaxMain(argv);
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
    return reportCommandError(err, rest, command.usage, (e) => e instanceof UsageError || e instanceof ConfigError);
  }
}
