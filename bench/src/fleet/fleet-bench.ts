// `npm run bench:fleet -w @ctscope/bench`: the fleet simulation alone (see fleet-benchmarks.ts); writes
// bench/results/fleet.json and prints a table. `npm run bench` runs it too, as part of the one table.
import { fileURLToPath } from 'node:url';
import { formatTable, writeResults } from '../results';
import { fleetBenchmarks } from './fleet-benchmarks';

const { results, note } = await fleetBenchmarks();
await writeResults(fileURLToPath(new URL('../../results/fleet.json', import.meta.url)), results);
process.stdout.write(`\n${formatTable(results)}\n\n${new Date().toISOString()}: ${note}\n`);
