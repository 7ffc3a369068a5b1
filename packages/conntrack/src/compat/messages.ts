/** ctnetlink attributes for conntrack's -I/-A (a new entry), -U (changes to one entry) and -G (one tuple). */
import { parseAddressCached } from '../filter/address';
import type { Family, Flow } from '../flow';
import { CTA, CTA_IP, CTA_PROTO, CTA_PROTOINFO, CTA_TUPLE, PROTO } from '../ctnetlink/constants';
import { AttrWriter } from '../ctnetlink/encode';
import { CompatError, type Address, type CtCommand, type TupleTemplate } from './parse';

const CTA_NAT = { V4_MINIP: 1, V4_MAXIP: 2, PROTO: 3, V6_MINIP: 4, V6_MAXIP: 5 } as const;
const CTA_PROTONAT = { PORT_MIN: 1, PORT_MAX: 2 } as const;
const CTA_TCP = { STATE: 1, FLAGS_ORIGINAL: 4, FLAGS_REPLY: 5 } as const;
const TCP_FLAG = { SACK_PERM: 0x02, CLOSE_INIT: 0x04, BE_LIBERAL: 0x08 } as const;
const TCP_TIME_WAIT = 7;
const IPS_CONFIRMED = 1 << 3;

/** libnetfilter_conntrack's reply type for an ICMP request type (255 when there is none: the kernel refuses it). */
const ICMP_REPLY: Readonly<Record<number, number>> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMPV6_REPLY: Readonly<Record<number, number>> = { 128: 129, 129: 128, 139: 140, 140: 139 };

interface WireTuple {
  src: Address;
  dst: Address;
  protoNum: number;
  sport?: number | undefined;
  dport?: number | undefined;
  icmpType?: number | undefined;
  icmpCode?: number | undefined;
  icmpId?: number | undefined;
  zone?: number | undefined;
}

const addressBuffer = (a: Address): Buffer => {
  const out = Buffer.alloc(a.words.length * 4);
  a.words.forEach((w, i) => out.writeUInt32BE(w >>> 0, i * 4));
  return out;
};

function writeWireTuple(w: AttrWriter, type: number, t: WireTuple): void {
  const v4 = t.src.family === 'ipv4';
  w.nested(type, (tw) => {
    tw.nested(CTA_TUPLE.IP, (ip) => {
      ip.bytes(v4 ? CTA_IP.V4_SRC : CTA_IP.V6_SRC, addressBuffer(t.src));
      ip.bytes(v4 ? CTA_IP.V4_DST : CTA_IP.V6_DST, addressBuffer(t.dst));
    });
    tw.nested(CTA_TUPLE.PROTO, (p) => {
      p.u8(CTA_PROTO.NUM, t.protoNum);
      if (t.protoNum === PROTO.ICMP || t.protoNum === PROTO.ICMPV6) {
        const six = t.protoNum === PROTO.ICMPV6;
        if (t.icmpId !== undefined) p.u16(six ? CTA_PROTO.ICMPV6_ID : CTA_PROTO.ICMP_ID, t.icmpId);
        if (t.icmpType !== undefined) p.u8(six ? CTA_PROTO.ICMPV6_TYPE : CTA_PROTO.ICMP_TYPE, t.icmpType);
        if (t.icmpCode !== undefined) p.u8(six ? CTA_PROTO.ICMPV6_CODE : CTA_PROTO.ICMP_CODE, t.icmpCode);
      } else if (t.sport !== undefined || t.dport !== undefined) {
        p.u16(CTA_PROTO.SRC_PORT, t.sport ?? 0);
        p.u16(CTA_PROTO.DST_PORT, t.dport ?? 0);
      }
    });
    if (t.zone !== undefined) tw.u16(CTA_TUPLE.ZONE, t.zone);
  });
}

const invert = (t: TupleTemplate): TupleTemplate => ({
  ...(t.dst ? { src: t.dst } : {}),
  ...(t.src ? { dst: t.src } : {}),
  ...(t.dport !== undefined ? { sport: t.dport } : {}),
  ...(t.sport !== undefined ? { dport: t.sport } : {}),
});

