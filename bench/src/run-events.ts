// `npm run bench:events -w @ctscope/bench`: events sustained (issue #15, item 3); writes
// bench/results/events.json. Environment: the BENCH_EVENTS_* of sustainedEventsOptions() (events-bench.ts).
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { sustainedEventsBenchmark, sustainedEventsOptions } from './events-bench';
import { machineNote } from './machine';
import { formatTable, writeResults } from './results';

if (skipKernelTests()) process.exit(1);
const before = machineNote();
const { results, log } = await sustainedEventsBenchmark(sustainedEventsOptions());
await writeResults(fileURLToPath(new URL('../results/events.json', import.meta.url)), results);
process.stdout.write(`\n${log.join('\n')}\n\n${formatTable(results)}\n\n${new Date().toISOString()}\nbefore: ${before}\nafter: ${machineNote()}\n`);
