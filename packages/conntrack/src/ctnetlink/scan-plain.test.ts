import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Flow, Tuple } from '../flow';
import { CTA, CTA_COUNTERS, CTA_PROTOINFO, CTA_PROTOINFO_STATE, IPCTNL_MSG_CT_NEW, NFNL_SUBSYS_CTNETLINK, PROTO } from './constants';
import { decodeFlow } from './decode-flow';
import { forEachMessage } from './decode-message';
import { AttrWriter, buildMessage, familyNumber, writeTuple } from './encode';
import { MUTATIONS, rng } from './fuzz/fuzzer';
import { newPlainFlow, scanPlainFlow, type PlainFlow } from './scan-plain';

const NLMSG_HDRLEN = 16;
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((hex) => Buffer.from(hex, 'hex'));

const v4 = (text: string) => text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const portsOnly = (t: Tuple) => t.sport !== undefined && t.dport !== undefined && t.icmpType === undefined && t.icmpId === undefined && t.zone === undefined;

/** Whether decodeFlow's result is of the plain shape scanPlainFlow takes. */
function plainShape(f: Flow): boolean {
  return (
    f.family === 'ipv4' &&
    portsOnly(f.orig) &&
    portsOnly(f.reply) &&
    f.timeout !== undefined &&
    f.mark !== undefined &&
    f.use !== undefined &&
    f.id !== undefined &&
    f.countersOrig === undefined &&
    f.countersReply === undefined &&
    f.timestampStart === undefined &&
    f.timestampStop === undefined &&
    f.helper === undefined &&
    f.secctx === undefined &&
    f.labels === undefined
  );
}

/** decodeFlow's result in scanPlainFlow's terms. */
function asPlain(f: Flow): PlainFlow {
  return {
    protoNum: f.protoNum,
    statusBits: f.statusBits,
    state: f.state,
    timeout: f.timeout ?? 0,
    mark: f.mark ?? 0,
    use: f.use ?? 0,
    id: f.id ?? 0,
    zone: f.zone ?? -1,
    origSrc: v4(f.orig.src),
    origDst: v4(f.orig.dst),
    origSport: f.orig.sport ?? 0,
    origDport: f.orig.dport ?? 0,
    replySrc: v4(f.reply.src),
    replyDst: v4(f.reply.dst),
    replySport: f.reply.sport ?? 0,
    replyDport: f.reply.dport ?? 0,
  };
}

/** Every flow message body in a datagram: [buffer, start, end]. */
function bodies(buf: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  forEachMessage(buf, (m) => {
    if (m.kind === 'body') out.push([m.start, m.end]);
  });
  return out;
}

interface Spec {
  family?: Flow['family'];
  orig: Tuple;
  reply: Tuple;
  extra?: (w: AttrWriter) => void;
  omit?: 'mark' | 'use';
}

