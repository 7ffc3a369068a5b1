// Measures queries over a real mirror: run inside a namespace holding a large table
// (`ip netns exec NS node query-probe.mjs ROUNDS`). Prints one JSON line: p50/p95 per query, and the
// resident memory after the initial load and after a full resync.
import { NetlinkSource } from '@ctscope/conntrack';
import type { WindowSpec } from '@ctscope/protocol';
import pino from 'pino';
import { Mirror } from '../../mirror/mirror';
import { summarise } from '../../composition/summarise';
import { aggregate } from '../aggregate';
import { compileQuery } from '../compile-query';
import { queryWindow } from '../window';

export interface ProbeTiming {
  p50: number;
  p95: number;
  /** The same over CPU time (this process, all threads): far less sensitive to a busy machine. */
  cpuP50: number;
  cpuP95: number;
  /**
   * The first call, left out of the percentiles: it also pays for compiling the query's code and first
   * touching its scratch memory, once per process (every later call is what live windows cost).
   */
  coldMs: number;
  coldCpuMs: number;
  total?: number;
}

export interface ProbeMemory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export interface ProbeOutput {
  entries: number;
  afterLoad: ProbeMemory;
  afterQueries: ProbeMemory;
  afterResync: ProbeMemory;
  /** Highest resident memory of the process's whole life, resync included. */
  peakRssMb: number;
  resyncMs: number;
  /** CPU time of the resync (this process, all threads), and of it the time spent in the kernel (the dump itself). */
  resyncCpuMs: number;
  resyncSystemMs: number;
  results: Record<string, ProbeTiming>;
}

/** The queries measured; `kind` says which goal applies. */
export const PROBE_WINDOWS: Record<string, { kind: 'first page' | 'deep page' | 'free text'; query: string; sort: WindowSpec['sort']; offset: number }> = {
  'all, sort by timeout, first page': { kind: 'first page', query: '', sort: { column: 'timeout', desc: true }, offset: 0 },
  'filter dport range, sort by dst, first page': { kind: 'first page', query: 'udp dport:10000-10499', sort: { column: 'dst', desc: false }, offset: 0 },
  'filter dst CIDR, sort by dport, offset 100000': { kind: 'deep page', query: 'dst:127.0.0.0/9', sort: { column: 'dport', desc: false }, offset: 100_000 },
  'all, sort by timeout, offset 100000': { kind: 'deep page', query: '', sort: { column: 'timeout', desc: true }, offset: 100_000 },
  'all, sort by protocol (all tied), offset 100000': { kind: 'deep page', query: '', sort: { column: 'proto', desc: false }, offset: 100_000 },
  'free text, sort by id': { kind: 'free text', query: '10500', sort: { column: 'id', desc: false }, offset: 0 },
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
/** Percentiles of every call but the first (see ProbeTiming.coldMs), which is reported apart. */
const summarize = (times: number[], cpu: number[]) => {
  const sorted = times.slice(1).sort((a, b) => a - b);
  const cpuSorted = cpu.slice(1).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), cpuP50: percentile(cpuSorted, 50), cpuP95: percentile(cpuSorted, 95), coldMs: times[0] ?? 0, coldCpuMs: cpu[0] ?? 0 };
};

/** Wall and CPU milliseconds of one call. */
function timed(fn: () => void, times: number[], cpu: number[]): void {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  fn();
  times.push(performance.now() - started);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1000);
}
const mb = (bytes: number) => bytes / 1024 / 1024;
function memory(): ProbeMemory {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external + m.arrayBuffers) };
}

async function main(rounds: number): Promise<ProbeOutput> {
  const mirror = new Mirror(new NetlinkSource(), { logger: pino({ level: 'silent' }), checkIntervalMs: 3_600_000 });
  await mirror.start();
  const afterLoad = memory();

  const results: Record<string, ProbeTiming> = {};
  for (const [name, w] of Object.entries(PROBE_WINDOWS)) {
    const compiled = compileQuery(w.query);
    if (!compiled.ok) throw new Error(compiled.message);
    const times: number[] = [];
    const cpu: number[] = [];
    let total = 0;
    for (let i = 0; i <= rounds; i++) {
      timed(() => (total = queryWindow({ table: mirror.table, filter: compiled.filter, spec: { sort: w.sort, offset: w.offset, limit: 100 } }).total), times, cpu);
    }
    results[`window: ${name}`] = { ...summarize(times, cpu), total };
  }
  const all = compileQuery('');
  if (!all.ok) throw new Error(all.message);
  const topTimes: number[] = [];
  const topCpu: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    timed(() => aggregate({ table: mirror.table, filter: all.filter, top: 10, establishedTimeout: 432_000 }), topTimes, topCpu);
  }
  results['aggregates with top 10'] = summarize(topTimes, topCpu);
  const summaryTimes: number[] = [];
  const summaryCpu: number[] = [];
  const ownNetns = (total: number) => [{ netns: '0', name: 'bench', source: 'host' as const, entries: total }];
  for (let i = 0; i <= rounds; i++) timed(() => summarise(mirror.table, ownNetns), summaryTimes, summaryCpu);
  results['composition summary (every 10 s)'] = summarize(summaryTimes, summaryCpu);

  const afterQueries = memory();
  const resyncStarted = performance.now();
  const resyncCpu = process.cpuUsage();
  await mirror.resync('count-drift');
  const resyncMs = performance.now() - resyncStarted;
  const resyncCpuUsed = process.cpuUsage(resyncCpu);
  const afterResync = memory();
  const entries = mirror.size;
  mirror.stop();
  return { entries, afterLoad, afterQueries, afterResync, peakRssMb: process.resourceUsage().maxRSS / 1024, resyncMs, resyncCpuMs: (resyncCpuUsed.user + resyncCpuUsed.system) / 1000, resyncSystemMs: resyncCpuUsed.system / 1000, results };
}

const output = await main(Math.max(5, Number(process.argv[2] ?? 20)));
process.stdout.write(`${JSON.stringify(output)}\n`);
process.exit(0);
