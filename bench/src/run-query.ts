// `npm run bench:query`: only the agent's query and memory benchmarks; their lines in
// bench/results/latest.json are replaced, the others kept.
// Environment: BENCH_QUERY_ENTRIES (250000), BENCH_QUERY_ROUNDS (20), BENCH_QUERY_RUNS (3).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { QUERY_PREFIX, queryBenchmarks } from './query-bench';
import { formatTable, writeResults, type BenchResult } from './results';

const entries = Number(process.env.BENCH_QUERY_ENTRIES ?? 250_000);
const rounds = Math.max(5, Number(process.env.BENCH_QUERY_ROUNDS ?? 20));
const runs = Math.max(1, Number(process.env.BENCH_QUERY_RUNS ?? 3));
const file = fileURLToPath(new URL('../results/latest.json', import.meta.url));

if (skipKernelTests()) process.exit(1);
const previous = JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as BenchResult[];
const results = await queryBenchmarks(entries, rounds, runs);
await writeResults(file, [...previous.filter((r) => !r.name.startsWith(QUERY_PREFIX)), ...results]);
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}: ${runs} runs of ${rounds} rounds each\n`);
