import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../text/byte-sink';
import { writeFlowLine } from '../text/format-bytes';
import type { FormatOptions } from '../text/format';
import { u16le } from './bytes';
import { CTA, IPCTNL_MSG_CT_NEW, NFNL_SUBSYS_CTNETLINK, NLA_TYPE_MASK, PROTO } from './constants';
import { decodeFlow } from './decode-flow';
import { forEachMessage } from './decode-message';
import { AttrWriter, buildMessage, writeTuple } from './encode';
import { MUTATIONS, rng, type Mutation } from './fuzz/fuzzer';
import { writeCommonLine, writeMessageLine } from './write-line';

const CT_NEW = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
const datagrams = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((hex) => Buffer.from(hex, 'hex'));

/** Each conntrack message of the captured dump and events as its own buffer (nlmsghdr included). */
function capturedMessages(): Buffer[] {
  const out: Buffer[] = [];
  for (const buf of [...datagrams('dump.hex'), ...datagrams('events.hex')])
    forEachMessage(buf, (m) => {
      if (m.kind === 'body') out.push(Buffer.from(buf.subarray(m.start - 16, m.end)));
    });
  return out;
}

/** The same message without the top-level attributes of `drop` (e.g. counters and timestamps). */
function without(message: Buffer, drop: ReadonlySet<number>): Buffer {
  const kept: Buffer[] = [message.subarray(0, 20)];
  for (let off = 20; off + 4 <= message.length; ) {
    const len = u16le(message, off);
    const aligned = (len + 3) & ~3;
    if (!drop.has(u16le(message, off + 2) & NLA_TYPE_MASK)) kept.push(message.subarray(off, off + aligned));
    off += aligned;
  }
  const out = Buffer.concat(kept);
  out.writeUInt32LE(out.length, 0);
  return out;
}

const RARE = new Set([CTA.COUNTERS_ORIG, CTA.COUNTERS_REPLY, CTA.TIMESTAMP, CTA.HELP, CTA.SECCTX, CTA.LABELS]);

function synthetic(): Buffer[] {
  const make = (family: 'ipv4' | 'ipv6', build: (w: AttrWriter) => void) => {
    const w = new AttrWriter();
    build(w);
    return buildMessage(CT_NEW, 0, 0, family === 'ipv4' ? 2 : 10, w.toBuffer());
  };
  const v4 = { src: '10.1.2.3', dst: '192.168.200.1' };
  const v6 = { src: 'fe80::1', dst: '2001:db8::ff:0:1' };
  return [
    make('ipv4', (w) => {
      writeTuple(w, CTA.TUPLE_ORIG, { ...v4, protoNum: PROTO.TCP, sport: 40000, dport: 443 }, 'ipv4');
      writeTuple(w, CTA.TUPLE_REPLY, { src: v4.dst, dst: '100.64.0.9', protoNum: PROTO.TCP, sport: 443, dport: 1024 }, 'ipv4');
      w.u32(CTA.STATUS, 0x1be).u32(CTA.TIMEOUT, 431999).u32(CTA.MARK, 0xffffffff).u32(CTA.USE, 1).u32(CTA.ID, 4000000000).u16(CTA.ZONE, 7);
      w.nested(CTA.PROTOINFO, (p) => p.nested(1, (tcp) => tcp.u8(1, 3)));
    }),
    make('ipv6', (w) => {
      writeTuple(w, CTA.TUPLE_ORIG, { ...v6, protoNum: PROTO.ICMPV6, icmpType: 128, icmpCode: 0, icmpId: 77 }, 'ipv6');
      writeTuple(w, CTA.TUPLE_REPLY, { src: v6.dst, dst: v6.src, protoNum: PROTO.ICMPV6, icmpType: 129, icmpCode: 0, icmpId: 77 }, 'ipv6');
      w.u32(CTA.STATUS, 0).u32(CTA.TIMEOUT, 29).u32(CTA.USE, 1).u32(CTA.ID, 5);
    }),
    ...[PROTO.UDP, PROTO.UDPLITE, PROTO.SCTP, PROTO.DCCP, PROTO.GRE, 200].map((protoNum) =>
      make('ipv4', (w) => {
        writeTuple(w, CTA.TUPLE_ORIG, { ...v4, protoNum, sport: 1, dport: 65535 }, 'ipv4');
        writeTuple(w, CTA.TUPLE_REPLY, { src: v4.dst, dst: v4.src, protoNum, sport: 65535, dport: 1 }, 'ipv4');
        w.u32(CTA.STATUS, 0x8).u32(CTA.TIMEOUT, 0).u32(CTA.MARK, 0).u32(CTA.USE, 2).u32(CTA.ID, 0);
        if (protoNum === PROTO.SCTP) w.nested(CTA.PROTOINFO, (p) => p.nested(3, (s) => s.u8(1, 99)));
      }),
    ),
    // Offload status bits and tuple zones belong to the string formatter.
    make('ipv4', (w) => {
      writeTuple(w, CTA.TUPLE_ORIG, { ...v4, protoNum: PROTO.UDP, sport: 5, dport: 6, zone: 2 }, 'ipv4');
      writeTuple(w, CTA.TUPLE_REPLY, { src: v4.dst, dst: v4.src, protoNum: PROTO.UDP, sport: 6, dport: 5 }, 'ipv4');
      w.u32(CTA.STATUS, 1 << 14);
    }),
  ];
}

