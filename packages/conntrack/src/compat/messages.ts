/** ctnetlink attributes for conntrack's -I/-A (a new entry), -U (changes to one entry) and -G (one tuple). */
import { parseAddressCached } from '../filter/address';
import type { Family, Flow } from '../flow';
import { CTA, CTA_IP, CTA_PROTO, CTA_PROTOINFO, CTA_TUPLE, PROTO } from '../ctnetlink/constants';
import { AttrBuffer } from './attr-buffer';
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

function writeWireTuple(w: AttrBuffer, type: number, t: WireTuple): void {
  const v4 = t.src.family === 'ipv4';
  w.begin(type).begin(CTA_TUPLE.IP);
  w.words(v4 ? CTA_IP.V4_SRC : CTA_IP.V6_SRC, t.src.words).words(v4 ? CTA_IP.V4_DST : CTA_IP.V6_DST, t.dst.words);
  w.end().begin(CTA_TUPLE.PROTO).u8(CTA_PROTO.NUM, t.protoNum);
  if (t.protoNum === PROTO.ICMP || t.protoNum === PROTO.ICMPV6) {
    const six = t.protoNum === PROTO.ICMPV6;
    if (t.icmpId !== undefined) w.u16(six ? CTA_PROTO.ICMPV6_ID : CTA_PROTO.ICMP_ID, t.icmpId);
    if (t.icmpType !== undefined) w.u8(six ? CTA_PROTO.ICMPV6_TYPE : CTA_PROTO.ICMP_TYPE, t.icmpType);
    if (t.icmpCode !== undefined) w.u8(six ? CTA_PROTO.ICMPV6_CODE : CTA_PROTO.ICMP_CODE, t.icmpCode);
  } else if (t.sport !== undefined || t.dport !== undefined) {
    w.u16(CTA_PROTO.SRC_PORT, t.sport ?? 0).u16(CTA_PROTO.DST_PORT, t.dport ?? 0);
  }
  w.end();
  if (t.zone !== undefined) w.u16(CTA_TUPLE.ZONE, t.zone);
  w.end();
}

/** One writer for every message this module builds: messages are built one at a time. */
const writer = new AttrBuffer();

function checkAddresses(t: TupleTemplate, what: string): asserts t is TupleTemplate & { src: Address; dst: Address } {
  if (!t.src || !t.dst) throw new CompatError(2, `you have to specify the ${what} addresses`);
}

function writeProtoInfo(w: AttrBuffer, cmd: CtCommand, withFlags: boolean): void {
  const name = cmd.proto?.handler?.name;
  if (name === 'tcp' && (withFlags || cmd.state !== undefined)) {
    let flags: number = TCP_FLAG.BE_LIBERAL | TCP_FLAG.SACK_PERM;
    if ((cmd.state ?? 0) >= TCP_TIME_WAIT) flags |= TCP_FLAG.CLOSE_INIT;
    // struct nf_ct_tcp_flags: the flags, then the mask of the flags to change.
    const pair = (flags << 8) | flags;
    w.begin(CTA.PROTOINFO).begin(CTA_PROTOINFO.TCP);
    if (cmd.state !== undefined) w.u8(CTA_TCP.STATE, cmd.state);
    w.u16(CTA_TCP.FLAGS_ORIGINAL, pair).u16(CTA_TCP.FLAGS_REPLY, pair);
    w.end().end();
  } else if ((name === 'sctp' || name === 'dccp') && cmd.state !== undefined) {
    w.begin(CTA.PROTOINFO).begin(name === 'sctp' ? CTA_PROTOINFO.SCTP : CTA_PROTOINFO.DCCP).u8(1, cmd.state).end().end();
  }
}

function writeNat(w: AttrBuffer, type: number, address: Address | undefined, port: number | undefined, protoNum: number): void {
  if (!address) return;
  const v4 = address.family === 'ipv4';
  w.begin(type);
  w.words(v4 ? CTA_NAT.V4_MINIP : CTA_NAT.V6_MINIP, address.words).words(v4 ? CTA_NAT.V4_MAXIP : CTA_NAT.V6_MAXIP, address.words);
  if (port !== undefined && (protoNum === PROTO.TCP || protoNum === PROTO.UDP)) w.begin(CTA_NAT.PROTO).u16(CTA_PROTONAT.PORT_MIN, port).u16(CTA_PROTONAT.PORT_MAX, port).end();
  w.end();
}

/**
 * CT_NEW attributes of `-I`/`-A`: the tuple given and its inverse (like libnetfilter_conntrack's
 * SETUP_REPLY/ORIGINAL). Plain fields, no object spreads: a batch builds ten thousand of these.
 */
