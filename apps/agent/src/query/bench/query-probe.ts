// Measures queries over a real mirror: run inside a namespace holding a large table
// (`ip netns exec NS tsx query-probe.ts ROUNDS`). Prints one JSON line with p50/p95 per query and RSS.
import { NetlinkSource } from '@ctscope/conntrack';
import type { WindowSpec } from '@ctscope/protocol';
import pino from 'pino';
import { Mirror } from '../../mirror/mirror';
import { aggregate } from '../aggregate';
import { compileQuery } from '../compile-query';
import { queryWindow } from '../window';

const rounds = Math.max(5, Number(process.argv[2] ?? 20));
const mirror = new Mirror(new NetlinkSource(), { logger: pino({ level: 'silent' }), checkIntervalMs: 3_600_000 });
await mirror.start();

const windows: Record<string, { query: string; sort: WindowSpec['sort']; offset: number }> = {
  'all, sort by timeout, first page': { query: '', sort: { column: 'timeout', desc: true }, offset: 0 },
  'filter dport range, sort by dst': { query: 'udp dport:10000-10499', sort: { column: 'dst', desc: false }, offset: 0 },
  'filter dst CIDR, sort by dport, deep page': { query: 'dst:127.0.0.0/9', sort: { column: 'dport', desc: false }, offset: 100_000 },
  'free text, sort by id': { query: '10500', sort: { column: 'id', desc: false }, offset: 0 },
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const summarize = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};

const results: Record<string, { p50: number; p95: number; total?: number }> = {};
for (const [name, w] of Object.entries(windows)) {
  const compiled = compileQuery(w.query);
  if (!compiled.ok) throw new Error(compiled.message);
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    total = queryWindow({ entries: mirror.values(), size: mirror.size, match: compiled.match, spec: { sort: w.sort, offset: w.offset, limit: 100 } }).total;
    times.push(performance.now() - started);
  }
  results[`window: ${name}`] = { ...summarize(times), total };
}
const all = compileQuery('');
if (!all.ok) throw new Error(all.message);
const topTimes: number[] = [];
for (let i = 0; i < rounds; i++) {
  const started = performance.now();
  aggregate({ entries: mirror.values(), size: mirror.size, match: all.match, top: 10, establishedTimeout: 432_000 });
  topTimes.push(performance.now() - started);
}
results['aggregates with top 10'] = summarize(topTimes);

globalThis.gc?.();
const memory = process.memoryUsage();
const rssMb = memory.rss / 1024 / 1024;
const heapMb = memory.heapUsed / 1024 / 1024;
const heapTotalMb = memory.heapTotal / 1024 / 1024;
const externalMb = (memory.external + memory.arrayBuffers) / 1024 / 1024;
process.stdout.write(`${JSON.stringify({ entries: mirror.size, rssMb, heapMb, heapTotalMb, externalMb, results })}\n`);
mirror.stop();
process.exit(0);
