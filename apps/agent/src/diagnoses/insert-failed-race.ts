import { networkInterfaces } from 'node:os';
import type { FlowEvent } from '@ctscope/conntrack';
import type { Diagnosis, StatsSample } from '@ctscope/protocol';
import type { MirrorEntry } from '../mirror/mirror';
import { toWireFlow } from '../query/wire-flow';
import type { Detector } from './detector';
import { CounterWindow, pointCounters, type WindowRates } from './dns/counter-window';
import { DnsTally, type ResolverCount } from './dns/dns-tally';
import { raceFixes } from './dns/race-fixes';

export interface InsertFailedRaceOptions {
  /** Rates are taken over this much history (ms). */
  windowMs: number;
  /** insert_failed (or drop) increases within the window that count as "rising". */
  minFailures: number;
  /** New UDP/53 entries per second that count as "frequent". */
  minDnsPerSecond: number;
  /** Above this table usage (0..1) `drop` means "table full", not the race: only insert_failed counts then. */
  fullUsage: number;
}

export const INSERT_FAILED_RACE_DEFAULTS: InsertFailedRaceOptions = { windowMs: 60_000, minFailures: 3, minDnsPerSecond: 2, fullUsage: 0.95 };

export interface InsertFailedRaceDeps {
  /** The newest stats sample (per-CPU counters); null before the first. */
  latestSample(): StatsSample | null;
  /** The mirror's event feed (`mirror.onEvent`): NEW UDP/53 entries are counted from it. Returns an unsubscribe. */
  onEvent(listener: (event: FlowEvent, entry: MirrorEntry) => void): () => void;
  /** This host's addresses (default: every interface's); a resolver on one of them is node-local. */
  localAddresses?(): Iterable<string>;
  options?: Partial<InsertFailedRaceOptions>;
  /** Agent clock at creation (ms); default Date.now(). */
  now?: number;
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

const fmt = (n: number): string => (n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2));

/** CPUs shown one by one; the rest are summed in one fact (a big host has a hundred). */
const SHOWN_CPUS = 6;

/** insert_failed/s and drop/s per CPU where they rose (most first), clash_resolve/s where the kernel resolved clashes. */
function cpuFacts(rates: WindowRates): Diagnosis['evidence']['facts'] {
  const facts: Diagnosis['evidence']['facts'] = [];
  const failing = rates.cpus.filter((c) => c.delta.insert_failed > 0 || c.delta.drop > 0).sort((a, b) => b.delta.insert_failed - a.delta.insert_failed || b.delta.drop - a.delta.drop || a.cpu - b.cpu);
  for (const c of failing.slice(0, SHOWN_CPUS).sort((a, b) => a.cpu - b.cpu)) {
    facts.push({ label: `insert_failed/s on CPU ${c.cpu}`, value: `${fmt(c.perSecond.insert_failed)} (${c.delta.insert_failed} in ${fmt(rates.seconds)} s)` });
    facts.push({ label: `drop/s on CPU ${c.cpu}`, value: `${fmt(c.perSecond.drop)} (${c.delta.drop} in ${fmt(rates.seconds)} s)` });
  }
  const rest = failing.slice(SHOWN_CPUS);
  if (rest.length) {
    const sum = (key: 'insert_failed' | 'drop') => rest.reduce((n, c) => n + c.delta[key], 0);
    facts.push({ label: `${rest.length} more CPUs with failures`, value: `insert_failed ${sum('insert_failed')}, drop ${sum('drop')} in ${fmt(rates.seconds)} s` });
  }
  const resolved = rates.cpus.filter((c) => c.delta.clash_resolve > 0);
  if (resolved.length) facts.push({ label: 'clash_resolve/s (clashes the kernel resolved)', value: resolved.map((c) => `CPU ${c.cpu}: ${fmt(c.perSecond.clash_resolve)}`).join(', ').slice(0, 300) });
  return facts;
}

function resolverText(r: ResolverCount, total: number): string {
  const share = total > 0 ? ` (${Math.round((r.count / total) * 100)} %)` : '';
  return `${r.address}${share}${r.dnatTo.length ? `, DNAT to ${r.dnatTo.join(', ')}` : ''}`;
}

