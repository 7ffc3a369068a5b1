// `npm run bench:netns -w @ctscope/bench`: per-namespace counts (issue #18, item 2); writes
// bench/results/netns.json. Environment: BENCH_NETNS_COUNT (100 namespaces), BENCH_NETNS_ENTRIES
// (10000 entries each), BENCH_NETNS_ROUNDS (5 measured passes). At 1,000,000 entries in all it takes
// the machine's big-bench lock and raises nf_conntrack_max for the run only.
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { machineNote, positiveFrom } from './machine';
import { netnsBenchmark } from './netns-bench';
import { formatTable, writeResults } from './results';

if (skipKernelTests()) process.exit(1);
const before = machineNote();
const log: string[] = [];
const results = await netnsBenchmark(
  { namespaces: positiveFrom('BENCH_NETNS_COUNT', 100, true), entriesEach: positiveFrom('BENCH_NETNS_ENTRIES', 10_000, true), rounds: positiveFrom('BENCH_NETNS_ROUNDS', 5, true) },
  (line) => {
    log.push(line);
    process.stderr.write(`${line}\n`);
  },
);
await writeResults(fileURLToPath(new URL('../results/netns.json', import.meta.url)), results);
process.stdout.write(`\n${log.join('\n')}\n\n${formatTable(results)}\n\n${new Date().toISOString()}\nbefore: ${before}\nafter: ${machineNote()}\n`);
