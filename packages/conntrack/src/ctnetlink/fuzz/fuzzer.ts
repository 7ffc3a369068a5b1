import { readFileSync } from 'node:fs';
import type { Flow } from '../../flow';
import { decodeExpectation } from '../decode-expect';
import { decodeCpuStats, decodeDumpDatagram, forEachMessage } from '../decode-message';
import { DecodeError } from '../errors';

export interface FuzzReport {
  iterations: number;
  decoded: number;
  decodeErrors: number;
  /** Inputs that escaped with something other than DecodeError: must stay 0. */
  escapes: Array<{ error: string; input: string }>;
  maxMicros: number;
  /** Inputs that took longer than the bound: must stay 0. */
  slow: number;
  byMutation: Record<string, number>;
}

/** Deterministic xorshift PRNG so a failing seed can be replayed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

export function loadCorpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const name of ['dump.hex', 'events.hex', 'stats-cpu.hex', 'expect.hex']) {
    const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
    for (const hex of text.split('\n').filter(Boolean)) out.push(Buffer.from(hex, 'hex'));
  }
  return out;
}

/** Expectations (NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_NEW), per-CPU stats (CT_GET_STATS_CPU). */
const EXP_NEW = 0x200;
const STATS_CPU = 0x104;

export type Mutation = (input: Buffer, random: () => number) => Buffer;
const int = (random: () => number, n: number) => Math.floor(random() * n);

export const MUTATIONS: Record<string, Mutation> = {
  bitflip: (input, random) => {
    const out = Buffer.from(input);
    for (let i = 0, n = 1 + int(random, 8); i < n; i++) {
      const at = int(random, out.length);
      out[at] = (out[at] as number) ^ (1 << int(random, 8));
    }
    return out;
  },
  truncate: (input, random) => input.subarray(0, int(random, input.length + 1)),
  length: (input, random) => {
    // Corrupt a 16-bit length field at a 4-byte boundary (attribute and message headers live there).
    const out = Buffer.from(input);
    if (out.length < 4) return out;
    const at = int(random, out.length >> 2) << 2;
    const values = [0, 1, 3, 4, 5, 0xffff, int(random, 0x10000), out.length - at];
    out.writeUInt16LE((values[int(random, values.length)] as number) & 0xffff, Math.min(at, out.length - 2));
    return out;
  },
  splice: (input, random) => {
    // Joins a prefix and a suffix cut at unrelated places: messages that end or restart mid-attribute.
    const cut = int(random, input.length + 1);
    return Buffer.concat([input.subarray(0, cut), input.subarray(int(random, input.length + 1))]);
  },
  random: (_input, random) => Buffer.from(Array.from({ length: int(random, 512) }, () => int(random, 256))),
  header: (input, random) => {
    // Valid netlink framing around random attribute bytes.
    const body = MUTATIONS.random?.(input, random) ?? Buffer.alloc(0);
    const msg = Buffer.alloc(20 + body.length);
    msg.writeUInt32LE(msg.length, 0);
    msg.writeUInt16LE([0x100, 0x102, EXP_NEW][int(random, 3)] as number, 4);
    msg[16] = int(random, 2) ? 2 : 10;
    body.copy(msg, 20);
    return msg;
  },
};

function decodeAll(buf: Buffer): number {
  const flows: Flow[] = [];
  decodeDumpDatagram(buf, flows, () => undefined);
  let others = 0;
  forEachMessage(buf, (m) => {
    if (m.kind !== 'body') return;
    if (m.header.type === STATS_CPU) decodeCpuStats(buf, m.start, m.end);
    else if (m.header.type === EXP_NEW) decodeExpectation(buf, m.start, m.end);
    else return;
    others++;
  });
  return flows.length + others;
}

/** Runs `iterations` mutated or random inputs through the decoders; every outcome is counted. */
export function fuzz(iterations: number, seed = 1, boundMicros = 250_000): FuzzReport {
  const corpus = loadCorpus();
  const random = rng(seed);
  const names = Object.keys(MUTATIONS);
  const report: FuzzReport = { iterations, decoded: 0, decodeErrors: 0, escapes: [], maxMicros: 0, slow: 0, byMutation: {} };
  for (let i = 0; i < iterations; i++) {
    const name = names[int(random, names.length)] as string;
    const base = corpus[int(random, corpus.length)] as Buffer;
    const input = (MUTATIONS[name] as Mutation)(base, random);
    report.byMutation[name] = (report.byMutation[name] ?? 0) + 1;
    const started = process.hrtime.bigint();
    try {
      decodeAll(input);
      report.decoded++;
    } catch (err) {
      if (err instanceof DecodeError) report.decodeErrors++;
      else if (report.escapes.length < 20) report.escapes.push({ error: String(err), input: input.toString('hex') });
    }
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    if (micros > report.maxMicros) report.maxMicros = micros;
    if (micros > boundMicros) report.slow++;
  }
  return report;
}
