import type { FormatOptions } from '../text/format';
import type { ByteSink } from '../text/byte-sink';
import { writeFlowLine } from '../text/format-bytes';
import { u16be, u16le, u32be } from './bytes';
import { AF_INET, AF_INET6, CTA, CTA_IP, CTA_PROTO, CTA_PROTOINFO, CTA_PROTOINFO_STATE, CTA_TUPLE, NLA_TYPE_MASK } from './constants';
import { decodeFlow, ipv6, PROTO_NAMES, stateName } from './decode-flow';

/**
 * `conntrack -L` lines straight from ctnetlink bytes, without building a Flow: what `ctscope list`
 * prints for hundreds of thousands of entries. Only the common shape is written here (v4/v6, ports or
 * ICMP, state, timeout, mark, zone, use, id); anything else — counters, timestamps, tuple zones,
 * helpers, labels, offload, other protocols, or a message this reader does not find well formed —
 * goes through decodeFlow + writeFlowLine, so the output (and every DecodeError) is exactly theirs.
 */

const SEEN_REPLY = 1 << 1;
const ASSURED = 1 << 2;
const OFFLOAD = (1 << 14) | (1 << 15);

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const IPV4 = ascii('ipv4     2 ');
const IPV6 = ascii('ipv6     10 ');
const SRC = ascii('src=');
const DST = ascii(' dst=');
const SPORT = ascii('sport=');
const DPORT = ascii(' dport=');
const TYPE = ascii('type=');
const CODE = ascii(' code=');
const ID = ascii(' id=');
const UNREPLIED = ascii('[UNREPLIED] ');
const ASSURED_TEXT = ascii('[ASSURED] ');
const MARK = ascii('mark=');
const ZONE = ascii('zone=');
const USE = ascii('use=');
const ENTRY_ID = ascii('id=');
/** Protocol columns ("udp      17 "), by protocol number, for the protocols this path writes. */
const PROTO_COLUMNS = new Map<number, Uint8Array>();
for (const num of [1, 6, 17, 33, 58, 132, 136]) PROTO_COLUMNS.set(num, ascii(`${(PROTO_NAMES[num] ?? 'unknown').padEnd(8, ' ')} ${num} `));
const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);

/** One tuple's fields; `ok` is false when the tuple has anything this path leaves to decodeFlow. */
class TupleFields {
  /** IPv4 addresses are kept as numbers, IPv6 ones as the offset of their 16 bytes. */
  srcV6 = false;
  dstV6 = false;
  src = 0;
  dst = 0;
  hasSrc = false;
  hasDst = false;
  protoNum = 0;
  sport = -1;
  dport = -1;
  icmpId = -1;
  icmpType = -1;
  icmpCode = -1;
  ok = true;

  reset(): void {
    this.srcV6 = this.dstV6 = this.hasSrc = this.hasDst = false;
    this.src = this.dst = this.protoNum = 0;
    this.sport = this.dport = this.icmpId = this.icmpType = this.icmpCode = -1;
    this.ok = true;
  }
}

const origFields = new TupleFields();
const replyFields = new TupleFields();

/** Reads a nested tuple; false when it is malformed or unusual (the caller then falls back). */
function readTuple(buf: Uint8Array, t: TupleFields, start: number, end: number): boolean {
  t.reset();
  for (let off = start; off + 4 <= end; ) {
    const len = u16le(buf, off);
    if (len < 4 || off + len > end) return false;
    const type = u16le(buf, off + 2) & NLA_TYPE_MASK;
    const innerEnd = off + len;
    if (type === CTA_TUPLE.IP) {
      for (let q = off + 4; q + 4 <= innerEnd; ) {
        const qlen = u16le(buf, q);
        if (qlen < 4 || q + qlen > innerEnd) return false;
        const size = qlen - 4;
        switch (u16le(buf, q + 2) & NLA_TYPE_MASK) {
          case CTA_IP.V4_SRC:
            if (size < 4) return false;
            t.srcV6 = false;
            t.src = u32be(buf, q + 4);
            t.hasSrc = true;
            break;
          case CTA_IP.V4_DST:
            if (size < 4) return false;
            t.dstV6 = false;
            t.dst = u32be(buf, q + 4);
            t.hasDst = true;
            break;
          case CTA_IP.V6_SRC:
          case CTA_IP.V6_DST:
            if (size < 16) return false;
            if ((u16le(buf, q + 2) & NLA_TYPE_MASK) === CTA_IP.V6_SRC) {
              t.srcV6 = true;
              t.src = q + 4;
              t.hasSrc = true;
            } else {
              t.dstV6 = true;
              t.dst = q + 4;
              t.hasDst = true;
            }
            break;
        }
        q += (qlen + 3) & ~3;
      }
    } else if (type === CTA_TUPLE.PROTO) {
      for (let q = off + 4; q + 4 <= innerEnd; ) {
        const qlen = u16le(buf, q);
        if (qlen < 4 || q + qlen > innerEnd) return false;
        const size = qlen - 4;
        const p = q + 4;
        switch (u16le(buf, q + 2) & NLA_TYPE_MASK) {
          case CTA_PROTO.NUM:
            if (size < 1) return false;
            t.protoNum = buf[p] as number;
            break;
          case CTA_PROTO.SRC_PORT:
            if (size < 2) return false;
            t.sport = u16be(buf, p);
            break;
          case CTA_PROTO.DST_PORT:
            if (size < 2) return false;
            t.dport = u16be(buf, p);
            break;
          case CTA_PROTO.ICMP_ID:
          case CTA_PROTO.ICMPV6_ID:
            if (size < 2) return false;
            t.icmpId = u16be(buf, p);
            break;
          case CTA_PROTO.ICMP_TYPE:
          case CTA_PROTO.ICMPV6_TYPE:
            if (size < 1) return false;
            t.icmpType = buf[p] as number;
            break;
          case CTA_PROTO.ICMP_CODE:
          case CTA_PROTO.ICMPV6_CODE:
            if (size < 1) return false;
            t.icmpCode = buf[p] as number;
            break;
        }
        q += (qlen + 3) & ~3;
      }
    } else if (type === CTA_TUPLE.ZONE) return false;
    off += (len + 3) & ~3;
  }
  return true;
}

