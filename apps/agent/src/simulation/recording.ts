import { gunzipSync, gzipSync } from 'node:zlib';
import { CPU_STAT_KEYS, STATUS_BITS, type CpuStats, type EventType, type Flow } from '@ctscope/conntrack';
import { z } from 'zod';

/**
 * A recording of real kernel conntrack traffic for the fleet simulation: the table as dumped at the start,
 * then every event and a per-CPU statistics sample about once a second, each with its time (ms) since the
 * dump. Stored as gzip'd JSON; bigint fields (counters, timestamps) travel as decimal strings.
 */
export interface Recording {
  recordedAt: string;
  kernel: string;
  durationMs: number;
  maxEntries: number;
  dump: Flow[];
  events: { at: number; type: EventType; flow: Flow }[];
  stats: { at: number; cpu: CpuStats[] }[];
}

export const RECORDING_VERSION = 1;
/** A recording is meant to be small (a few hundred KB); anything far larger is refused before parsing. */
const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;

const bigintText = z.string().regex(/^\d{1,20}$/).transform((s) => BigInt(s));
const port = z.number().int().min(0).max(65_535);
const byte = z.number().int().min(0).max(255);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const address = z.string().min(2).max(45);
const tupleSchema = z.object({
  src: address,
  dst: address,
  protoNum: byte,
  sport: port.optional(),
  dport: port.optional(),
  icmpType: byte.optional(),
  icmpCode: byte.optional(),
  icmpId: port.optional(),
  zone: port.optional(),
});
const countersSchema = z.object({ packets: bigintText, bytes: bigintText });
const natSide = z.object({ from: address, to: address, fromPort: port.optional(), toPort: port.optional() });
const flowSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  proto: z.enum(['tcp', 'udp', 'udplite', 'icmp', 'icmpv6', 'sctp', 'dccp', 'gre', 'unknown']),
  protoNum: byte,
  orig: tupleSchema,
  reply: tupleSchema,
  status: z.array(z.enum(STATUS_BITS)).max(STATUS_BITS.length),
  statusBits: u32,
  state: z.string().max(16).optional(),
  timeout: u32.optional(),
  mark: u32.optional(),
  use: u32.optional(),
  id: u32.optional(),
  zone: port.optional(),
  secctx: z.string().max(256).optional(),
  helper: z.string().max(64).optional(),
  labels: z.array(z.number().int().min(0).max(127)).max(128).optional(),
  countersOrig: countersSchema.optional(),
  countersReply: countersSchema.optional(),
  timestampStart: bigintText.optional(),
  timestampStop: bigintText.optional(),
  nat: z.object({ src: natSide.optional(), dst: natSide.optional() }).optional(),
});
const cpuSchema = z.object({ cpu: z.number().int().min(0).max(4096), ...Object.fromEntries(CPU_STAT_KEYS.map((k) => [k, u32.optional()])) });
const millis = z.number().min(0).max(24 * 3600 * 1000);
const recordingSchema = z.object({
  version: z.literal(RECORDING_VERSION),
  recordedAt: z.string().max(64),
  kernel: z.string().max(256),
  durationMs: millis.positive(),
  maxEntries: z.number().int().positive(),
  dump: z.array(flowSchema).max(1_000_000),
  events: z.array(z.tuple([millis, z.enum(['NEW', 'UPDATE', 'DESTROY']), flowSchema])).max(5_000_000),
  stats: z.array(z.tuple([millis, z.array(cpuSchema).min(1).max(4096)])).min(1).max(100_000),
});

/** Parses a recording file (gzip'd or plain JSON), checking every field; throws with the first problem. */
export function parseRecording(bytes: Buffer): Recording {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = (gzipped ? gunzipSync(bytes, { maxOutputLength: MAX_UNZIPPED_BYTES }) : bytes).toString('utf8');
  const parsed = recordingSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a ctscope recording: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  const { dump, events, stats, ...meta } = parsed.data;
  const recording: Recording = {
    recordedAt: meta.recordedAt,
    kernel: meta.kernel,
    durationMs: meta.durationMs,
    maxEntries: meta.maxEntries,
    dump: dump as Flow[],
    events: events.map(([at, type, flow]) => ({ at, type, flow: flow as Flow })),
    stats: stats.map(([at, cpu]) => ({ at, cpu: cpu as CpuStats[] })),
  };
  if (!recording.events.every((e, i) => i === 0 || (recording.events[i - 1]?.at ?? 0) <= e.at)) throw new Error('not a ctscope recording: events are not in time order');
  return recording;
}

/** The file form of a recording (gzip'd JSON). */
export function serializeRecording(recording: Recording): Buffer {
  const json = JSON.stringify(
    {
      version: RECORDING_VERSION,
      recordedAt: recording.recordedAt,
      kernel: recording.kernel,
      durationMs: recording.durationMs,
      maxEntries: recording.maxEntries,
      dump: recording.dump,
      events: recording.events.map((e) => [e.at, e.type, e.flow]),
      stats: recording.stats.map((s) => [s.at, s.cpu]),
    },
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
  );
  return gzipSync(json, { level: 9 });
}
