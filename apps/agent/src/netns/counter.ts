import { performance } from 'node:perf_hooks';
import { countNetnsEntries, type NetnsCountPass } from '@ctscope/conntrack';
import { MAX_WIRE_NETNS, type NetnsSummary } from '@ctscope/protocol';
import type { Logger } from 'pino';
import { discoverNamespaces, type Discovery, type NetnsSource } from './discover';

/** One namespace's entries: the shape the composition summary's `byNetns` takes. */
export interface NetnsEntries {
  /** The namespace's inode, decimal. */
  netns: string;
  name: string;
  source: NetnsSource;
  entries: number;
}

export interface NetnsPass {
  at: number;
  /** Every namespace counted, most entries first. */
  byNetns: NetnsEntries[];
  seen: number;
  truncated: boolean;
  /** Namespaces that exist but could not be joined or asked (not those that vanished meanwhile). */
  unreadable: number;
  /** CPU the pass cost: discovery on this thread (its wall time, an upper bound) plus the addon's counting thread. */
  cpuMs: number;
  /** Until the next pass: max(10 s, 50 × cpuMs), so passes cost at most 2 % of a core. */
  nextInMs: number;
}

export interface NetnsCounterOptions {
  logger: Logger;
  discover?: () => Discovery;
  count?: (paths: readonly string[]) => Promise<NetnsCountPass>;
  minIntervalMs?: number;
}

export const MIN_NETNS_INTERVAL_MS = 10_000;
/** Interval over pass CPU: 50 keeps the cost at or under 2 % of one core. */
export const NETNS_COST_FACTOR = 50;
/** Namespaces a stats sample carries; the rest are summed in `others`. */
export const WIRE_NETNS = MAX_WIRE_NETNS;
const byEntries = (a: NetnsEntries, b: NetnsEntries) => b.entries - a.entries || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
// Gone between discovery and count: no such file, no such process.
const VANISHED = new Set([2, 3]);
const EPERM = 1;
const EACCES = 13;

/** Counts the entries of every network namespace on the host, again and again, spaced by its own cost. */
export class NetnsCounter {
  private latest: NetnsPass | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private warnedDenied = false;
  private readonly discover: () => Discovery;
  private readonly count: (paths: readonly string[]) => Promise<NetnsCountPass>;
  private readonly minIntervalMs: number;

  constructor(private readonly options: NetnsCounterOptions) {
    this.discover = options.discover ?? (() => discoverNamespaces());
    this.count = options.count ?? countNetnsEntries;
    this.minIntervalMs = options.minIntervalMs ?? MIN_NETNS_INTERVAL_MS;
  }

  /** Runs passes until stop(); a pass that cannot run at all (no addon) ends them with one warning. */
  start(): void {
    const loop = () => {
      this.pass().then(
        (pass) => {
          if (!this.stopped) this.timer = setTimeout(loop, pass.nextInMs).unref();
        },
        (err: unknown) => this.options.logger.warn({ err: (err as Error).message }, 'per-namespace counts are off: cannot count entries in other network namespaces'),
      );
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async pass(): Promise<NetnsPass> {
    const started = performance.now();
    const found = this.discover();
    const discoveryMs = performance.now() - started;
    const counted = await this.count(found.namespaces.map((ns) => ns.path));
    const byNetns: NetnsEntries[] = [];
    let unreadable = 0;
    let denied = 0;
    counted.counts.forEach((result, i) => {
      const ns = found.namespaces[i];
      if (!ns) return;
      // Another namespace behind the same path (the pid was reused) is one that vanished.
      if (result.ok ? String(result.inode) !== ns.netns : VANISHED.has(result.errno)) return;
      if (!result.ok) {
        unreadable++;
        if (result.errno === EPERM || result.errno === EACCES) denied++;
        return;
      }
      byNetns.push({ netns: ns.netns, name: ns.name, source: ns.source, entries: result.entries });
    });
    byNetns.sort(byEntries);
    const cpuMs = discoveryMs + counted.threadCpuSeconds * 1000;
    const pass: NetnsPass = {
      at: Date.now(),
      byNetns,
      seen: found.seen,
      truncated: found.truncated,
      unreadable,
      cpuMs,
      nextInMs: Math.max(this.minIntervalMs, Math.ceil(NETNS_COST_FACTOR * cpuMs)),
    };
    this.latest = pass;
    if (denied > 0 && !this.warnedDenied) {
      this.warnedDenied = true;
      this.options.logger.warn(
        { namespaces: denied },
        'cannot join other network namespaces to count their entries (permission denied): the agent needs CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE, and systemd\'s RestrictNamespaces must allow net; see "Per-namespace counts" in the README',
      );
    }
    return pass;
  }

  lastPass(): NetnsPass | null {
    return this.latest;
  }

  /** The latest counts, most entries first; empty before the first pass. */
  byNetns(): NetnsEntries[] {
    return this.latest ? this.latest.byNetns.map((ns) => ({ ...ns })) : [];
  }

  /** What a stats sample carries: the top WIRE_NETNS namespaces and the rest summed. */
  summary(): NetnsSummary | null {
    const pass = this.latest;
    if (!pass) return null;
    const rest = pass.byNetns.slice(WIRE_NETNS);
    return {
      at: pass.at,
      seen: pass.seen,
      truncated: pass.truncated,
      unreadable: pass.unreadable,
      cpuMs: Math.round(pass.cpuMs * 1000) / 1000,
      byNetns: pass.byNetns.slice(0, WIRE_NETNS),
      others: { namespaces: rest.length, entries: rest.reduce((sum, ns) => sum + ns.entries, 0) },
    };
  }
}