function readProtoState(buf: Uint8Array, start: number, end: number): number {
  let state = -1;
  for (let off = start; off + 4 <= end; ) {
    const len = u16le(buf, off);
    if (len < 4 || off + len > end) return -2;
    const type = u16le(buf, off + 2) & NLA_TYPE_MASK;
    if (type === CTA_PROTOINFO.TCP || type === CTA_PROTOINFO.DCCP || type === CTA_PROTOINFO.SCTP) {
      for (let inner = off + 4; inner + 4 <= off + len; ) {
        const innerLen = u16le(buf, inner);
        if (innerLen < 4 || inner + innerLen > off + len) return -2;
        if ((u16le(buf, inner + 2) & NLA_TYPE_MASK) === CTA_PROTOINFO_STATE) {
          if (innerLen - 4 < 1) return -2;
          state = buf[inner + 4] as number;
        }
        inner += (innerLen + 3) & ~3;
      }
    }
    off += (len + 3) & ~3;
  }
  return state;
}

/** True when the tuple has exactly the fields the common layout prints for this protocol. */
function usual(t: TupleFields, ports: boolean): boolean {
  if (!t.hasSrc || !t.hasDst) return false;
  // decodeFlow keeps ports only when both are present, and ICMP fields only without them.
  return ports ? t.sport >= 0 && t.dport >= 0 : t.icmpType >= 0 && (t.sport < 0 || t.dport < 0);
}

// Unchecked writers into a claimed region: each returns the position after what it wrote.
function putBytes(buf: Buffer, p: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[p++] = bytes[i] as number;
  return p;
}

function putAscii(buf: Buffer, p: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[p++] = text.charCodeAt(i);
  return p;
}

/** A number below 2^32 in decimal. */
function putUint(buf: Buffer, p: number, value: number): number {
  const end =
    p +
    (value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : value < 1000000 ? 6 : value < 10000000 ? 7 : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10);
  let at = end;
  let v = value;
  do {
    const q = (v / 10) >>> 0;
    buf[--at] = 48 + v - q * 10;
    v = q;
  } while (v !== 0);
  return end;
}

function putOctet(buf: Buffer, p: number, value: number): number {
  if (value >= 100) {
    buf[p++] = 48 + ((value / 100) | 0);
    buf[p++] = 48 + (((value / 10) | 0) % 10);
  } else if (value >= 10) buf[p++] = 48 + ((value / 10) | 0);
  buf[p++] = 48 + (value % 10);
  return p;
}

function putAddress(buf: Buffer, p: number, message: Uint8Array, v6: boolean, value: number): number {
  if (v6) return putAscii(buf, p, ipv6(message, value));
  p = putOctet(buf, p, value >>> 24);
  buf[p++] = 46;
  p = putOctet(buf, p, (value >>> 16) & 255);
  buf[p++] = 46;
  p = putOctet(buf, p, (value >>> 8) & 255);
  buf[p++] = 46;
  return putOctet(buf, p, value & 255);
}

function putTuple(buf: Buffer, p: number, message: Uint8Array, t: TupleFields, ports: boolean): number {
  p = putBytes(buf, p, SRC);
  p = putAddress(buf, p, message, t.srcV6, t.src);
  p = putBytes(buf, p, DST);
  p = putAddress(buf, p, message, t.dstV6, t.dst);
  buf[p++] = 32;
  if (ports) {
    p = putBytes(buf, p, SPORT);
    p = putUint(buf, p, t.sport);
    p = putBytes(buf, p, DPORT);
    p = putUint(buf, p, t.dport);
  } else {
    p = putBytes(buf, p, TYPE);
    p = putUint(buf, p, t.icmpType);
    p = putBytes(buf, p, CODE);
    p = putUint(buf, p, t.icmpCode < 0 ? 0 : t.icmpCode);
    p = putBytes(buf, p, ID);
    p = putUint(buf, p, t.icmpId < 0 ? 0 : t.icmpId);
  }
  buf[p++] = 32;
  return p;
}