export function createAttrs(cmd: CtCommand): Buffer {
  writeCreateAttrs(cmd, writer.reset());
  return writer.take();
}

/** createAttrs() into a writer the caller owns (a batch writes all its messages into one). */
export function writeCreateAttrs(cmd: CtCommand, w: AttrBuffer): void {
  const protoNum = cmd.proto?.num ?? 0;
  const hasOrig = cmd.orig.src !== undefined || cmd.orig.dst !== undefined;
  const hasReply = cmd.reply.src !== undefined || cmd.reply.dst !== undefined;
  const given = hasOrig ? cmd.orig : cmd.reply;
  const orig: WireTuple = hasOrig
    ? { src: given.src as Address, dst: given.dst as Address, protoNum, sport: given.sport, dport: given.dport, icmpType: cmd.orig.icmpType, icmpCode: cmd.orig.icmpCode, icmpId: cmd.orig.icmpId, zone: cmd.origZone }
    : { src: given.dst as Address, dst: given.src as Address, protoNum, sport: given.dport, dport: given.sport, icmpType: cmd.orig.icmpType, icmpCode: cmd.orig.icmpCode, icmpId: cmd.orig.icmpId, zone: cmd.origZone };
  checkAddresses(hasOrig ? cmd.orig : cmd.reply, hasOrig ? 'original' : 'reply');
  // Given reply addresses are taken as they are, ports included (none given: none sent, and the kernel says
  // "invalid parameters" as it does to conntrack).
  const reply: WireTuple = hasReply
    ? { src: cmd.reply.src as Address, dst: cmd.reply.dst as Address, protoNum, sport: cmd.reply.sport, dport: cmd.reply.dport, zone: cmd.replyZone }
    : { src: orig.dst, dst: orig.src, protoNum, sport: orig.dport, dport: orig.sport, zone: cmd.replyZone };
  if (hasReply) checkAddresses(cmd.reply, 'reply');
  if (protoNum === PROTO.ICMP || protoNum === PROTO.ICMPV6) {
    const type = orig.icmpType;
    reply.icmpType = type === undefined ? undefined : ((protoNum === PROTO.ICMP ? ICMP_REPLY : ICMPV6_REPLY)[type] ?? 255);
    reply.icmpCode = orig.icmpCode;
    reply.icmpId = orig.icmpId;
  }
  writeWireTuple(w, CTA.TUPLE_ORIG, orig);
  writeWireTuple(w, CTA.TUPLE_REPLY, reply);
  // libnetfilter_conntrack always adds IPS_CONFIRMED: the kernel refuses (EBUSY) a status that clears it.
  if (cmd.status !== undefined) w.u32(CTA.STATUS, cmd.status | IPS_CONFIRMED);
  if (cmd.timeout !== undefined) w.u32(CTA.TIMEOUT, cmd.timeout);
  if (cmd.mark) w.u32(CTA.MARK, cmd.mark.value);
  if (cmd.zone !== undefined) w.u16(CTA.ZONE, cmd.zone);
  writeProtoInfo(w, cmd, true);
  writeNat(w, CTA.NAT_SRC, cmd.snat?.address, cmd.snat?.port, protoNum);
  writeNat(w, CTA.NAT_DST, cmd.dnat?.address, cmd.dnat?.port, protoNum);
}

/** The attributes naming the entry a create made (to take it back when a batch stops): its original tuple, which createAttrs writes first, and its zone. */
export function createdIdentityAttrs(zone: number | undefined, created: Buffer): Buffer {
  const len = created.readUInt16LE(0);
  const orig = created.subarray(0, (len + 3) & ~3);
  if (zone === undefined) return Buffer.from(orig);
  return Buffer.concat([orig, writer.reset().u16(CTA.ZONE, zone).take()]);
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
  const w = writer.reset();
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
  return w.take();
}

/**
 * CT_GET attributes of `-G`: the original tuple and the zone. conntrack sends no reply tuple either:
 * `-G` with only -r/-q fails with "invalid parameters" there, and here.
 */
export function getAttrs(cmd: CtCommand): Buffer {
  const protoNum = cmd.proto?.num ?? 0;
  const { orig } = cmd;
  if (!orig.src || !orig.dst) throw new CompatError(1, 'Operation failed: invalid parameters');
  const w = writer.reset();
  writeWireTuple(w, CTA.TUPLE_ORIG, { src: orig.src, dst: orig.dst, protoNum, sport: orig.sport, dport: orig.dport, icmpType: orig.icmpType, icmpCode: orig.icmpCode, icmpId: orig.icmpId, zone: cmd.origZone });
  if (cmd.zone !== undefined) w.u16(CTA.ZONE, cmd.zone);
  if (cmd.id !== undefined) w.u32(CTA.ID, cmd.id);
  return w.take();
}
