// `npm run bench`: every benchmark of every issue, side by side with the conntrack CLI where there is one,
// as one table: printed, written to bench/results/latest.json and into the README with date and machine.
// Figures that depend on the table's size are measured at each size, with their growth against the
// smallest; runs of 1,000,000 entries or more wait for the machine's big-bench lock and raise the global
// nf_conntrack_max only while they run (big-table.ts).
// Environment: BENCH_SIZES (250000,1000000: the agent's queries and memory, and the browser; add 2000000
// where the machine allows), BENCH_DUMP_SIZES (200000,1000000: ctnetlink dump and CLI against conntrack -L),
// BENCH_ROUNDS (5), BENCH_BURST (200000), BENCH_BUFFER (4194304), BENCH_QUERY_ROUNDS (20), BENCH_QUERY_RUNS
// (5, whose median each figure's growth compares; 1 past 1,000,000 entries), BENCH_PIPE_ROUNDS (5), the BENCH_EVENTS_* of run-events.ts, the
// BENCH_FLEET_* of fleet/fleet-benchmarks.ts; BENCH_PIPE=0, BENCH_EVENTS=0, BENCH_FLEET=0 or
// BENCH_BROWSER=0 leave those parts out (their last results are then reused from bench/results).
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { BIG_TABLE, withTableSize } from './big-table';
import { runBrowserSpecs } from './browser-bench';
import { browserResults } from './browser-results';
import { dumpBenchmarks, eventBurstBenchmark, pipeBenchmarks } from './conntrack-bench';
import { sustainedEventsBenchmark, sustainedEventsOptions } from './events-bench';
import { fleetBenchmarks } from './fleet/fleet-benchmarks';
import { queryBenchmarks } from './query-bench';
import { writeReadmeTable } from './readme-table';
import { atSize, formatTable, withGrowth, writeResults, type BenchResult } from './results';

const sizeList = (text: string | undefined, fallback: string) =>
  (text ?? fallback)
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
const sizes = sizeList(process.env.BENCH_SIZES, '250000,1000000');
const dumpSizes = sizeList(process.env.BENCH_DUMP_SIZES, '200000,1000000');
const rounds = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const burst = Number(process.env.BENCH_BURST ?? 200_000);
const buffer = Number(process.env.BENCH_BUFFER ?? 4 * 1024 * 1024);
const queryRounds = Math.max(5, Number(process.env.BENCH_QUERY_ROUNDS ?? 20));
const pipeRounds = Math.max(3, Number(process.env.BENCH_PIPE_ROUNDS ?? 5));
const queryRuns = (entries: number) => Math.max(1, Number(process.env.BENCH_QUERY_RUNS ?? (entries > BIG_TABLE ? 1 : 5)));
const resultFile = (name: string) => fileURLToPath(new URL(`../results/${name}`, import.meta.url));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

if (skipKernelTests()) process.exit(1);
const notes = [`conntrack: ${rounds} interleaved rounds, medians; ratios against the conntrack CLI measured in the same run`];
const results: BenchResult[] = [];
/** Runs one sized part, notes when and under what load, and tags its rows with the size. */
async function sized(part: string, entries: number, measure: () => Promise<BenchResult[]>): Promise<void> {
  process.stderr.write(`bench: ${part} at ${entries} entries (load ${load()})\n`);
  const rows = await withTableSize(entries, measure);
  notes.push(`${part} at ${entries} entries: finished ${new Date().toISOString().slice(11, 16)} UTC, load average ${load()}`);
  results.push(...atSize(rows, entries));
}

/** Rows of a part left out of this run: its last results, said so in the notes. */
async function reuse(file: string, command: string): Promise<void> {
  results.push(...(JSON.parse(await readFile(resultFile(file), 'utf8')) as BenchResult[]));
  notes.push(`${file.replace('.json', '')} rows reused from the last \`${command}\``);
}

for (const entries of dumpSizes) await sized('conntrack dump', entries, () => dumpBenchmarks(entries, rounds));
if (process.env.BENCH_PIPE === '0') await reuse('pipe.json', 'npm run bench:pipe -w @ctscope/bench');
else {
  const before = results.length;
  for (const entries of dumpSizes) await sized('CLI through a pipe', entries, () => pipeBenchmarks([entries], pipeRounds));
  await writeResults(resultFile('pipe.json'), results.slice(before));
}
results.push(...(await eventBurstBenchmark(burst, buffer)));
if (process.env.BENCH_EVENTS === '0') await reuse('events.json', 'npm run bench:events -w @ctscope/bench');
else {
  process.stderr.write(`bench: sustained events (load ${load()})\n`);
  const events = await sustainedEventsBenchmark(sustainedEventsOptions());
  process.stderr.write(`${events.log.join('\n')}\n`);
  await writeResults(resultFile('events.json'), events.results);
  results.push(...events.results);
  notes.push(`sustained events: finished ${new Date().toISOString().slice(11, 16)} UTC, load average ${load()}`);
}
for (const entries of sizes) await sized('agent queries', entries, () => queryBenchmarks(entries, queryRounds, queryRuns(entries)));

if (process.env.BENCH_FLEET === '0') await reuse('fleet.json', 'npm run bench:fleet -w @ctscope/bench');
else {
  const fleet = await fleetBenchmarks();
  await writeResults(resultFile('fleet.json'), fleet.results);
  results.push(...fleet.results);
  notes.push(fleet.note);
}

if (process.env.BENCH_BROWSER !== '0') {
  for (const entries of sizes) {
    // The browser specs raise nf_conntrack_max themselves for an asked size; the lock keeps big runs apart.
    const specs = await withTableSize(entries, () => runBrowserSpecs(entries));
    if (!specs.ok) notes.push(`a browser perf spec at ${entries} entries failed (a regression past twice a goal, or an error): see its output above`);
    process.stdout.write(specs.output);
  }
}
const browser = await browserResults();
results.push(...browser.results);
notes.push(browser.note);

const table = withGrowth(results);
await writeResults(resultFile('latest.json'), table);
await writeReadmeTable(table, notes);
process.stdout.write(`\n${formatTable(table)}\n\n${new Date().toISOString()}\n${notes.join('\n')}\n`);
