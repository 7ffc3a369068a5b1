// `npm run bench:query`: only the agent's query and memory benchmarks; their lines in
// bench/results/latest.json are replaced, the others kept.
// Environment: BENCH_QUERY_ENTRIES (250000; several sizes comma-separated, e.g. 250000,1000000, adds
// each figure's growth factor), BENCH_QUERY_ROUNDS (20), BENCH_QUERY_RUNS (5: each figure's growth compares their medians).
// Sizes past the machine's nf_conntrack_max raise it for their run only (see conntrack-max.ts): wrap
// such runs in `flock /tmp/ctscope-big-bench.lock`, one big benchmark on the machine at a time.
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { QUERY_PREFIX, queryBenchmarks } from './query-bench';
import { growthFactors } from './query-growth';
import { formatTable, writeResults, type BenchResult } from './results';

const sizes = (process.env.BENCH_QUERY_ENTRIES ?? '250000').split(',').map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
  process.stderr.write(`BENCH_QUERY_ENTRIES must be entry counts separated by commas, got "${process.env.BENCH_QUERY_ENTRIES ?? ''}"\n`);
  process.exit(2);
}
const rounds = Math.max(5, Number(process.env.BENCH_QUERY_ROUNDS ?? 20));
const runs = Math.max(1, Number(process.env.BENCH_QUERY_RUNS ?? 5));
const file = fileURLToPath(new URL('../results/latest.json', import.meta.url));

if (skipKernelTests()) process.exit(1);
const previous = JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as BenchResult[];
const bySize = new Map<number, BenchResult[]>();
const loads: string[] = [];
for (const entries of sizes) {
  const before = loadavg()[0] ?? 0;
  bySize.set(entries, await queryBenchmarks(entries, rounds, runs));
  loads.push(`${entries} entries: load average ${before.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after`);
}
const results = [...[...bySize.values()].flat(), ...growthFactors(bySize)];
await writeResults(file, [...previous.filter((r) => !r.name.startsWith(QUERY_PREFIX)), ...results]);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}: ${runs} runs of ${rounds} rounds each on ${machine}\n${loads.join('\n')}\n`);