function wire(t: TupleTemplate, protoNum: number, zone: number | undefined, what: string): WireTuple {
  if (!t.src || !t.dst) throw new CompatError(2, `you have to specify the ${what} addresses`);
  return { src: t.src, dst: t.dst, protoNum, sport: t.sport, dport: t.dport, icmpType: t.icmpType, icmpCode: t.icmpCode, icmpId: t.icmpId, zone };
}

function writeProtoInfo(w: AttrWriter, cmd: CtCommand, withFlags: boolean): void {
  const name = cmd.proto?.handler?.name;
  if (name === 'tcp' && (withFlags || cmd.state !== undefined)) {
    let flags: number = TCP_FLAG.BE_LIBERAL | TCP_FLAG.SACK_PERM;
    if ((cmd.state ?? 0) >= TCP_TIME_WAIT) flags |= TCP_FLAG.CLOSE_INIT;
    const pair = Buffer.from([flags, flags]);
    w.nested(CTA.PROTOINFO, (pi) =>
      pi.nested(CTA_PROTOINFO.TCP, (tcp) => {
        if (cmd.state !== undefined) tcp.u8(CTA_TCP.STATE, cmd.state);
        tcp.bytes(CTA_TCP.FLAGS_ORIGINAL, pair).bytes(CTA_TCP.FLAGS_REPLY, pair);
      }),
    );
  } else if ((name === 'sctp' || name === 'dccp') && cmd.state !== undefined) {
    const state = cmd.state;
    w.nested(CTA.PROTOINFO, (pi) => pi.nested(name === 'sctp' ? CTA_PROTOINFO.SCTP : CTA_PROTOINFO.DCCP, (p) => p.u8(1, state)));
  }
}

function writeNat(w: AttrWriter, type: number, address: Address | undefined, port: number | undefined, protoNum: number): void {
  if (!address) return;
  w.nested(type, (n) => {
    const v4 = address.family === 'ipv4';
    n.bytes(v4 ? CTA_NAT.V4_MINIP : CTA_NAT.V6_MINIP, addressBuffer(address));
    n.bytes(v4 ? CTA_NAT.V4_MAXIP : CTA_NAT.V6_MAXIP, addressBuffer(address));
    if (port !== undefined && (protoNum === PROTO.TCP || protoNum === PROTO.UDP)) n.nested(CTA_NAT.PROTO, (p) => p.u16(CTA_PROTONAT.PORT_MIN, port).u16(CTA_PROTONAT.PORT_MAX, port));
  });
}

/** CT_NEW attributes of `-I`/`-A`: the tuple given and its inverse (like libnetfilter_conntrack's SETUP_REPLY/ORIGINAL). */
export function createAttrs(cmd: CtCommand): Buffer {
  const protoNum = cmd.proto?.num ?? 0;
  const hasOrig = cmd.orig.src !== undefined || cmd.orig.dst !== undefined;
  const hasReply = cmd.reply.src !== undefined || cmd.reply.dst !== undefined;
  const orig: TupleTemplate = hasOrig ? { ...cmd.orig } : { ...invert(cmd.reply), ...icmpOf(cmd.orig) };
  const reply: TupleTemplate = hasReply ? { ...invert(orig), ...dropUndefined(cmd.reply) } : invert(orig);
  if (protoNum === PROTO.ICMP || protoNum === PROTO.ICMPV6) {
    const type = orig.icmpType;
    const replyType = type === undefined ? undefined : ((protoNum === PROTO.ICMP ? ICMP_REPLY : ICMPV6_REPLY)[type] ?? 255);
    Object.assign(reply, { icmpType: replyType, icmpCode: orig.icmpCode, icmpId: orig.icmpId });
  }
  const w = new AttrWriter();
  writeWireTuple(w, CTA.TUPLE_ORIG, wire(orig, protoNum, cmd.origZone, 'original'));
  writeWireTuple(w, CTA.TUPLE_REPLY, wire(reply, protoNum, cmd.replyZone, 'reply'));
  if (cmd.timeout !== undefined) w.u32(CTA.TIMEOUT, cmd.timeout);
  // libnetfilter_conntrack always adds IPS_CONFIRMED: the kernel refuses (EBUSY) a status that clears it.
  if (cmd.status !== undefined) w.u32(CTA.STATUS, cmd.status | IPS_CONFIRMED);
  if (cmd.mark) w.u32(CTA.MARK, cmd.mark.value);
  if (cmd.zone !== undefined) w.u16(CTA.ZONE, cmd.zone);
  writeProtoInfo(w, cmd, true);
  writeNat(w, CTA.NAT_SRC, cmd.snat?.address, cmd.snat?.port, protoNum);
  writeNat(w, CTA.NAT_DST, cmd.dnat?.address, cmd.dnat?.port, protoNum);
  return w.toBuffer();
}