/**
 * The DNS insert race (kubernetes#56903): `insert_failed` (or `drop`) rising on some CPUs while new
 * UDP entries to port 53 are frequent. Both counters come from data the agent already has: the per-CPU
 * stats of each sample and the mirror's NEW events.
 */
export interface InsertFailedRaceDetector extends Detector {
  evaluate(now: number): Diagnosis[];
  /** Takes the newest sample into the window and returns the rates over it (what `evaluate` judges). */
  observe(now: number): WindowRates | null;
}

export function createInsertFailedRaceDetector(deps: InsertFailedRaceDeps): InsertFailedRaceDetector {
  const options = { ...INSERT_FAILED_RACE_DEFAULTS, ...deps.options };
  const tally = new DnsTally(options.windowMs, deps.now ?? Date.now());
  const unsubscribe = deps.onEvent((event, entry) => tally.record(event, entry));
  const window = new CounterWindow(options.windowMs);
  let lastSampleAt = -1;
  let since: number | null = null;

  const observe = (now: number): WindowRates | null => {
    tally.rotate(now);
    const sample = deps.latestSample();
    if (sample && sample.at !== lastSampleAt && sample.cpu.length > 0) {
      lastSampleAt = sample.at;
      window.add({ at: now, cpu: pointCounters(sample.cpu), dnsNew: tally.total, usage: sample.max > 0 ? sample.count / sample.max : 0 });
    }
    return window.rates();
  };

  return {
    name: 'insert-failed-race',
    observe,
    evaluate(now) {
      const rates = observe(now);
      const countsDrop = rates !== null && rates.peakUsage < options.fullUsage;
      const failures = rates ? Math.max(rates.total.insert_failed, countsDrop ? rates.total.drop : 0) : 0;
      if (!rates || failures < options.minFailures || rates.dnsNewPerSecond < options.minDnsPerSecond) {
        since = null;
        return [];
      }
      since ??= now;
      const { top, other } = tally.resolvers(3);
      const counted = top.reduce((n, r) => n + r.count, other);
      const local = new Set(deps.localAddresses?.() ?? hostAddresses());
      const perSecond = failures / rates.seconds;
      const facts = [
        ...cpuFacts(rates),
        { label: 'new UDP/53 entries per second', value: fmt(rates.dnsNewPerSecond) },
        { label: 'resolvers (busiest first)', value: top.length ? top.map((r) => resolverText(r, counted)).join('; ') : 'none seen yet' },
        { label: 'since', value: new Date(since).toISOString() },
      ];
      if (!countsDrop) facts.push({ label: 'table usage', value: `${Math.round(rates.peakUsage * 100)} %: drop also counts packets dropped because the table is full, so only insert_failed counts here` });
      const diagnosis: Diagnosis = {
        name: 'insert-failed-race',
        id: 'insert-failed-race',
        title: `Conntrack insert race: ${fmt(perSecond)} failed inserts/s while DNS creates ${fmt(rates.dnsNewPerSecond)} new UDP/53 entries/s`,
        severity: perSecond >= 1 ? 'critical' : 'warning',
        since,
        meaning:
          'Two packets of one new UDP flow (a resolver sending its A and AAAA queries from one socket at once) reached conntrack on two CPUs at the same time, and the kernel could not merge the two new entries, so it dropped one: that lookup waits for the resolver timeout (5 s by default) before it retries. ' +
          'DNAT to several DNS backends makes such clashes unresolvable, which is why DNS in Kubernetes suffers most.',
        evidence: { facts: facts.slice(0, 20), query: 'udp dport:53', examples: tally.recentExamples().map((e) => toWireFlow(e, now)) },
        // Loopback addresses other than 127.0.0.1 (systemd-resolved's 127.0.0.53) are this host's too.
        fixes: raceFixes(top[0], (address) => local.has(address) || address.startsWith('127.') || address === '::1'),
      };
      return [diagnosis];
    },
    close: unsubscribe,
  };
}