function render(write: (sink: ByteSink) => void): string {
  const chunks: Buffer[] = [];
  const sink = new ByteSink((c) => chunks.push(c), 32);
  write(sink);
  sink.flush();
  return Buffer.concat(chunks).toString('latin1');
}

/** The reference: decode into a Flow, then the Flow formatter. Errors count as output. */
function outcome(write: () => string): string {
  try {
    return write();
  } catch (err) {
    return `throws ${(err as Error).name}: ${(err as Error).message}`;
  }
}

const OPTION_SETS: Array<[boolean, FormatOptions]> = [
  [true, { nowSeconds: 1_800_000_000 }],
  [true, { id: false, nowSeconds: 1_800_000_000 }],
  [false, { nowSeconds: 1_800_000_000 }],
  [false, { id: true, nowSeconds: 1_800_000_000 }],
  [true, { ktimestamp: true, nowSeconds: 1_800_000_000 }],
];

function compare(message: Buffer, extended: boolean, options: FormatOptions): { ours: string; reference: string } {
  const end = message.length >= 16 ? Math.min(message.length, message.readUInt32LE(0) || message.length) : message.length;
  const start = Math.min(16, end);
  return {
    ours: outcome(() => render((sink) => writeMessageLine(sink, message, start, end, extended, options))),
    reference: outcome(() => render((sink) => writeFlowLine(sink, decodeFlow(message, start, end), extended, options))),
  };
}

describe('writeMessageLine (conntrack lines straight from ctnetlink bytes)', () => {
  const captured = capturedMessages();
  const stripped = captured.map((m) => without(m, RARE));
  const corpus = [...captured, ...stripped, ...synthetic()];

  it.each(OPTION_SETS)('writes what writeFlowLine(decodeFlow(...)) writes (extended %s, %o)', (extended, options) => {
    expect(captured.length).toBeGreaterThan(15);
    for (const message of corpus) {
      const { ours, reference } = compare(message, extended, options);
      expect(ours, message.toString('hex')).toBe(reference);
      expect(ours).not.toMatch(/^throws/);
    }
  });

  it('takes the direct path for the common shapes and leaves the rest to decodeFlow', () => {
    const direct = (m: Buffer) => writeCommonLine(new ByteSink(() => undefined), m, 16, m.length, true, {});
    expect(stripped.filter(direct)).toHaveLength(stripped.length);
    expect(captured.filter((m) => !direct(m)).length).toBeGreaterThan(0);
    const shapes = synthetic().map(direct);
    expect(shapes).toEqual([true, true, true, true, true, true, false, false, false]);
  });

  it('agrees with the reference on 20,000 mutated messages, errors included', () => {
    const random = rng(11);
    const names = Object.keys(MUTATIONS);
    let errors = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = corpus[Math.floor(random() * corpus.length)] as Buffer;
      const mutate = MUTATIONS[names[Math.floor(random() * names.length)] as string] as Mutation;
      const input = mutate(base, random);
      const [extended, options] = OPTION_SETS[i % OPTION_SETS.length] as [boolean, FormatOptions];
      const { ours, reference } = compare(input, extended, options);
      if (ours !== reference) expect.fail(`differs on ${input.toString('hex')}\nours:      ${ours}\nreference: ${reference}`);
      if (reference.startsWith('throws')) errors++;
    }
    expect(errors).toBeGreaterThan(500);
  }, 60_000); // CPU-bound: generous on a shared machine
});
