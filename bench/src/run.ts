// `npm run bench`: every benchmark of every issue, side by side with the conntrack CLI where there is one,
// as one table: printed, written to bench/results/latest.json and into the README with date and machine.
// Environment: BENCH_ENTRIES (200000), BENCH_ROUNDS (5), BENCH_BURST (200000), BENCH_BUFFER (4194304),
// BENCH_QUERY_ENTRIES (250000), BENCH_QUERY_ROUNDS (20), BENCH_QUERY_RUNS (3), the BENCH_FLEET_* of
// fleet/fleet-benchmarks.ts; BENCH_FLEET=0 or BENCH_BROWSER=0 leave those parts out (their last results
// are then reused from bench/results).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { runBrowserSpecs } from './browser-bench';
import { browserResults } from './browser-results';
import { dumpBenchmarks, eventBurstBenchmark } from './conntrack-bench';
import { fleetBenchmarks } from './fleet/fleet-benchmarks';
import { queryBenchmarks } from './query-bench';
import { writeReadmeTable } from './readme-table';
import { formatTable, writeResults, type BenchResult } from './results';

const entries = Number(process.env.BENCH_ENTRIES ?? 200_000);
const rounds = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const burst = Number(process.env.BENCH_BURST ?? 200_000);
const buffer = Number(process.env.BENCH_BUFFER ?? 4 * 1024 * 1024);
const queryEntries = Number(process.env.BENCH_QUERY_ENTRIES ?? 250_000);
const queryRounds = Math.max(5, Number(process.env.BENCH_QUERY_ROUNDS ?? 20));
const queryRuns = Math.max(1, Number(process.env.BENCH_QUERY_RUNS ?? 3));
const resultFile = (name: string) => fileURLToPath(new URL(`../results/${name}`, import.meta.url));

if (skipKernelTests()) process.exit(1);
const notes = [`conntrack: ${rounds} interleaved rounds, medians; ratios against the conntrack CLI measured in the same run`];
const results: BenchResult[] = [
  ...(await dumpBenchmarks(entries, rounds)),
  ...(await eventBurstBenchmark(burst, buffer)),
  ...(await queryBenchmarks(queryEntries, queryRounds, queryRuns)),
];

if (process.env.BENCH_FLEET === '0') {
  results.push(...(JSON.parse(await readFile(resultFile('fleet.json'), 'utf8')) as BenchResult[]));
  notes.push('fleet rows reused from the last `npm run bench:fleet -w @ctscope/bench`');
} else {
  const fleet = await fleetBenchmarks();
  await writeResults(resultFile('fleet.json'), fleet.results);
  results.push(...fleet.results);
  notes.push(fleet.note);
}

if (process.env.BENCH_BROWSER !== '0') {
  const specs = await runBrowserSpecs();
  if (!specs.ok) notes.push('a browser perf spec failed (a regression past twice a goal, or an error): see its output above');
  process.stdout.write(specs.output);
}
const browser = await browserResults();
results.push(...browser.results);
notes.push(browser.note);

await writeResults(resultFile('latest.json'), results);
await writeReadmeTable(results, notes);
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}\n${notes.join('\n')}\n`);
