// `npm run bench:events -w @ctscope/bench`: events sustained (issue #15, item 3); writes
// bench/results/events.json. Environment: BENCH_EVENTS_RATE (56000 new flows/s, so 112,000 events/s: the goal's 100,000 with a margin for the
// generator's pauses),
// BENCH_EVENTS_SECONDS (60), BENCH_EVENTS_BUFFER (8388608, the agent's default --event-buffer),
// BENCH_EVENTS_BASE (20000 long-lived entries beside the churn).
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { sustainedEventsBenchmark } from './events-bench';
import { machineNote } from './machine';
import { formatTable, writeResults } from './results';

const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`${name} must be a positive number, got "${process.env[name] ?? ''}"\n`);
    process.exit(2);
  }
  return value;
};

if (skipKernelTests()) process.exit(1);
const before = machineNote();
const { results, log } = await sustainedEventsBenchmark({
  flowsPerSecond: positive('BENCH_EVENTS_RATE', 56_000),
  seconds: positive('BENCH_EVENTS_SECONDS', 60),
  bufferBytes: positive('BENCH_EVENTS_BUFFER', 8 * 1024 * 1024),
  base: positive('BENCH_EVENTS_BASE', 20_000),
});
await writeResults(fileURLToPath(new URL('../results/events.json', import.meta.url)), results);
process.stdout.write(`\n${log.join('\n')}\n\n${formatTable(results)}\n\n${new Date().toISOString()}\nbefore: ${before}\nafter: ${machineNote()}\n`);
