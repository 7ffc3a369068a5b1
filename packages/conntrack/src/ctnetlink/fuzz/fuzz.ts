// `npm run fuzz`: at least 1,000,000 mutated and random messages through the ctnetlink decoders.
// Usage: fuzz.ts [iterations=1000000] [seed=1]
import { fuzz } from './fuzzer';

const iterations = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const started = Date.now();
const report = fuzz(iterations, seed);
process.stdout.write(
  `${JSON.stringify({ ...report, escapes: report.escapes.length, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`,
);
for (const escape of report.escapes) process.stderr.write(`ESCAPE ${escape.error}\n  input ${escape.input}\n`);
process.exitCode = report.escapes.length === 0 && report.slow === 0 ? 0 : 1;
