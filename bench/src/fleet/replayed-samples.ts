import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { CPU_COUNTER_KEYS, statsSampleSchema, sumCpuCounters, type CpuStatsRow, type StatsSample } from '@ctscope/protocol';
import { z } from 'zod';

/**
 * The statistics a real agent sends once a second, rebuilt from a recording of real kernel traffic
 * (bench/fleet/recording.json.gz, the one `ctscope simulate` replays): per-CPU counters as the kernel
 * reported them, the entry count as the recorded events moved it, per-second counter and event rates, and
 * the mirror's health, in the agent's own sample shape (checked against the protocol's schema).
 */

const cpuRow = z.object({ cpu: z.number().int().min(0) }).catchall(z.number().optional());
const recordingSchema = z.object({
  maxEntries: z.number().int().positive(),
  dump: z.array(z.unknown()),
  events: z.array(z.tuple([z.number().min(0), z.enum(['NEW', 'UPDATE', 'DESTROY']), z.unknown()])),
  stats: z.array(z.tuple([z.number().min(0), z.array(cpuRow).min(1)])).min(2),
});

/** A sample without its time: `at` is set when it is sent. */
export type SampleTemplate = Omit<StatsSample, 'at'>;

const toRow = (row: z.infer<typeof cpuRow>): CpuStatsRow => {
  const out = { cpu: row.cpu } as CpuStatsRow;
  for (const key of CPU_COUNTER_KEYS) out[key] = Number(row[key] ?? 0);
  return out;
};

/** One sample per recorded statistics point (about one a second), in order. */
export function samplesOfRecording(bytes: Buffer): SampleTemplate[] {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const recording = recordingSchema.parse(JSON.parse((gzipped ? gunzipSync(bytes) : bytes).toString('utf8')));
  const events = { NEW: 0, UPDATE: 0, DESTROY: 0 };
  let next = 0;
  const samples: SampleTemplate[] = [];
  let previous: { at: number; cpu: CpuStatsRow[]; events: typeof events } | null = null;
  for (const [at, cpuStats] of recording.stats) {
    for (let e = recording.events[next]; e !== undefined && e[0] <= at; e = recording.events[++next]) events[e[1]]++;
    const cpu = cpuStats.map(toRow);
    const count = Math.max(0, recording.dump.length + events.NEW - events.DESTROY);
    const sample: SampleTemplate = {
      count,
      max: recording.maxEntries,
      cpu,
      hooksActive: true,
      buckets: recording.maxEntries,
      mirror: { entries: count, resyncs: 1, lastResync: { at: 0, reason: 'initial', durationMs: 2, entries: recording.dump.length }, overruns: 0, eventless: 0, events: { ...events }, resyncing: false, lagMs: 0 },
      alerts: [],
    };
    if (previous) {
      const seconds = Math.max(0.001, (at - previous.at) / 1000);
      const before = sumCpuCounters(previous.cpu);
      const after = sumCpuCounters(cpu);
      sample.rates = Object.fromEntries(CPU_COUNTER_KEYS.map((k) => [k, Math.max(0, after[k] - before[k]) / seconds])) as StatsSample['rates'] & object;
      sample.eventRates = { NEW: (events.NEW - previous.events.NEW) / seconds, UPDATE: (events.UPDATE - previous.events.UPDATE) / seconds, DESTROY: (events.DESTROY - previous.events.DESTROY) / seconds };
    }
    previous = { at, cpu, events: { ...events } };
    // Exactly what the dashboard will accept from a real agent, or the bench stops here.
    statsSampleSchema.parse({ ...sample, at: 0 });
    samples.push(sample);
  }
  return samples;
}

export async function readRecordedSamples(file: string): Promise<SampleTemplate[]> {
  return samplesOfRecording(await readFile(file));
}
