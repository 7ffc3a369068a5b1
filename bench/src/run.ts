// `npm run bench`: side-by-side benchmarks against the conntrack CLI, as a table and bench/results/latest.json.
// Environment: BENCH_ENTRIES (200000), BENCH_ROUNDS (5), BENCH_BURST (200000), BENCH_BUFFER (4194304),
// BENCH_QUERY_ENTRIES (250000), BENCH_QUERY_ROUNDS (20), BENCH_QUERY_RUNS (3).
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { browserResults } from './browser-results';
import { dumpBenchmarks, eventBurstBenchmark } from './conntrack-bench';
import { queryBenchmarks } from './query-bench';
import { formatTable, writeResults, type BenchResult } from './results';

const entries = Number(process.env.BENCH_ENTRIES ?? 200_000);
const rounds = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const burst = Number(process.env.BENCH_BURST ?? 200_000);
const buffer = Number(process.env.BENCH_BUFFER ?? 4 * 1024 * 1024);
const queryEntries = Number(process.env.BENCH_QUERY_ENTRIES ?? 250_000);
const queryRounds = Math.max(5, Number(process.env.BENCH_QUERY_ROUNDS ?? 20));
const queryRuns = Math.max(1, Number(process.env.BENCH_QUERY_RUNS ?? 3));

if (skipKernelTests()) process.exit(1);
const results: BenchResult[] = [
  ...(await dumpBenchmarks(entries, rounds)),
  ...(await eventBurstBenchmark(burst, buffer)),
  ...(await queryBenchmarks(queryEntries, queryRounds, queryRuns)),
];
const browser = await browserResults();
results.push(...browser.results);
await writeResults(fileURLToPath(new URL('../results/latest.json', import.meta.url)), results);
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}: ${rounds} interleaved rounds, medians; ${browser.note}\n`);