const icmpOf = (t: TupleTemplate): TupleTemplate => ({
  ...(t.icmpType !== undefined ? { icmpType: t.icmpType } : {}),
  ...(t.icmpCode !== undefined ? { icmpCode: t.icmpCode } : {}),
  ...(t.icmpId !== undefined ? { icmpId: t.icmpId } : {}),
});
const dropUndefined = (t: TupleTemplate): TupleTemplate => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as TupleTemplate;

/** The attributes naming the entry a create made (to take it back when a batch stops): its original tuple, which createAttrs writes first, and its zone. */
export function createdIdentityAttrs(cmd: CtCommand, created: Buffer): Buffer {
  const len = created.readUInt16LE(0);
  const orig = created.subarray(0, (len + 3) & ~3);
  if (cmd.zone === undefined) return Buffer.from(orig);
  return Buffer.concat([orig, new AttrWriter().u16(CTA.ZONE, cmd.zone).toBuffer()]);
}

function flowAddress(text: string, family: Family): Address {
  const parsed = parseAddressCached(text);
  if (!parsed) throw new CompatError(1, `cannot encode address ${text}`);
  return { family, words: parsed.words };
}

/** CT_NEW attributes of `-U` for one entry; undefined when it would change nothing (conntrack sends nothing then). */
export function updateAttrs(cmd: CtCommand, flow: Flow): Buffer | undefined {
  const mark = cmd.mark ? (((flow.mark ?? 0) & ~cmd.mark.mask) ^ cmd.mark.value) >>> 0 : undefined;
  const status = cmd.status !== undefined ? (flow.statusBits | cmd.status) >>> 0 : undefined;
  const changed =
    (cmd.timeout !== undefined && cmd.timeout !== flow.timeout) ||
    (mark !== undefined && mark !== (flow.mark ?? 0)) ||
    (status !== undefined && status !== flow.statusBits) ||
    (cmd.state !== undefined && cmd.proto?.handler?.states?.[cmd.state] !== flow.state);
  if (!changed) return undefined;
  const w = new AttrWriter();
  const o = flow.orig;
  writeWireTuple(w, CTA.TUPLE_ORIG, {
    src: flowAddress(o.src, flow.family),
    dst: flowAddress(o.dst, flow.family),
    protoNum: o.protoNum,
    sport: o.sport,
    dport: o.dport,
    icmpType: o.icmpType,
    icmpCode: o.icmpCode,
    icmpId: o.icmpId,
    zone: o.zone,
  });
  if (flow.zone !== undefined) w.u16(CTA.ZONE, flow.zone);
  if (cmd.timeout !== undefined) w.u32(CTA.TIMEOUT, cmd.timeout);
  if (mark !== undefined) w.u32(CTA.MARK, mark);
  if (status !== undefined) w.u32(CTA.STATUS, status);
  writeProtoInfo(w, cmd, false);
  return w.toBuffer();
}

/** CT_GET attributes of `-G`: the original tuple when given, else the reply tuple, and the zone. */
export function getAttrs(cmd: CtCommand): Buffer {
  const protoNum = cmd.proto?.num ?? 0;
  const w = new AttrWriter();
  if (cmd.orig.src && cmd.orig.dst) writeWireTuple(w, CTA.TUPLE_ORIG, wire(cmd.orig, protoNum, cmd.origZone, 'original'));
  else writeWireTuple(w, CTA.TUPLE_REPLY, wire(cmd.reply, protoNum, cmd.replyZone, 'reply'));
  if (cmd.zone !== undefined) w.u16(CTA.ZONE, cmd.zone);
  if (cmd.id !== undefined) w.u32(CTA.ID, cmd.id);
  return w.toBuffer();
}
