import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { CpuStats, Flow } from '../flow';
import type { ConntrackSource, GlobalStats, KernelDumpFilter, SubscribeHandlers, SubscribeOptions, Subscription, TableName } from '../source';
import { parseConntrackText } from '../text/parse-line';
import { parseConntrackCount, parseConntrackStats } from '../text/parse-stats';
import { followEvents } from './event-stream';
import { planKernelFilter } from './kernel-filter';
import type { FlowFilter } from '../filter/types';
import { changedCount, filterDeleteArgs, flowCreateArgs, flowDeleteArgs, flowUpdateArgs, type CliFlowUpdate, type CliNewFlow, type FlowIdentity } from './mutate';
import { runCommand, runCommandSettled } from './run';

/** The pino-compatible part of a logger this source uses. */
export interface CliLogger {
  warn(obj: object, msg: string): void;
}

export interface CliSourceOptions {
  /** The command that runs conntrack, as argv (default ['conntrack']); e.g. ['ip', 'netns', 'exec', 'ns1', 'conntrack']. */
  command?: readonly string[];
  logger?: CliLogger;
  /** Where nf_conntrack_max is read (default /proc/sys/net/netfilter/nf_conntrack_max). */
  maxEntriesFile?: string;
  /** Wait before restarting an event follower that exited (default 1000 ms). */
  restartDelayMs?: number;
}

/** ConntrackSource on top of the `conntrack` CLI (conntrack-tools), for hosts where netlink cannot be used. */
export class CliSource implements ConntrackSource {
  readonly kind = 'cli' as const;
  private readonly command: readonly string[];
  private readonly logger: CliLogger | undefined;
  private readonly maxEntriesFile: string;
  private readonly restartDelayMs: number;
  private readonly children = new Set<ChildProcess>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(options: CliSourceOptions = {}) {
    this.command = options.command ?? ['conntrack'];
    this.logger = options.logger;
    this.maxEntriesFile = options.maxEntriesFile ?? '/proc/sys/net/netfilter/nf_conntrack_max';
    this.restartDelayMs = options.restartDelayMs ?? 1000;
    this.logger?.warn({ source: 'cli', command: this.command }, 'using the conntrack CLI fallback (slower than netlink; status bits partly rebuilt from text)');
  }

  private run(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    if (this.closed) return Promise.reject(new Error('CliSource is closed'));
    return runCommand(this.command, args);
  }

  /** `conntrack -L [dying|unconfirmed] -o extended,id` with the kernel filter as options, checked again after parsing. */
  async dump(filter?: KernelDumpFilter, table: TableName = 'conntrack'): Promise<Flow[]> {
    if (table !== 'conntrack' && table !== 'dying' && table !== 'unconfirmed') throw new TypeError(`unknown table ${String(table)}`);
    const plan = planKernelFilter(filter);
    const args = table === 'conntrack' ? ['-L', '-o', 'extended,id', ...plan.args] : ['-L', table, '-o', 'extended,id'];
    const { stdout } = await this.run(args);
    return parseConntrackText(stdout, { confirmed: table !== 'unconfirmed' }).filter(plan.matches);
  }

  async count(): Promise<number> {
    return parseConntrackCount((await this.run(['-C'])).stdout);
  }

  async globalStats(): Promise<GlobalStats> {
    const [entries, maxText] = await Promise.all([this.count(), readFile(this.maxEntriesFile, 'utf8')]);
    const maxEntries = Number(maxText.trim());
    if (!Number.isInteger(maxEntries)) throw new Error(`unexpected ${this.maxEntriesFile} content: ${maxText.trim()}`);
    return { entries, maxEntries };
  }

  async cpuStats(): Promise<CpuStats[]> {
    return parseConntrackStats((await this.run(['-S'])).stdout);
  }

  /** Runs `conntrack -D/-I/-U …` and returns how many entries it changed (0 is not an error, though the CLI exits 1). */
  private async runChange(args: readonly string[], verb: 'deleted' | 'created' | 'updated'): Promise<number> {
    if (this.closed) throw new Error('CliSource is closed');
    const result = await runCommandSettled(this.command, args);
    const count = changedCount(result.stderr, verb);
    if (count === null) throw new Error(`conntrack ${args.join(' ')} failed: ${result.stderr.trim() || result.error?.message || 'no summary'}`);
    return count;
  }

  /** Deletes one entry by original tuple, zone and id; false when it was already gone. */
  async deleteFlow(flow: FlowIdentity): Promise<boolean> {
    return (await this.runChange(flowDeleteArgs(flow), 'deleted')) > 0;
  }

  /** Deletes exactly these entries (original tuple, zone and id), one `conntrack -D` each; returns how many. */
  async deleteFlows(flows: readonly Flow[]): Promise<number> {
    let deleted = 0;
    for (const flow of flows) if (await this.deleteFlow(flow)) deleted++;
    return deleted;
  }

  /** Deletes every entry the predicate accepts (after a dump), one `conntrack -D` each; returns how many. */
  async deleteMatching(matches: (flow: Flow) => boolean, filter?: KernelDumpFilter): Promise<number> {
    let deleted = 0;
    for (const flow of await this.dump(filter)) if (matches(flow) && (await this.deleteFlow(flow))) deleted++;
    return deleted;
  }

  /** One `conntrack -D` with the filter's options (faster than deleteMatching); throws FilterNotExpressibleError. */
  async deleteWhere(filter: FlowFilter): Promise<number> {
    return this.runChange(filterDeleteArgs(filter), 'deleted');
  }

  /** Empties the table, or one family (conntrack -F ignores -f, so that is a `conntrack -D -f FAMILY`). */
  async flush(family?: Flow['family']): Promise<void> {
    if (family === undefined) await this.run(['-F']);
    else if (family === 'ipv4' || family === 'ipv6') await this.runChange(['-D', '-f', family], 'deleted');
    else throw new TypeError(`invalid family ${String(family)}`);
  }

  /** Inserts an entry (`conntrack -I`); fails when it exists. */
  async create(flow: CliNewFlow): Promise<void> {
    const created = await this.runChange(flowCreateArgs(flow), 'created');
    if (created !== 1) throw new Error(`conntrack -I created ${created} entries`);
  }

  /** Changes an existing entry's timeout, mark or status (`conntrack -U`). */
  async update(flow: CliFlowUpdate): Promise<void> {
    const updated = await this.runChange(flowUpdateArgs(flow), 'updated');
    if (updated === 0) throw new Error('conntrack -U found no such entry');
  }

  subscribe(options: SubscribeOptions, handlers: SubscribeHandlers): Subscription {
    if (this.closed) throw new Error('CliSource is closed');
    const subscription = followEvents(options, handlers, {
      command: this.command,
      logger: this.logger,
      restartDelayMs: this.restartDelayMs,
      track: (child) => {
        this.children.add(child);
        return () => this.children.delete(child);
      },
    });
    const tracked: Subscription = {
      close: () => {
        this.subscriptions.delete(tracked);
        subscription.close();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  close(): void {
    this.closed = true;
    for (const subscription of [...this.subscriptions]) subscription.close();
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }
}
