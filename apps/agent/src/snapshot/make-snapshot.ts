import { hostname, release } from 'node:os';
import type { Flow } from '@ctscope/conntrack';
import type { Alert, HistoryPoint, SnapshotSections } from '@ctscope/protocol';
import { SnapshotWriter } from '@ctscope/protocol/snapshot-file';
import { execRunner, type Runner } from '@ctscope/rules';
import { readSysctlState, type SysctlPathsInput } from '@ctscope/sysctl';
import type { KmsgIo } from '../alerts/kmsg';
import { RulesService } from '../live/rules-service';
import { toWireParam } from '../live/sysctl-wire';
import { toSnapshotFlow } from '../query/wire-flow';
import { HooksProbe } from '../stats/hooks';
import { takeSample, type StatsReader } from '../stats/sampler';
import { AGENT_VERSION } from '../version';
import { readTableFullBacklog } from './kmsg-backlog';
import { readRulesetLines } from './ruleset-lines';

/**
 * What only a running agent knows. The CLI has none of them; the agent passes its own (the composition
 * ring is wired in where the agent keeps one). Each missing one is named in the file's notes.
 */
export interface SnapshotProviders {
  statsHistory?: () => HistoryPoint[];
  composition?: () => Array<Record<string, unknown>>;
  alerts?: () => Alert[];
}

export interface MakeSnapshotOptions {
  via: 'cli' | 'agent';
  /** The filter as the user gave it, or null for the whole table. */
  filter: string | null;
  /** Hands each selected flow to `emit`, as it is read (the table is never held). */
  flows: (emit: (flow: Flow, seenAt: number) => void) => Promise<void>;
  /** Receives the gzip bytes synchronously, in order. */
  sink: (chunk: Buffer) => void;
  stats: StatsReader;
  providers?: SnapshotProviders;
  paths?: SysctlPathsInput;
  runner?: Runner;
  kmsg?: KmsgIo;
  now?: () => number;
}

const NOT_FROM_CLI = 'only a running agent has it; the dashboard\'s Snapshot button takes it from the agent';

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300) ?? 'error';

/** Everything but the flows; each part that cannot be read is left empty and named in `notes`. */
async function gatherSections(options: MakeSnapshotOptions, now: number): Promise<Omit<SnapshotSections, 'meta'> & { notes: string[] }> {
  const notes: string[] = [];
  const providers = options.providers ?? {};
  const runner = options.runner ?? execRunner;

  const sysctls = await readSysctlState(options.paths ? { paths: options.paths } : {}).then(
    (state) => state.params.map(toWireParam),
    (err: unknown) => (notes.push(`sysctls: not read (${reason(err)})`), []),
  );
  const current = await takeSample(options.stats, new HooksProbe(() => runner('nft', ['list', 'ruleset']).then((o) => o.stdout)), now).catch((err: unknown) => {
    notes.push(`stats: no current sample (${reason(err)})`);
    return null;
  });
  const history = providers.statsHistory?.() ?? [];
  if (!providers.statsHistory) notes.push(`stats history: ${NOT_FROM_CLI}`);
  const composition = providers.composition?.() ?? [];
  if (!providers.composition) notes.push(`composition history: ${options.via === 'cli' ? NOT_FROM_CLI : 'this agent keeps none'}`);
  const alerts = providers.alerts?.() ?? [];
  if (!providers.alerts) notes.push(`active alerts: ${NOT_FROM_CLI}`);

  const noChanges = { begin: () => Promise.reject(new Error('a snapshot changes nothing')) };
  const rules = await new RulesService(() => [], noChanges, runner).list().catch((err: unknown) => {
    notes.push(`our rules: not read (${reason(err)})`);
    return null;
  });
  const rulesetLines = await readRulesetLines(runner);
  const kmsg = readTableFullBacklog(options.kmsg);
  if (kmsg.error) notes.push(`kernel log: ${kmsg.error}`);
  return { sysctls, stats: { current, history }, composition, rules, ruleset_lines: rulesetLines, kmsg: kmsg.lines, alerts, notes };
}

/**
 * Writes one snapshot file (docs/snapshot-format.md) to `sink`: the host's sections first, then the
 * selected flows as they are read. Returns the flow count and the notes on what the file lacks.
 */
export async function makeSnapshot(options: MakeSnapshotOptions): Promise<{ flows: number; notes: string[] }> {
  const now = options.now ?? Date.now;
  const createdAt = now();
  const { notes, ...sections } = await gatherSections(options, createdAt);
  const writer = new SnapshotWriter(options.sink, createdAt);
  writer.section('meta', { host: hostname().slice(0, 253), agentVersion: AGENT_VERSION, kernel: release().slice(0, 200), via: options.via, filter: options.filter, notes });
  writer.section('sysctls', sections.sysctls);
  writer.section('stats', sections.stats);
  writer.section('composition', sections.composition);
  writer.section('rules', sections.rules);
  writer.section('ruleset_lines', sections.ruleset_lines);
  writer.section('kmsg', sections.kmsg);
  writer.section('alerts', sections.alerts);
  await options.flows((flow, seenAt) => writer.flow(toSnapshotFlow({ flow, seenAt }, Math.max(seenAt, createdAt))));
  await writer.end();
  return { flows: writer.flowCount, notes };
}
