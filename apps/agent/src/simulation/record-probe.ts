// Runs inside a test network namespace (started by bench/src/fleet/record.ts): records the namespace's real
// conntrack table, its events and per-CPU statistics for the fleet simulation.
// usage: record-probe.ts OUT_FILE SECONDS
import { rename, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { openNetlinkSource, type CpuStats, type EventType, type Flow } from '@ctscope/conntrack';
import { serializeRecording } from './recording';

/** A recording is replayed by every simulated host: more events than this is not "a few hundred KB". */
const MAX_EVENTS = 100_000;

const [out, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
if (!out || !(seconds >= 1 && seconds <= 600)) {
  process.stderr.write('usage: record-probe.ts OUT_FILE SECONDS (1..600)\n');
  process.exit(2);
}

const source = await openNetlinkSource();
const events: { at: number; type: EventType; flow: Flow }[] = [];
const stats: { at: number; cpu: CpuStats[] }[] = [];
let overruns = 0;
let t0 = Date.now();
const subscription = source.subscribe(
  { events: ['NEW', 'UPDATE', 'DESTROY'], bufferBytes: 8 << 20 },
  {
    onEvent: (event) => {
      if (events.length < MAX_EVENTS) events.push({ at: Math.max(0, Date.now() - t0), type: event.type, flow: event.flow });
    },
    onOverrun: (info) => (overruns = info.overruns),
  },
);
const dump = await source.dump();
t0 = Date.now();
const { maxEntries } = await source.globalStats();
process.stdout.write(`recording ${dump.length} entries for ${seconds} s\n`);

const sample = async () => stats.push({ at: Date.now() - t0, cpu: await source.cpuStats() });
await sample();
const timer = setInterval(() => void sample(), 1_000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
clearInterval(timer);
await sample();
subscription.close();
source.close();

if (overruns > 0 || events.length >= MAX_EVENTS) {
  process.stderr.write(`the recording lost events (overruns ${overruns}, ${events.length} kept); record with less traffic\n`);
  process.exit(1);
}
const recording = { recordedAt: new Date(t0).toISOString(), kernel: release(), durationMs: seconds * 1_000, maxEntries, dump, events, stats };
await writeFile(`${out}.tmp`, serializeRecording(recording));
await rename(`${out}.tmp`, out);
process.stdout.write(`${JSON.stringify({ entries: dump.length, events: events.length, samples: stats.length })}\n`);