/** Room for the longest line this path writes (two IPv6 tuples, every optional field, a long state name). */
const MAX_LINE = 512;

/**
 * Writes the line of one conntrack message body ([start, end) after nlmsghdr) exactly as
 * writeFlowLine(out, decodeFlow(buf, start, end), extended, options) would. Throws DecodeError like
 * decodeFlow on malformed input.
 */
export function writeMessageLine(out: ByteSink, buf: Uint8Array, start: number, end: number, extended: boolean, options: FormatOptions = {}): void {
  if (!writeCommonLine(out, buf, start, end, extended, options)) writeFlowLine(out, decodeFlow(buf, start, end), extended, options);
}

/** The common-shape writer alone: false (having written nothing) when the entry needs decodeFlow. */
export function writeCommonLine(out: ByteSink, buf: Uint8Array, start: number, end: number, extended: boolean, options: FormatOptions): boolean {
  if (options.ktimestamp || end - start < 4) return false;
  const af = buf[start] as number;
  if (af !== AF_INET && af !== AF_INET6) return false;
  let hasOrig = false;
  let hasReply = false;
  let statusBits = 0;
  let protoState = -1;
  let timeout = -1;
  let mark = -1;
  let use = -1;
  let id = -1;
  let zone = -1;
  for (let off = start + 4; off + 4 <= end; ) {
    const len = u16le(buf, off);
    if (len < 4 || off + len > end) return false;
    const p = off + 4;
    const size = len - 4;
    switch (u16le(buf, off + 2) & NLA_TYPE_MASK) {
      case CTA.TUPLE_ORIG:
        if (!readTuple(buf, origFields, p, off + len)) return false;
        hasOrig = true;
        break;
      case CTA.TUPLE_REPLY:
        if (!readTuple(buf, replyFields, p, off + len)) return false;
        hasReply = true;
        break;
      case CTA.STATUS:
        if (size < 4) return false;
        statusBits = u32be(buf, p);
        break;
      case CTA.PROTOINFO:
        protoState = readProtoState(buf, p, off + len);
        if (protoState === -2) return false;
        break;
      case CTA.TIMEOUT:
        if (size < 4) return false;
        timeout = u32be(buf, p);
        break;
      case CTA.MARK:
        if (size < 4) return false;
        mark = u32be(buf, p);
        break;
      case CTA.USE:
        if (size < 4) return false;
        use = u32be(buf, p);
        break;
      case CTA.ID:
        if (size < 4) return false;
        id = u32be(buf, p);
        break;
      case CTA.ZONE:
        if (size < 2) return false;
        zone = u16be(buf, p);
        break;
      case CTA.COUNTERS_ORIG:
      case CTA.COUNTERS_REPLY:
      case CTA.TIMESTAMP:
      case CTA.HELP:
      case CTA.SECCTX:
      case CTA.LABELS:
        return false;
    }
    off += (len + 3) & ~3;
  }
  if (!hasOrig || !hasReply || (statusBits & OFFLOAD) !== 0) return false;
  const protoNum = origFields.protoNum;
  const column = PROTO_COLUMNS.get(protoNum);
  if (column === undefined) return false;
  const ports = PORT_PROTOS.has(protoNum);
  if (!usual(origFields, ports) || !usual(replyFields, ports)) return false;

  const line = out.claim(MAX_LINE);
  let at = out.position;
  if (extended) at = putBytes(line, at, af === AF_INET ? IPV4 : IPV6);
  at = putBytes(line, at, column);
  if (timeout >= 0) {
    at = putUint(line, at, timeout);
    line[at++] = 32;
  }
  if (protoState >= 0) {
    at = putAscii(line, at, stateName(protoNum, protoState));
    line[at++] = 32;
  }
  at = putTuple(line, at, buf, origFields, ports);
  if ((statusBits & SEEN_REPLY) === 0) at = putBytes(line, at, UNREPLIED);
  at = putTuple(line, at, buf, replyFields, ports);
  if ((statusBits & ASSURED) !== 0) at = putBytes(line, at, ASSURED_TEXT);
  if (mark >= 0) {
    at = putBytes(line, at, MARK);
    at = putUint(line, at, mark);
    line[at++] = 32;
  }
  if (zone >= 0) {
    at = putBytes(line, at, ZONE);
    at = putUint(line, at, zone);
    line[at++] = 32;
  }
  if (use >= 0) {
    at = putBytes(line, at, USE);
    at = putUint(line, at, use);
    line[at++] = 32;
  }
  if ((options.id ?? extended) && id >= 0) {
    at = putBytes(line, at, ENTRY_ID);
    at = putUint(line, at, id);
    line[at++] = 32;
  }
  // Like the string formatter: no trailing space; the separator becomes the newline.
  line[at - 1] = 10;
  out.commit(at);
  return true;
}
