// `npm run bench:pipe -w @ctscope/bench`: `ctscope list -o extended,id | wc -l` against
// `conntrack -L -o extended,id | wc -l`, interleaved rounds, medians; writes bench/results/pipe.json.
// Environment: BENCH_PIPE_ENTRIES (200000,1000000: sizes separated by commas), BENCH_PIPE_ROUNDS (5).
// Sizes past the machine's nf_conntrack_max raise it for their run only: wrap such runs in
// `flock /tmp/ctscope-big-bench.lock`, one big benchmark on the machine at a time.
import { fileURLToPath } from 'node:url';
import { skipKernelTests } from '@ctscope/testkit';
import { pipeBenchmarks } from './conntrack-bench';
import { machineNote, sizesFrom } from './machine';
import { formatTable, writeResults } from './results';

const sizes = sizesFrom('BENCH_PIPE_ENTRIES', '200000,1000000');
const rounds = Math.max(3, Number(process.env.BENCH_PIPE_ROUNDS ?? 5));

if (skipKernelTests()) process.exit(1);
const before = machineNote();
const results = await pipeBenchmarks(sizes, rounds);
await writeResults(fileURLToPath(new URL('../results/pipe.json', import.meta.url)), results);
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}: ${rounds} interleaved rounds, medians\nbefore: ${before}\nafter: ${machineNote()}\n`);