/** A CT_NEW message as the kernel sends one (attributes in the kernel's order). */
function message(spec: Spec): Buffer {
  const family = spec.family ?? 'ipv4';
  const w = new AttrWriter();
  writeTuple(w, CTA.TUPLE_ORIG, spec.orig, family);
  writeTuple(w, CTA.TUPLE_REPLY, spec.reply, family);
  w.u32(CTA.STATUS, 0b1110);
  if (spec.omit !== 'mark') w.u32(CTA.MARK, 7);
  w.u32(CTA.ID, 4_000_000_001);
  if (spec.omit !== 'use') w.u32(CTA.USE, 1);
  w.u32(CTA.TIMEOUT, 431_999);
  spec.extra?.(w);
  return buildMessage((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, 2, 1, familyNumber(family), w.toBuffer());
}

const udp = (src: string, dst: string, sport: number, dport: number): Tuple => ({ src, dst, protoNum: PROTO.UDP, sport, dport });
const tcp = (src: string, dst: string, sport: number, dport: number): Tuple => ({ src, dst, protoNum: PROTO.TCP, sport, dport });
const tcpState = (state: number) => (w: AttrWriter) => w.nested(CTA.PROTOINFO, (p) => p.nested(CTA_PROTOINFO.TCP, (t) => t.u8(CTA_PROTOINFO_STATE, state)));

function scan(msg: Buffer): PlainFlow | null {
  const out = newPlainFlow();
  return scanPlainFlow(msg, NLMSG_HDRLEN, msg.length, out) ? out : null;
}

describe('scanPlainFlow', () => {
  it('reads plain entries exactly as decodeFlow does, and leaves every other shape to it', () => {
    const plain: Spec[] = [
      { orig: udp('127.0.0.1', '127.0.3.32', 47409, 10512), reply: udp('127.0.3.32', '127.0.0.1', 10512, 47409) },
      { orig: tcp('10.0.0.1', '10.0.0.2', 40000, 443), reply: tcp('192.168.1.9', '10.0.0.1', 8443, 40000), extra: tcpState(3) },
      { orig: tcp('255.255.255.255', '0.0.0.0', 1, 65535), reply: tcp('0.0.0.0', '255.255.255.255', 65535, 1), extra: (w) => w.u16(CTA.ZONE, 9) },
    ];
    for (const spec of plain) {
      const msg = message(spec);
      const flow = decodeFlow(msg, NLMSG_HDRLEN, msg.length);
      expect(scan(msg)).toEqual(asPlain(flow));
    }
    expect(scan(message(plain[1] as Spec))?.state).toBe('ESTABLISHED');
    const others: Spec[] = [
      { family: 'ipv6', orig: tcp('fd00::1', 'fd00::2', 1, 2), reply: tcp('fd00::2', 'fd00::1', 2, 1) },
      { orig: { src: '10.0.0.1', dst: '10.0.0.2', protoNum: PROTO.ICMP, icmpType: 8, icmpCode: 0, icmpId: 5 }, reply: { src: '10.0.0.2', dst: '10.0.0.1', protoNum: PROTO.ICMP, icmpType: 0, icmpCode: 0, icmpId: 5 } },
      { orig: { ...udp('10.0.0.1', '10.0.0.2', 1, 2), zone: 3 }, reply: udp('10.0.0.2', '10.0.0.1', 2, 1) },
      { orig: { src: '10.0.0.1', dst: '10.0.0.2', protoNum: PROTO.GRE }, reply: { src: '10.0.0.2', dst: '10.0.0.1', protoNum: PROTO.GRE } },
      { orig: udp('10.0.0.1', '10.0.0.2', 1, 2), reply: udp('10.0.0.2', '10.0.0.1', 2, 1), extra: (w) => w.nested(CTA.COUNTERS_ORIG, (c) => c.bytes(CTA_COUNTERS.PACKETS, Buffer.alloc(8)).bytes(CTA_COUNTERS.BYTES, Buffer.alloc(8))) },
      { orig: udp('10.0.0.1', '10.0.0.2', 1, 2), reply: udp('10.0.0.2', '10.0.0.1', 2, 1), omit: 'mark' },
      { orig: udp('10.0.0.1', '10.0.0.2', 1, 2), reply: udp('10.0.0.2', '10.0.0.1', 2, 1), omit: 'use' },
    ];
    for (const spec of others) {
      const msg = message(spec);
      expect(() => decodeFlow(msg, NLMSG_HDRLEN, msg.length)).not.toThrow();
      expect(scan(msg), JSON.stringify(spec)).toBeNull();
    }
  });

  it('leaves the captured kernel entries (counters, timestamps, labels, helpers, IPv6, ICMP) to decodeFlow', () => {
    let seen = 0;
    for (const buf of fixture('dump.hex')) {
      for (const [start, end] of bodies(buf)) {
        const flow = decodeFlow(buf, start, end);
        expect(plainShape(flow)).toBe(false); // captured with nf_conntrack_acct and _timestamp on
        expect(scanPlainFlow(buf, start, end, newPlainFlow())).toBe(false);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('never throws on mutated messages, and whatever it reads decodeFlow reads the same', () => {
    const random = rng(15);
    const corpus = [
      ...fixture('dump.hex'),
      message({ orig: tcp('10.0.0.1', '10.0.0.2', 40000, 443), reply: tcp('10.0.0.2', '10.0.0.1', 443, 40000), extra: tcpState(3) }),
      message({ orig: udp('127.0.0.1', '127.0.3.32', 47409, 10512), reply: udp('127.0.3.32', '127.0.0.1', 10512, 47409), extra: (w) => w.u16(CTA.ZONE, 2) }),
      message({ orig: tcp('10.1.2.3', '10.9.8.7', 1, 2), reply: tcp('172.16.0.1', '10.1.2.3', 2, 1), extra: tcpState(7) }),
    ];
    const names = Object.keys(MUTATIONS);
    let agreed = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = corpus[Math.floor(random() * corpus.length)] as Buffer;
      const mutate = MUTATIONS[names[Math.floor(random() * names.length)] as string];
      const input = mutate ? mutate(base, random) : base;
      // The message body as the dump path hands it over: from after nlmsghdr to the message's end.
      if (input.length < NLMSG_HDRLEN) continue;
      const end = Math.min(input.length, input.readUInt32LE(0));
      if (end < NLMSG_HDRLEN) continue;
      const out = newPlainFlow();
      const ok = scanPlainFlow(input, NLMSG_HDRLEN, end, out);
      if (!ok) continue;
      expect(asPlain(decodeFlow(input, NLMSG_HDRLEN, end))).toEqual(out);
      agreed++;
    }
    expect(agreed).toBeGreaterThan(1000);
  }, 60_000);
});
